package core

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// commitHeight1 commits a block at height 1 with the stubs (we propose round 0).
func commitHeight1(t *testing.T, h *harness) {
	t.Helper()
	h.goToRound0()
	id := h.m.proposal.BlockID
	h.votes(types.PrevoteType, 0, id, h.stubs()...)
	h.votes(types.PrecommitType, 0, id, h.stubs()...)
	if len(h.commits) != 1 || h.m.h.Height != 2 {
		t.Fatalf("height 1 not committed (at %v)", h.m.hrs())
	}
}

// With create_empty_blocks = false, round 0 of a height that needs no proof block waits for
// transactions before proposing.
func TestWaitForTxs(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.CreateEmptyBlocks = false
	commitHeight1(t, h)
	h.fire(0, StepNewHeight)
	if h.m.step != StepNewRound {
		t.Fatalf("step %v, want NewRound (waiting for transactions)", h.m.step)
	}
	h.feed(TxsAvailable{})
	if h.m.step < StepPropose {
		t.Fatalf("step %v after TxsAvailable, want Propose or later", h.m.step)
	}
}

// With create_empty_blocks_interval, round 0 proposes after the interval even without transactions.
func TestCreateEmptyBlocksInterval(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.CreateEmptyBlocksInterval = 5 * 1e9
	commitHeight1(t, h)
	h.fire(0, StepNewHeight)
	if h.m.step != StepNewRound {
		t.Fatalf("step %v, want NewRound", h.m.step)
	}
	h.fire(0, StepNewRound)
	if h.m.step < StepPropose {
		t.Fatalf("step %v after the interval, want Propose or later", h.m.step)
	}
}

// With skip_timeout_commit, precommits from all the power start the next height at once.
func TestSkipTimeoutCommit(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.SkipTimeoutCommit = true
	commitHeight1(t, h)
	if h.m.h.Height != 2 || h.m.step == StepNewHeight {
		t.Fatalf("at %v, want height 2 past NewHeight", h.m.hrs())
	}
}

// commitWithPrecommitMissing commits height 1 with one stub's precommit held back, and returns
// the function that delivers it.
func commitWithPrecommitMissing(t *testing.T, h *harness) (deliverLate func()) {
	t.Helper()
	h.goToRound0()
	id := h.m.proposal.BlockID
	stubs := h.stubs()
	h.votes(types.PrevoteType, 0, id, stubs...)
	h.votes(types.PrecommitType, 0, id, stubs[:2]...)
	if h.m.h.Height != 2 || h.m.step != StepNewHeight {
		t.Fatalf("at %v, want 2/0/NewHeight", h.m.hrs())
	}
	return func() {
		h.height = 1
		late := h.stubVote(stubs[2], types.PrecommitType, 0, id)
		h.height = 2
		h.feed(VoteMessage{Vote: late, From: "late"})
	}
}

// Without all the power, skip_timeout_commit waits until the late precommit arrives.
func TestSkipTimeoutCommitWaitsForLatePrecommit(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.cfg.SkipTimeoutCommit = true
	commitWithPrecommitMissing(t, h)()
	if h.m.step == StepNewHeight {
		t.Fatal("all precommits are in, but the next round did not start")
	}
}

// Two different votes of one validator in one round are reported as a conflict.
func TestConflictingVotesReported(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	_, _, id := h.blockOf(0, "x=1")
	stub := h.stubs()[0]
	h.feed(VoteMessage{Vote: h.stubVote(stub, types.PrevoteType, 0, id), From: "a"})
	h.feed(VoteMessage{Vote: h.stubVote(stub, types.PrevoteType, 0, types.BlockID{}), From: "a"})
	if len(h.conflicts) != 1 {
		t.Fatalf("%d conflicts reported, want 1", len(h.conflicts))
	}
	if !h.conflicts[0].VoteA.BlockID.Equals(id) || !h.conflicts[0].VoteB.BlockID.IsNil() {
		t.Fatal("conflict reported with the wrong votes")
	}
}

// While the application decides on a proposal, later inputs wait; our prevote goes out before
// the precommit those inputs cause.
func TestInputsWaitForProcessProposal(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.holdProcess = true
	h.goToRound0()
	block, parts, id := h.blockOf(0, "x=1")
	h.propose(0, -1, block, parts)
	if h.heldProcess == nil {
		t.Fatal("no ProcessProposal request")
	}
	before := len(h.actions)
	h.votes(types.PrevoteType, 0, id, h.stubs()...)
	if len(h.actions) != before {
		t.Fatalf("the machine acted on %d inputs while blocked", len(h.actions)-before)
	}
	h.answerProcess(true)
	votes := h.ourVotes()
	if len(votes) != 2 || votes[0].Type != types.PrevoteType || votes[1].Type != types.PrecommitType {
		t.Fatalf("our votes: %v, want a prevote then a precommit", votes)
	}
	h.expectVote(types.PrecommitType, 0, id)
}

// With vote extensions enabled, our non-nil precommit carries an extension and the seen commit
// keeps the extensions; a precommit without an extension signature is refused.
func TestVoteExtensions(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.extensionHeight = 1
	h.goToRound0()
	id := h.m.proposal.BlockID
	stubs := h.stubs()
	h.votes(types.PrevoteType, 0, id, stubs...)
	ours := h.lastVote(types.PrecommitType)
	if string(ours.Extension) != "extension" || len(ours.ExtensionSignature) == 0 {
		t.Fatal("our precommit has no signed extension")
	}
	bad := h.stubVote(stubs[0], types.PrecommitType, 0, id)
	bad.ExtensionSignature = nil
	h.feed(VoteMessage{Vote: bad, From: "bad"})
	if len(h.rejected) != 1 {
		t.Fatalf("a precommit without extension signature was accepted (rejections %v)", h.rejected)
	}
	h.votes(types.PrecommitType, 0, id, stubs...)
	if len(h.commits) != 1 {
		t.Fatal("not committed")
	}
	for _, sig := range h.commits[0].SeenCommit.ExtendedSignatures {
		if sig.BlockIDFlag == types.BlockIDFlagCommit && len(sig.ExtensionSignature) == 0 {
			t.Fatal("seen commit lost an extension signature")
		}
	}
}

// The same inputs give the same actions: the machine is deterministic.
func TestDeterministic(t *testing.T) {
	trace := func() []string {
		h := newHarness(t, 4, 3)
		h.goToRound0()
		block, parts, id := h.blockOf(0, "x=1")
		h.propose(0, -1, block, parts)
		h.votes(types.PrevoteType, 0, id, h.stubs()...)
		h.votes(types.PrecommitType, 0, id, h.stubs()...)
		var out []string
		for _, v := range h.ourVotes() {
			out = append(out, string(v.SignBytes(testChainID)))
		}
		for _, e := range h.events {
			out = append(out, e.Kind.String()+e.HRS.String())
		}
		for _, to := range h.timeouts {
			out = append(out, to.Duration.String()+to.Step.String())
		}
		return out
	}
	a, b := trace(), trace()
	if len(a) != len(b) {
		t.Fatalf("traces differ in length: %d and %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("traces differ at %d: %q vs %q", i, a[i], b[i])
		}
	}
}
