package reactor

import (
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/types"
)

func step(h int64, r int32, s core.Step, lcr int32) newRoundStep {
	return newRoundStep{HRS: core.HRS{Height: h, Round: r, Step: s}, LastCommitRound: lcr}
}

func bitsOf(size int, set ...int) *bits.BitArray {
	b := bits.New(size)
	for _, i := range set {
		b.SetIndex(i, true)
	}
	return b
}

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// NewRoundStep moves the peer forward only; the start time is now minus the elapsed seconds.
func TestPeerStateNewRoundStepOnlyMovesForward(t *testing.T) {
	ps := newPeerState()
	ps.applyNewRoundStep(newRoundStep{HRS: core.HRS{Height: 5, Round: 1, Step: core.StepPrevote}, SecondsSinceStartTime: 3, LastCommitRound: 0}, epoch)
	if ps.hrs() != (core.HRS{Height: 5, Round: 1, Step: core.StepPrevote}) || !ps.StartTime.Equal(epoch.Add(-3*time.Second)) {
		t.Fatalf("got %v start %v", ps.hrs(), ps.StartTime)
	}
	for _, older := range []newRoundStep{step(5, 1, core.StepPropose, 0), step(5, 0, core.StepCommit, 0), step(4, 9, core.StepCommit, 0), step(5, 1, core.StepPrevote, 0)} {
		ps.applyNewRoundStep(older, epoch)
		if ps.hrs() != (core.HRS{Height: 5, Round: 1, Step: core.StepPrevote}) {
			t.Fatalf("%v moved the peer back to %v", older.HRS, ps.hrs())
		}
	}
}

// A new round forgets the proposal and the round's votes; a new step in the same round keeps them.
func TestPeerStateNewRoundForgetsTheRound(t *testing.T) {
	ps := newPeerState()
	ps.applyNewRoundStep(step(5, 0, core.StepPropose, 0), epoch)
	p := types.NewProposal(5, 0, -1, blockID("b", 3), epoch)
	ps.setHasProposal(p)
	ps.ensureVoteBitArrays(5, 4)
	ps.setHasVote(5, 0, types.PrevoteType, 2)

	ps.applyNewRoundStep(step(5, 0, core.StepPrevote, 0), epoch)
	if !ps.Proposal || ps.Parts.Size() != 3 || !ps.Prevotes.GetIndex(2) {
		t.Fatalf("a step change forgot the round: proposal %v parts %v prevotes %v", ps.Proposal, ps.Parts, ps.Prevotes)
	}
	ps.applyNewRoundStep(step(5, 1, core.StepNewRound, 0), epoch)
	if ps.Proposal || ps.Parts != nil || !ps.PartsHeader.IsZero() || ps.ProposalPOLRound != -1 || ps.Prevotes != nil || ps.Precommits != nil {
		t.Fatalf("a new round kept the old one: %+v", ps)
	}
}

// At the next height the peer's precommits become its last commit when the rounds agree, and are
// dropped otherwise.
func TestPeerStateNextHeightShiftsPrecommits(t *testing.T) {
	for _, tc := range []struct {
		lastCommitRound int32
		wantKept        bool
	}{{2, true}, {1, false}} {
		ps := newPeerState()
		ps.applyNewRoundStep(step(5, 2, core.StepPrecommit, 0), epoch)
		ps.ensureVoteBitArrays(5, 4)
		ps.setHasVote(5, 2, types.PrecommitType, 1)
		ps.ensureCatchupCommitRound(5, 3, 4)
		ps.applyNewRoundStep(step(6, 0, core.StepNewHeight, tc.lastCommitRound), epoch)
		if ps.LastCommitRound != tc.lastCommitRound || ps.CatchupCommitRound != -1 || ps.CatchupCommit != nil {
			t.Fatalf("last commit round %d, catch-up %d %v", ps.LastCommitRound, ps.CatchupCommitRound, ps.CatchupCommit)
		}
		if kept := ps.LastCommit.GetIndex(1); kept != tc.wantKept {
			t.Errorf("last commit round %d: precommit kept = %v, want %v", tc.lastCommitRound, kept, tc.wantKept)
		}
		if tc.wantKept && ps.voteBitArray(5, 2, types.PrecommitType) != ps.LastCommit {
			t.Error("precommits of height 5 are not looked up in the last commit")
		}
	}
}

// A peer reaching the round of the commit it catches up on keeps the precommits it was sent.
func TestPeerStateCatchupCommitRoundBecomesPrecommits(t *testing.T) {
	ps := newPeerState()
	ps.applyNewRoundStep(step(5, 0, core.StepPropose, 0), epoch)
	ps.ensureCatchupCommitRound(5, 2, 4)
	ps.setHasVote(5, 2, types.PrecommitType, 3)
	if !ps.CatchupCommit.GetIndex(3) {
		t.Fatal("catch-up precommit not recorded")
	}
	ps.applyNewRoundStep(step(5, 2, core.StepNewRound, 0), epoch)
	if !ps.Precommits.GetIndex(3) {
		t.Fatal("the catch-up precommits were lost on reaching their round")
	}
}

