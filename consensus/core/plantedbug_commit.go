//go:build ballot_plantedbug_commit

package core

import "github.com/ballot-bft/ballot/types"

// precommitWeights plants a bug for the simulator's negative controls (test/sim): precommits
// are tallied one per validator, so a block is committed on more than 2/3 of the validator
// count instead of more than 2/3 of the voting power. Only builds with the
// ballot_plantedbug_commit tag have it. The returned set keeps the validators' order (their
// indices in votes) with every power set to 1.
func precommitWeights(vals *types.ValidatorSet) *types.ValidatorSet {
	unit := &types.ValidatorSet{Validators: make([]*types.Validator, len(vals.Validators))}
	for i, v := range vals.Validators {
		c := v.Copy()
		c.VotingPower = 1
		unit.Validators[i] = c
	}
	return unit
}
