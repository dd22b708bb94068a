package core

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// We are round 0's proposer but still waiting out timeout_commit when 2/3+ precommits for nil of
// round 0 arrive (the others timed out waiting for us): we enter round 0, ask for our block, and
// precommit nil in the same step. The block arriving afterwards must not be signed as a proposal:
// it would come after our precommit of the same round, which the signer refuses (seen with three
// CometBFT validators and ballot proposing late after block sync).
func TestNoProposalAfterPrecommitOfTheRound(t *testing.T) {
	h := newHarness(t, 4, 0)
	h.requireProposer(0, true)
	h.start() // at NewHeight: timeout_commit not fired
	h.votes(types.PrecommitType, 0, types.BlockID{}, h.stubs()...)

	h.expectVote(types.PrecommitType, 0, types.BlockID{})
	for _, a := range h.actions {
		if sp, ok := a.(SignProposal); ok {
			t.Fatalf("asked to sign a proposal for round %d after precommitting in it", sp.Proposal.Round)
		}
	}
	if h.m.round != 0 || h.m.step < StepPrecommit {
		t.Fatalf("at %v, want round 0 past precommit", h.m.hrs())
	}
}
