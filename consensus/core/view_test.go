package core

import (
	"fmt"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// The view holds what gossip needs, and later steps of the machine don't change an earlier view.
func TestViewIsACopy(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	block, parts, id := h.blockOf(0, "v=1")
	h.propose(0, -1, block, parts)
	v := h.m.View()
	if v.Proposal == nil || !v.PartsHeader.Equals(id.PartSetHeader) || v.PartsBitArray().Count() != int(parts.Total()) {
		t.Fatal("the view lacks the proposal or its parts")
	}
	ours := h.lastVote(types.PrevoteType)
	if got := v.Votes(0, types.PrevoteType)[ours.ValidatorIndex]; got == nil || got.Signature == nil {
		t.Fatal("the view lacks our prevote")
	}
	before := v.HRS
	h.votes(types.PrevoteType, 0, id, h.stubs()...)
	if v.HRS != before {
		t.Fatal("a view changed after it was taken")
	}
	stub := h.stubs()[0]
	index, _ := h.vals.GetByAddress(stub.PubKey().Address())
	if v.Votes(0, types.PrevoteType)[index] != nil {
		t.Fatal("a vote added after the view was taken appears in it")
	}
	if nv := h.m.View(); nv.Votes(0, types.PrevoteType)[index] == nil || nv.Rounds[0].PrevotesMaj23 == nil {
		t.Fatal("a new view lacks the new votes or the polka")
	}
}

// Views taken without a change in between share their vote and part slices; a change builds new
// slices only for what changed, and leaves the earlier view as it was.
func TestViewSharesWhatDidNotChange(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	block, parts, id := h.blockOf(0, "v=2")
	h.propose(0, -1, block, parts)

	a, b := h.m.View(), h.m.View()
	if &a.Rounds[0] != &b.Rounds[0] || &a.Rounds[0].Prevotes[0] != &b.Rounds[0].Prevotes[0] ||
		&a.ProposalBlockParts[0] != &b.ProposalBlockParts[0] {
		t.Fatal("two views of an unchanged machine do not share their slices")
	}
	if len(a.Rounds) != 2 || a.Rounds[0].Round != 0 || a.Rounds[1].Round != 1 || a.VotesRound != 1 {
		t.Fatalf("rounds %+v, votes round %d; want rounds 0 and 1", a.Rounds, a.VotesRound)
	}

	stub := h.stubs()[0]
	index, _ := h.vals.GetByAddress(stub.PubKey().Address())
	h.votes(types.PrevoteType, 0, id, stub)
	c := h.m.View()
	if &c.Rounds[0].Prevotes[0] == &a.Rounds[0].Prevotes[0] || c.Rounds[0].Prevotes[index] == nil {
		t.Fatal("round 0's prevotes were not copied again after a prevote")
	}
	if &c.Rounds[0].Precommits[0] != &a.Rounds[0].Precommits[0] || &c.Rounds[1].Prevotes[0] != &a.Rounds[1].Prevotes[0] {
		t.Fatal("vote sets that did not change were copied again")
	}
	if a.Rounds[0].Prevotes[index] != nil {
		t.Fatal("the earlier view sees the new prevote")
	}
}

// The view carries the lock, the valid block, the commit time, the precommit-wait trigger and
// the last commit with the claims peers made for it.
func TestViewCarriesLockValidBlockAndCommit(t *testing.T) {
	h := newHarness(t, 4, 3)
	locked := lockInRound0(t, h) // now in round 1 with the lock from round 0
	v := h.m.View()
	if v.LockedRound != 0 || !blockMatches(v.LockedBlock, locked) || !v.LockedBlockParts.Equals(locked.PartSetHeader) {
		t.Fatalf("lock %d %v in the view, want round 0 on %v", v.LockedRound, v.LockedBlockParts, locked)
	}
	if v.ValidRound != 0 || !blockMatches(v.ValidBlock, locked) || !v.ValidBlockParts.Equals(locked.PartSetHeader) {
		t.Fatalf("valid block %d %v in the view, want round 0", v.ValidRound, v.ValidBlockParts)
	}
	if v.TriggeredTimeoutPrecommit || v.HRS.Round != 1 {
		t.Fatal("the precommit-wait trigger was not reset in round 1")
	}

	// Round 1: a claim for the stubs' precommits, then they commit the locked block.
	stubs := h.stubs()
	h.feed(PeerMaj23{Height: 1, Round: 1, Type: types.PrecommitType, BlockID: locked, From: "peer-7"})
	h.fire(1, StepPropose)
	h.votes(types.PrevoteType, 1, locked, stubs...)
	h.fire(1, StepPrevoteWait)
	h.expectVote(types.PrecommitType, 1, locked)
	h.votes(types.PrecommitType, 1, types.BlockID{}, stubs[0])
	h.votes(types.PrecommitType, 1, locked, stubs[1])
	if v := h.m.View(); !v.TriggeredTimeoutPrecommit || !v.CommitTime.IsZero() {
		t.Fatal("+2/3 precommits for anything did not trigger the precommit wait (or a commit time is set)")
	}
	h.votes(types.PrecommitType, 1, locked, stubs[2])
	if len(h.commits) != 1 {
		t.Fatalf("%d commits, want 1", len(h.commits))
	}
	v = h.m.View()
	if v.HRS.Height != 2 || v.CommitTime.IsZero() || v.LockedBlock != nil || v.ValidBlock != nil || v.LockedRound != -1 {
		t.Fatalf("at height 2: %v commit time %v locked %v valid %v", v.HRS, v.CommitTime, v.LockedBlock != nil, v.ValidBlock != nil)
	}
	if v.LastCommitRound != 1 || len(v.LastCommit) != 4 {
		t.Fatalf("last commit round %d with %d entries", v.LastCommitRound, len(v.LastCommit))
	}
	if claim, ok := v.LastCommitPeerMaj23s["peer-7"]; !ok || !claim.Equals(locked) || len(v.LastCommitPeerMaj23s) != 1 {
		t.Fatalf("last commit claims %v, want peer-7's for %v", v.LastCommitPeerMaj23s, locked)
	}
}

// BenchmarkView measures View after every input: with nothing changed (what the driver pays
// for inputs that change no vote), and after one new vote.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{4, 100} {
		h := benchHarness(b, n)
		b.Run(fmt.Sprintf("validators=%d/unchanged", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = h.m.View()
			}
		})
		b.Run(fmt.Sprintf("validators=%d/after_a_vote", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h.m.votes.changed(0, types.PrevoteType) // what a new prevote in round 0 does to the views
				_ = h.m.View()
			}
		})
	}
}

