package types

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// ErrInvalidValidatorChanges wraps every error of UpdateWithChangeSet that is caused by the
// change set itself (as opposed to ErrTotalVotingPowerOverflow and ErrEmptyValidatorSet).
var ErrInvalidValidatorChanges = errors.New("invalid validator changes")

// UpdateWithChangeSet applies changes (from ABCI validator updates) to the set. A change with
// power 0 removes the validator with that address; any other power adds the validator or replaces
// the power (and key) of the existing one. The rules, all of consensus.md §9:
//   - changes must not repeat an address, have a negative power or a power above
//     MaxTotalVotingPower, or remove an address that is not in the set;
//   - the resulting set must not be empty and its total power, and every partial total while
//     updates are applied in ascending order of power change, must stay within
//     MaxTotalVotingPower;
//   - a new validator starts at priority -(T + T/8), T being the total power after the updates
//     and before the removals; a kept validator keeps its priority (any priority in changes is
//     ignored);
//   - priorities are then rescaled to a spread of at most 2 × the new total and centred, and the
//     set is re-sorted. The proposer is left as it was; the next IncrementProposerPriority picks
//     the new one.
//
// On error the set is unchanged. changes is not modified and not retained. An empty changes is a
// no-op.
func (vals *ValidatorSet) UpdateWithChangeSet(changes []*Validator) error {
	return vals.updateWithChangeSet(changes, true)
}

// updateWithChangeSet implements UpdateWithChangeSet; NewValidatorSet calls it with
// allowRemovals false, making power 0 an error.
func (vals *ValidatorSet) updateWithChangeSet(changes []*Validator, allowRemovals bool) error {
	if len(changes) == 0 {
		return nil
	}
	updates, removals, err := splitChanges(changes)
	if err != nil {
		return err
	}
	if !allowRemovals && len(removals) > 0 {
		return fmt.Errorf("%w: validator %v has voting power 0", ErrInvalidValidatorChanges, removals[0].Address)
	}
	if countNew(updates, vals) == 0 && len(removals) == len(vals.Validators) {
		return fmt.Errorf("%w: applying the changes would leave no validators", ErrEmptyValidatorSet)
	}
	removedPower, err := checkRemovals(removals, vals)
	if err != nil {
		return err
	}
	tvpBeforeRemovals, err := checkUpdates(updates, vals, removedPower)
	if err != nil {
		return err
	}

	for _, u := range updates {
		if i, _ := vals.GetByAddress(u.Address); i >= 0 {
			u.ProposerPriority = vals.Validators[i].ProposerPriority
		} else {
			u.ProposerPriority = -(tvpBeforeRemovals + tvpBeforeRemovals>>3)
		}
	}
	vals.Validators = mergeByAddress(vals.Validators, updates, removals)
	if err := vals.updateTotalVotingPower(); err != nil {
		// checkUpdates bounded every partial total, the final one included.
		panic(fmt.Sprintf("types: total voting power after a verified update: %v", err))
	}
	vals.RescalePriorities(PriorityWindowSizeFactor * vals.TotalVotingPower())
	vals.centerPriorities()
	slices.SortFunc(vals.Validators, lessByPowerThenAddress)
	if vals.Proposer != nil {
		// Keep Proposer an element of the set when it is still a member.
		if i, _ := vals.GetByAddress(vals.Proposer.Address); i >= 0 {
			vals.Proposer = vals.Validators[i]
		}
	}
	return nil
}

// splitChanges copies changes, sorts the copies by address and splits them into updates (power >
// 0) and removals (power 0), rejecting duplicates and out-of-range powers.
func splitChanges(changes []*Validator) (updates, removals []*Validator, err error) {
	sorted := copyValidators(changes)
	slices.SortFunc(sorted, compareByAddress)
	for i, c := range sorted {
		if i > 0 && bytes.Equal(c.Address, sorted[i-1].Address) {
			return nil, nil, fmt.Errorf("%w: duplicate entry for validator %v", ErrInvalidValidatorChanges, c.Address)
		}
		switch {
		case c.VotingPower < 0:
			return nil, nil, fmt.Errorf("%w: validator %v has negative voting power %d",
				ErrInvalidValidatorChanges, c.Address, c.VotingPower)
		case c.VotingPower > MaxTotalVotingPower:
			return nil, nil, fmt.Errorf("%w: validator %v has voting power %d above the maximum %d",
				ErrInvalidValidatorChanges, c.Address, c.VotingPower, MaxTotalVotingPower)
		case c.VotingPower == 0:
			removals = append(removals, c)
		default:
			updates = append(updates, c)
		}
	}
	return updates, removals, nil
}

// countNew returns how many updates add a validator that is not yet in vals.
func countNew(updates []*Validator, vals *ValidatorSet) int {
	n := 0
	for _, u := range updates {
		if !vals.HasAddress(u.Address) {
			n++
		}
	}
	return n
}

// checkRemovals verifies every removal names a member and returns the power being removed.
func checkRemovals(removals []*Validator, vals *ValidatorSet) (int64, error) {
	var removed int64
	for _, r := range removals {
		_, v := vals.GetByAddress(r.Address)
		if v == nil {
			return 0, fmt.Errorf("%w: cannot remove validator %v: not in the set", ErrInvalidValidatorChanges, r.Address)
		}
		removed += v.VotingPower
	}
	return removed, nil
}

// checkUpdates applies the updates' power changes in ascending order to the total after
// removals, failing if any partial total exceeds MaxTotalVotingPower. It returns the total after
// the updates and before the removals (below 2 × MaxTotalVotingPower, so it cannot overflow).
func checkUpdates(updates []*Validator, vals *ValidatorSet, removedPower int64) (int64, error) {
	deltas := make([]int64, len(updates))
	for i, u := range updates {
		deltas[i] = u.VotingPower
		if _, v := vals.GetByAddress(u.Address); v != nil {
			deltas[i] -= v.VotingPower
		}
	}
	slices.Sort(deltas)
	total := vals.TotalVotingPower() - removedPower
	for _, d := range deltas {
		total += d
		if total > MaxTotalVotingPower {
			return 0, ErrTotalVotingPowerOverflow
		}
	}
	return total + removedPower, nil
}

// mergeByAddress returns existing with updates applied (an update replaces the member with its
// address, or is added) and removals dropped. updates and removals are sorted by address and
// verified; the result is sorted by address.
func mergeByAddress(existing, updates, removals []*Validator) []*Validator {
	existing = slices.Clone(existing)
	slices.SortFunc(existing, compareByAddress)
	merged := make([]*Validator, 0, len(existing)+len(updates))
	for len(existing) > 0 || len(updates) > 0 {
		switch {
		case len(updates) == 0:
			merged, existing = append(merged, existing[0]), existing[1:]
		case len(existing) == 0:
			merged, updates = append(merged, updates[0]), updates[1:]
		default:
			switch bytes.Compare(existing[0].Address, updates[0].Address) {
			case -1:
				merged, existing = append(merged, existing[0]), existing[1:]
			case 0:
				merged, existing, updates = append(merged, updates[0]), existing[1:], updates[1:]
			default:
				merged, updates = append(merged, updates[0]), updates[1:]
			}
		}
	}
	return slices.DeleteFunc(merged, func(v *Validator) bool {
		_, found := slices.BinarySearchFunc(removals, v, compareByAddress)
		return found
	})
}
