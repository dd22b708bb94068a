package core

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// With skip_timeout_commit_txs, a backlog of transactions starts the next height at once when
// every precommit is in; without a backlog the height waits out timeout_commit.
func TestTxsBacklogEndsTimeoutCommit(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.SkipTimeoutCommitTxs = 100
	commitHeight1(t, h)
	if h.m.step != StepNewHeight {
		t.Fatalf("at %v right after the commit, want 2/0/NewHeight", h.m.hrs())
	}
	h.feed(TxsBacklog{Height: 1}) // a notice for the height just committed
	if h.m.step != StepNewHeight {
		t.Fatalf("a backlog notice for height 1 moved height 2 to %v", h.m.hrs())
	}
	h.feed(TxsBacklog{Height: 2})
	if h.m.h.Height != 2 || h.m.step < StepPropose {
		t.Fatalf("at %v after the backlog, want height 2 at Propose or later", h.m.hrs())
	}
}

// The notice is ignored unless skip_timeout_commit_txs is set.
func TestTxsBacklogIgnoredWhenOff(t *testing.T) {
	h := newHarness(t, 4, 0)
	commitHeight1(t, h)
	h.feed(TxsBacklog{Height: 2})
	if h.m.step != StepNewHeight {
		t.Fatalf("at %v, want 2/0/NewHeight (skip_timeout_commit_txs is 0)", h.m.hrs())
	}
}

// A backlog before the last precommit waits for it: the last commit keeps every signature.
func TestTxsBacklogWaitsForLatePrecommit(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.SkipTimeoutCommitTxs = 1
	deliverLate := commitWithPrecommitMissing(t, h)
	h.feed(TxsBacklog{Height: 2})
	if h.m.step != StepNewHeight {
		t.Fatalf("at %v with a precommit missing, want 2/0/NewHeight", h.m.hrs())
	}
	deliverLate()
	if h.m.step < StepPropose {
		t.Fatalf("at %v after the last precommit, want Propose or later", h.m.hrs())
	}
}

// With create_empty_blocks = false the backlog also ends the wait for transactions.
func TestTxsBacklogProposesWithoutEmptyBlocks(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.SkipTimeoutCommitTxs = 1
	h.cfg.CreateEmptyBlocks = false
	commitHeight1(t, h)
	h.feed(TxsBacklog{Height: 2})
	if h.m.step < StepPropose {
		t.Fatalf("at %v after the backlog, want Propose or later", h.m.hrs())
	}
}

// A backlog notice holds for its height only: a late precommit at the next height does not start
// that height early.
func TestTxsBacklogIsPerHeight(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.SkipTimeoutCommitTxs = 1
	commitWithPrecommitMissing(t, h)
	h.feed(TxsBacklog{Height: 2}) // a precommit is missing: no early start
	h.fire(0, StepNewHeight)
	var id types.BlockID
	if h.weProposeRound(0) {
		id = h.m.proposal.BlockID
	} else {
		block, parts, bid := h.blockOf(0)
		h.propose(0, -1, block, parts)
		id = bid
	}
	stubs := h.stubs()
	h.votes(types.PrevoteType, 0, id, stubs...)
	h.votes(types.PrecommitType, 0, id, stubs[:2]...)
	if h.m.h.Height != 3 || h.m.step != StepNewHeight {
		t.Fatalf("at %v, want 3/0/NewHeight", h.m.hrs())
	}
	h.height = 2
	late := h.stubVote(stubs[2], types.PrecommitType, 0, id)
	h.height = 3
	h.feed(VoteMessage{Vote: late, From: "late"})
	if h.m.step != StepNewHeight {
		t.Fatalf("at %v: height 2's backlog notice started height 3 early", h.m.hrs())
	}
}
