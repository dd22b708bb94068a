package core

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// We propose at height 1, the stubs vote for our block, and it is committed; the machine moves to
// height 2 and waits timeout_commit.
func TestHappyPathAsProposer(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.txs = types.Txs{types.Tx("a=1")}
	h.requireProposer(0, true)
	h.goToRound0()

	// Our own proposal and block came back through Step and were broadcast, then we prevoted it.
	proposal := h.m.proposal
	if proposal == nil || h.m.proposalBlock == nil {
		t.Fatal("no proposal after entering round 0 as the proposer")
	}
	id := proposal.BlockID
	h.expectVote(types.PrevoteType, 0, id)

	stubs := h.stubs()
	h.votes(types.PrevoteType, 0, id, stubs[0], stubs[1])
	h.expectVote(types.PrecommitType, 0, id)
	if !h.hasEvent(EventLock, 0) || !h.hasEvent(EventPolka, 0) {
		t.Fatal("no Polka and Lock events")
	}

	h.votes(types.PrecommitType, 0, id, stubs[0], stubs[1])
	if len(h.commits) != 1 {
		t.Fatalf("%d commits, want 1", len(h.commits))
	}
	c := h.commits[0]
	if c.Height != 1 || !c.Block.HashesTo(id.Hash) || c.SeenCommit.BlockID.Hash.String() != id.Hash.String() {
		t.Fatalf("committed %d %v", c.Height, c.SeenCommit.BlockID)
	}
	if got := countFlags(c.SeenCommit, types.BlockIDFlagCommit); got != 3 {
		t.Fatalf("seen commit has %d COMMIT entries, want 3", got)
	}
	if h.m.h.Height != 2 || h.m.step != StepNewHeight {
		t.Fatalf("after commit: %v, want 2/0/NewHeight", h.m.hrs())
	}
	last := h.timeouts[len(h.timeouts)-1]
	if last.Height != 2 || last.Step != StepNewHeight || last.Duration != h.cfg.TimeoutCommit {
		t.Fatalf("round 0 of height 2 scheduled as %+v, want timeout_commit", last)
	}
}

// Someone else proposes; we prevote and precommit its block and commit it, then propose or wait
// at height 2 with the last commit we gathered.
func TestHappyPathAsValidator(t *testing.T) {
	h := newHarness(t, 4, 3)
	var round int32
	h.goToRound0()
	block, parts, id := h.blockOf(round, "k=v")
	h.propose(round, -1, block, parts)
	h.expectVote(types.PrevoteType, round, id)

	stubs := h.stubs()
	h.votes(types.PrevoteType, round, id, stubs...)
	h.expectVote(types.PrecommitType, round, id)
	h.votes(types.PrecommitType, round, id, stubs[:2]...)
	if len(h.commits) != 1 || !h.commits[0].Block.HashesTo(id.Hash) {
		t.Fatalf("commits: %v", h.commits)
	}

	// A late precommit of height 1 arrives while waiting out timeout_commit: it is added to the
	// last commit.
	h.height = 1
	late := h.stubVote(stubs[2], types.PrecommitType, round, id)
	h.height = 2
	h.feed(VoteMessage{Vote: late, From: "late"})
	if h.m.lastCommit.GetByIndex(late.ValidatorIndex) == nil {
		t.Fatal("late precommit for the previous height was not added to the last commit")
	}
}

// With no proposal, the propose timeout makes us prevote nil.
func TestNilPrevoteAfterProposeTimeout(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	if h.countVotes(types.PrevoteType, 0) != 0 {
		t.Fatal("prevoted before the proposal or the timeout")
	}
	h.fire(0, StepPropose)
	h.expectVote(types.PrevoteType, 0, types.BlockID{})
	if !h.hasEvent(EventTimeoutPropose, 0) {
		t.Fatal("no TimeoutPropose event")
	}
	// +2/3 prevotes for nil: precommit nil straight away.
	h.votes(types.PrevoteType, 0, types.BlockID{}, h.stubs()[:2]...)
	h.expectVote(types.PrecommitType, 0, types.BlockID{})
}

func countFlags(c *types.ExtendedCommit, flag types.BlockIDFlag) int {
	n := 0
	for _, s := range c.ExtendedSignatures {
		if s.BlockIDFlag == flag {
			n++
		}
	}
	return n
}