// NewValidBlock applies at the peer's height, in its round or when committing.
func TestPeerStateNewValidBlock(t *testing.T) {
	header := blockID("v", 3).PartSetHeader
	for _, tc := range []struct {
		name    string
		msg     newValidBlock
		applied bool
	}{
		{"same round", newValidBlock{Height: 5, Round: 1, PartsHeader: header, Parts: bitsOf(3, 0)}, true},
		{"other round", newValidBlock{Height: 5, Round: 0, PartsHeader: header, Parts: bitsOf(3, 0)}, false},
		{"other round, commit", newValidBlock{Height: 5, Round: 0, PartsHeader: header, Parts: bitsOf(3, 0), IsCommit: true}, true},
		{"other height", newValidBlock{Height: 4, Round: 1, PartsHeader: header, Parts: bitsOf(3, 0), IsCommit: true}, false},
	} {
		ps := newPeerState()
		ps.applyNewRoundStep(step(5, 1, core.StepPrevote, 0), epoch)
		ps.applyNewValidBlock(tc.msg)
		if got := ps.PartsHeader.Equals(header) && ps.Parts.GetIndex(0); got != tc.applied {
			t.Errorf("%s: applied = %v, want %v", tc.name, got, tc.applied)
		}
	}
}

// The proposal sets the part set and POL round, unless a NewValidBlock already set the parts;
// ProposalPOL applies only to that POL round.
func TestPeerStateProposalAndPOL(t *testing.T) {
	ps := newPeerState()
	ps.applyNewRoundStep(step(5, 2, core.StepPropose, 0), epoch)
	ps.setHasProposal(types.NewProposal(5, 2, 1, blockID("b", 2), epoch))
	if !ps.Proposal || ps.ProposalPOLRound != 1 || ps.Parts.Size() != 2 {
		t.Fatalf("after the proposal: %+v", ps)
	}
	ps.applyProposalPOL(proposalPOL{Height: 5, POLRound: 0, POL: bitsOf(4, 1)})
	if ps.ProposalPOL != nil {
		t.Fatal("a POL of another round was applied")
	}
	ps.applyProposalPOL(proposalPOL{Height: 5, POLRound: 1, POL: bitsOf(4, 1)})
	if !ps.ProposalPOL.GetIndex(1) || ps.voteBitArray(5, 1, types.PrevoteType) != ps.ProposalPOL {
		t.Fatal("the POL was not applied")
	}

	other := newPeerState()
	other.applyNewRoundStep(step(5, 2, core.StepPropose, 0), epoch)
	valid := blockID("valid", 4).PartSetHeader
	other.applyNewValidBlock(newValidBlock{Height: 5, Round: 2, PartsHeader: valid, Parts: bitsOf(4)})
	other.setHasProposal(types.NewProposal(5, 2, 1, blockID("b", 2), epoch))
	if !other.Proposal || !other.PartsHeader.Equals(valid) || other.ProposalPOLRound != -1 {
		t.Fatalf("the proposal overrode the valid block's parts: %+v", other)
	}
}

// HasVote marks the right array; VoteSetBits merges with what we hold at our height and
// overwrites otherwise.
func TestPeerStateHasVoteAndVoteSetBits(t *testing.T) {
	ps := newPeerState()
	ps.applyNewRoundStep(step(5, 1, core.StepPrevote, 0), epoch)
	ps.ensureVoteBitArrays(5, 4)
	ps.applyHasVote(hasVote{Height: 5, Round: 1, Type: types.PrevoteType, Index: 0})
	ps.applyHasVote(hasVote{Height: 4, Round: 1, Type: types.PrevoteType, Index: 1}) // not its height
	ps.applyHasVote(hasVote{Height: 5, Round: 0, Type: types.PrevoteType, Index: 2}) // untracked round
	if got := ps.Prevotes.TrueIndices(); len(got) != 1 || got[0] != 0 {
		t.Fatalf("prevotes %v, want [0]", got)
	}
	ps.setHasVote(5, 1, types.PrevoteType, 3)

	// We hold 0 and 1 for the block; the peer says it holds 1 and 2 of them: it lacks 0, keeps
	// 3 (a vote for something else) and has 1 and 2.
	ps.applyVoteSetBits(voteSetBits{Height: 5, Round: 1, Type: types.PrevoteType, Votes: bitsOf(4, 1, 2)}, bitsOf(4, 0, 1))
	if got := ps.Prevotes.String(); got != "_xxx" {
		t.Fatalf("merged prevotes %s, want _xxx", got)
	}
	ps.applyVoteSetBits(voteSetBits{Height: 5, Round: 1, Type: types.PrevoteType, Votes: bitsOf(4, 0)}, nil)
	if got := ps.Prevotes.String(); got != "x___" {
		t.Fatalf("overwritten prevotes %s, want x___", got)
	}
}

// Vote arrays are looked up as CometBFT does: the round first, then the catch-up commit round
// (precommits only), then the POL round (prevotes only), and the last commit one height below.
func TestPeerStateVoteBitArrayLookup(t *testing.T) {
	ps := newPeerState()
	ps.applyNewRoundStep(step(5, 3, core.StepPropose, 1), epoch)
	ps.setHasProposal(types.NewProposal(5, 3, 2, blockID("b", 2), epoch))
	ps.ensureCatchupCommitRound(5, 2, 4)
	ps.ensureVoteBitArrays(5, 4)
	ps.ensureVoteBitArrays(4, 4)
	for _, tc := range []struct {
		h    int64
		r    int32
		t    types.SignedMsgType
		want *bits.BitArray
	}{
		{5, 3, types.PrevoteType, ps.Prevotes},
		{5, 3, types.PrecommitType, ps.Precommits},
		{5, 2, types.PrecommitType, ps.CatchupCommit},
		{5, 2, types.PrevoteType, nil}, // the catch-up round hides the POL round
		{4, 1, types.PrecommitType, ps.LastCommit},
		{4, 0, types.PrecommitType, nil},
		{4, 1, types.PrevoteType, nil},
		{3, 1, types.PrecommitType, nil},
	} {
		if got := ps.voteBitArray(tc.h, tc.r, tc.t); got != tc.want {
			t.Errorf("%d/%d/%v: got %p, want %p", tc.h, tc.r, tc.t, got, tc.want)
		}
	}
}
