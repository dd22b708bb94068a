package core

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// lockInRound0 brings the harness to a lock on the round-0 proposal, and then to round 1 with the
// stubs' precommits for nil. It returns the locked block's ID.
func lockInRound0(t *testing.T, h *harness) types.BlockID {
	t.Helper()
	h.goToRound0()
	block, parts, id := h.blockOf(0, "locked=1")
	h.propose(0, -1, block, parts)
	h.expectVote(types.PrevoteType, 0, id)
	stubs := h.stubs()
	h.votes(types.PrevoteType, 0, id, stubs...)
	h.expectVote(types.PrecommitType, 0, id)
	if h.m.lockedRound != 0 || !blockMatches(h.m.lockedBlock, id) {
		t.Fatalf("not locked on %v in round 0", id)
	}
	// Precommits: ours for the block and two nil ones make +2/3 of anything but no majority.
	h.votes(types.PrecommitType, 0, types.BlockID{}, stubs[:2]...)
	h.fire(0, StepPrecommitWait)
	if h.m.round != 1 {
		t.Fatalf("round %d after the precommit-wait timeout, want 1", h.m.round)
	}
	return id
}

// Locked in round 0, we prevote the locked block in round 1 whatever is proposed, and relock on a
// round-1 polka for it.
func TestLockAndRelock(t *testing.T) {
	h := newHarness(t, 4, 3)
	locked := lockInRound0(t, h)
	h.requireProposer(1, false)
	other, parts, _ := h.blockOf(1, "other=1")
	h.propose(1, -1, other, parts)
	h.expectVote(types.PrevoteType, 1, locked)

	// The polka is for the locked block, not the proposal, so the proposal is not "complete":
	// the precommit (and the relock) wait for timeout_prevote, as in CometBFT.
	h.votes(types.PrevoteType, 1, locked, h.stubs()...)
	if h.m.step != StepPrevoteWait {
		t.Fatalf("step %v, want PrevoteWait", h.m.step)
	}
	h.fire(1, StepPrevoteWait)
	h.expectVote(types.PrecommitType, 1, locked)
	if !h.hasEvent(EventRelock, 1) || h.m.lockedRound != 1 {
		t.Fatalf("no relock in round 1 (locked round %d)", h.m.lockedRound)
	}
}

// CometBFT v0.38 still unlocks on a polka for nil in the current round.
func TestUnlockOnNilPolka(t *testing.T) {
	h := newHarness(t, 4, 3)
	lockInRound0(t, h)
	h.fire(1, StepPropose)
	h.votes(types.PrevoteType, 1, types.BlockID{}, h.stubs()...)
	h.expectVote(types.PrecommitType, 1, types.BlockID{})
	if h.m.lockedBlock != nil || h.m.lockedRound != -1 || !h.hasEvent(EventUnlock, 1) {
		t.Fatal("still locked after a polka for nil")
	}
}

// A polka for another block in a round after the lock (and not after the current round) unlocks
// when the votes arrive, even before our prevote; the block becomes the one we fetch.
func TestUnlockOnLaterPolkaForAnotherBlock(t *testing.T) {
	h := newHarness(t, 4, 3)
	lockInRound0(t, h)
	_, _, other := h.blockOf(1, "other=2")
	h.votes(types.PrevoteType, 1, other, h.stubs()...)
	if h.m.lockedBlock != nil || !h.hasEvent(EventUnlock, 1) {
		t.Fatal("still locked after a later polka for another block")
	}
	if !partsHaveHeader(h.m.proposalBlockParts, other.PartSetHeader) || !h.hasEvent(EventValidBlock, 1) {
		t.Fatal("not fetching the block of the polka")
	}
}

// A polka for a block we don't have unlocks us and we precommit nil.
func TestPolkaForUnknownBlockUnlocksAndPrecommitsNil(t *testing.T) {
	h := newHarness(t, 4, 3)
	lockInRound0(t, h)
	h.fire(1, StepPropose) // prevote the locked block
	_, _, other := h.blockOf(1, "unknown=1")
	h.votes(types.PrevoteType, 1, other, h.stubs()...)
	// Without the block the proposal is not complete: wait timeout_prevote, then precommit nil.
	if h.m.step != StepPrevoteWait {
		t.Fatalf("step %v, want PrevoteWait", h.m.step)
	}
	h.fire(1, StepPrevoteWait)
	h.expectVote(types.PrecommitType, 1, types.BlockID{})
	if h.m.lockedBlock != nil {
		t.Fatal("still locked")
	}
}

// A proposal re-proposing a block with a POL from an earlier round is prevoted once the POL
// prevotes are in, even when they arrive after the proposal.
func TestPOLFromEarlierRound(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	stubs := h.stubs()
	// Round 0 ends with +2/3 precommits for nil (we never saw a proposal).
	h.votes(types.PrecommitType, 0, types.BlockID{}, stubs...)
	h.expectVote(types.PrecommitType, 0, types.BlockID{})
	h.fire(0, StepPrecommitWait)
	if h.m.round != 1 {
		t.Fatalf("round %d, want 1", h.m.round)
	}
	h.requireProposer(1, false)

	// The round-1 proposer re-proposes a block with POL round 0; the POL is not in yet.
	block, parts, id := h.blockOf(1, "pol=1")
	h.propose(1, 0, block, parts)
	if h.countVotes(types.PrevoteType, 1) != 0 {
		t.Fatal("prevoted a POL proposal without its POL")
	}
	h.votes(types.PrevoteType, 0, id, stubs...)
	h.expectVote(types.PrevoteType, 1, id)
}

// +2/3 prevotes of a later round move us to that round.
func TestRoundSkipOnLaterPrevotes(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	h.votes(types.PrevoteType, 2, types.BlockID{}, h.stubs()...)
	if h.m.round != 2 {
		t.Fatalf("round %d, want 2", h.m.round)
	}
}

// Votes of untracked rounds are accepted from a peer for at most two rounds.
func TestCatchupRoundsPerPeerAreLimited(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	stub := h.stubs()[0]
	for _, r := range []int32{5, 6, 7} {
		h.feed(VoteMessage{Vote: h.stubVote(stub, types.PrevoteType, r, types.BlockID{}), From: "eager"})
	}
	if len(h.rejected) != 1 {
		t.Fatalf("%d rejections, want 1 (the third catch-up round)", len(h.rejected))
	}
}

// +2/3 precommits for a block in a later round commit it as soon as its parts are in.
func TestCommitFromLaterRound(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	h.requireProposer(1, false)
	block, parts, id := h.blockOf(1, "late=1")
	h.votes(types.PrecommitType, 1, id, h.stubs()...)
	if h.m.round != 1 || h.m.step != StepCommit {
		t.Fatalf("at %v, want 1/1/Commit", h.m.hrs())
	}
	h.expectVote(types.PrecommitType, 1, types.BlockID{}) // no polka seen: our own precommit is nil
	if len(h.commits) != 0 {
		t.Fatal("committed without the block")
	}
	for i := 0; i < int(parts.Total()); i++ {
		h.feed(BlockPartMessage{Height: 1, Round: 1, Part: parts.GetPart(i), From: "p"})
	}
	if len(h.commits) != 1 || !h.commits[0].Block.HashesTo(id.Hash) {
		t.Fatal("the block was not committed once its parts were in")
	}
	_ = block
}