// benchHarness is a machine with n validators in round 0 of height 2 with a full last commit and
// the proposal's block and every stub's prevote.
func benchHarness(b *testing.B, n int) *harness {
	h := newHarness(b, n, int32(n-1))
	h.goToRound0()
	block, parts, id := h.blockOf(0, "bench=1")
	h.propose(0, -1, block, parts)
	h.votes(types.PrevoteType, 0, id, h.stubs()...)
	h.votes(types.PrecommitType, 0, id, h.stubs()...)
	h.fire(0, StepNewHeight)
	if h.m.h.Height != 2 || h.m.lastCommit == nil {
		b.Fatalf("benchmark setup at %v", h.m.hrs())
	}
	block, parts, id = h.blockOf(0, "bench=2")
	h.propose(0, -1, block, parts)
	h.votes(types.PrevoteType, 0, id, h.stubs()[:n/2]...)
	return h
}

func TestParseStepInvertsString(t *testing.T) {
	for s := StepNewHeight; s.IsValid(); s++ {
		if got, ok := ParseStep(s.String()); !ok || got != s {
			t.Errorf("ParseStep(%q) = %v, %v; want %v", s.String(), got, ok, s)
		}
	}
	for _, name := range []string{"", "RoundStepUnknown(0)", "Propose", "roundsteppropose"} {
		if got, ok := ParseStep(name); ok {
			t.Errorf("ParseStep(%q) = %v, want no step", name, got)
		}
	}
}
