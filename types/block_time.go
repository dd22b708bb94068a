package types

import (
	"slices"
	"time"
)

// MedianTime returns the BFT time of the block that carries commit as its LastCommit
// (consensus.md §8): the voting-power-weighted median of the timestamps of the commit's
// non-absent entries (COMMIT and NIL alike), weighted by each signer's power in validators (the
// set that signed the commit). Entries whose address is not in validators are skipped.
//
// The entries are sorted by time and walked, subtracting weights from total/2 (integer
// division); the first entry whose weight is at least what remains is the median. Times are
// compared as Unix nanoseconds, as CometBFT does, so that every node picks the same entry. With no
// commit, no set or no counted entry the result is the zero time. The arguments are only read.
func MedianTime(commit *Commit, validators *ValidatorSet) time.Time {
	type weightedTime struct {
		t      time.Time
		weight int64
	}
	if commit == nil || validators == nil {
		return time.Time{}
	}
	weighted := make([]weightedTime, 0, len(commit.Signatures))
	var total int64
	for _, cs := range commit.Signatures {
		if cs.Absent() {
			continue
		}
		_, val := validators.GetByAddress(cs.ValidatorAddress)
		if val == nil {
			continue
		}
		total += val.VotingPower
		weighted = append(weighted, weightedTime{t: cs.Timestamp, weight: val.VotingPower})
	}
	slices.SortStableFunc(weighted, func(a, b weightedTime) int {
		an, bn := a.t.UnixNano(), b.t.UnixNano()
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return 0
	})
	remaining := total / 2
	for _, wt := range weighted {
		if remaining <= wt.weight {
			return wt.t
		}
		remaining -= wt.weight
	}
	return time.Time{}
}
