package sim

import (
	"fmt"
	"slices"

	"github.com/ballot-bft/ballot/types"
)

// valSets is the checker's model of the validator sets, kept apart from the nodes' chain states:
// the genesis set decides heights 1 and 2, and the updates returned for block h are applied to
// the set of h+1 to give the set of h+2 (abci.md: validator updates take effect at H+2). Only
// membership and powers matter; proposer priorities are not modelled.
type valSets struct {
	sets map[int64]*types.ValidatorSet
	top  int64 // highest height with a set
}

func newValSets(genesis *types.ValidatorSet) *valSets {
	g := genesis.Copy()
	return &valSets{sets: map[int64]*types.ValidatorSet{1: g, 2: g}, top: 2}
}

// at returns the set of height h, or nil if it is not known yet (the block of h-2 is not
// canonical yet) or h < 1.
func (vs *valSets) at(h int64) *types.ValidatorSet { return vs.sets[h] }

// update applies the updates of canonical block h: the set of h+2 is the set of h+1 changed.
func (vs *valSets) update(h int64, updates []*types.Validator) error {
	if h+1 != vs.top {
		return fmt.Errorf("validator model: updates of height %d, but the model reaches height %d", h, vs.top)
	}
	byAddr := map[string]*types.Validator{}
	for _, v := range vs.sets[h+1].Validators {
		byAddr[string(v.Address)] = v
	}
	for _, u := range updates {
		if u.VotingPower == 0 {
			if _, ok := byAddr[string(u.Address)]; !ok {
				return fmt.Errorf("validator model: height %d removes %v, which is not a validator", h, u.Address)
			}
			delete(byAddr, string(u.Address))
			continue
		}
		byAddr[string(u.Address)] = types.NewValidator(u.PubKey, u.VotingPower)
	}
	list := make([]*types.Validator, 0, len(byAddr))
	for _, addr := range sortedKeys(byAddr) {
		list = append(list, byAddr[addr])
	}
	next, err := types.NewValidatorSet(list)
	if err != nil {
		return fmt.Errorf("validator model: the set of height %d: %w", h+2, err)
	}
	vs.sets[h+2] = next
	vs.top = h + 2
	return nil
}

// sameUpdates reports whether two change sets are equal (addresses, keys and powers, in order).
func sameUpdates(a, b []*types.Validator) bool {
	return slices.EqualFunc(a, b, func(x, y *types.Validator) bool {
		return x.Address.String() == y.Address.String() && x.PubKey.Equals(y.PubKey) && x.VotingPower == y.VotingPower
	})
}
