package types

import (
	"fmt"
	"math"
	"math/big"
)

// Proposer selection is a weighted round robin over proposer priorities (consensus.md §9). Every
// step adds each validator's voting power to its priority, and the validator with the highest
// priority proposes and pays the total voting power back. Before the steps of one call the
// priorities are rescaled (their spread capped at PriorityWindowSizeFactor × total power) and
// centred around 0. All arithmetic saturates at the int64 bounds instead of wrapping.

// IncrementProposerPriority advances proposer selection by times steps and sets Proposer to the
// validator chosen by the last one. A round r of a height applies one call with the round delta,
// not r calls of 1: the rescale and centring run once per call.
//
// The set must be non-empty and times positive; anything else is a programming error and panics.
func (vals *ValidatorSet) IncrementProposerPriority(times int32) {
	if vals.IsNilOrEmpty() {
		panic("types: IncrementProposerPriority on an empty validator set")
	}
	if times <= 0 {
		panic(fmt.Sprintf("types: IncrementProposerPriority with non-positive times %d", times))
	}
	vals.RescalePriorities(PriorityWindowSizeFactor * vals.TotalVotingPower())
	vals.centerPriorities()

	var proposer *Validator
	for range times {
		proposer = vals.incrementOnce()
	}
	vals.Proposer = proposer
}

// CopyIncrementProposerPriority returns a copy of the set advanced by times steps; vals is not
// changed. The preconditions are those of IncrementProposerPriority.
func (vals *ValidatorSet) CopyIncrementProposerPriority(times int32) *ValidatorSet {
	c := vals.Copy()
	c.IncrementProposerPriority(times)
	return c
}

// RescalePriorities divides every priority by ceil(spread / diffMax) when the spread between the
// highest and the lowest priority exceeds diffMax (Go division, truncating toward zero). A
// non-positive diffMax leaves the priorities alone. The set must be non-empty (else it panics).
func (vals *ValidatorSet) RescalePriorities(diffMax int64) {
	if vals.IsNilOrEmpty() {
		panic("types: RescalePriorities on an empty validator set")
	}
	if diffMax <= 0 {
		return
	}
	spread := prioritySpread(vals.Validators)
	limit := uint64(diffMax)
	if spread <= limit {
		return
	}
	ratio := spread / limit
	if spread%limit != 0 {
		ratio++
	}
	for _, v := range vals.Validators {
		v.ProposerPriority = truncDiv(v.ProposerPriority, ratio)
	}
}

// prioritySpread returns max(priority) - min(priority), exact even when it exceeds MaxInt64.
func prioritySpread(list []*Validator) uint64 {
	hi, lo := int64(math.MinInt64), int64(math.MaxInt64)
	for _, v := range list {
		hi = max(hi, v.ProposerPriority)
		lo = min(lo, v.ProposerPriority)
	}
	return uint64(hi) - uint64(lo) // two's complement makes this exact for hi >= lo
}

// truncDiv returns p / d rounded toward zero, for any positive d up to 2^64-1.
func truncDiv(p int64, d uint64) int64 {
	if d <= math.MaxInt64 {
		return p / int64(d)
	}
	// |p| <= 2^63 <= d: the quotient is 0, except MinInt64 / 2^63 = -1.
	if p == math.MinInt64 && d == 1<<63 {
		return -1
	}
	return 0
}

// centerPriorities subtracts floor(sum / n) from every priority. The sum is taken over big
// integers and divided with floor (Euclidean, n > 0) division, as CometBFT does: truncation would
// round a negative average the other way.
func (vals *ValidatorSet) centerPriorities() {
	avg := averagePriority(vals.Validators)
	for _, v := range vals.Validators {
		v.ProposerPriority = clipSub(v.ProposerPriority, avg)
	}
}

// averagePriority returns floor(sum of priorities / len(list)) for a non-empty list.
func averagePriority(list []*Validator) int64 {
	sum := new(big.Int)
	var p big.Int
	for _, v := range list {
		sum.Add(sum, p.SetInt64(v.ProposerPriority))
	}
	// Div is Euclidean division; for a positive divisor that is floor division.
	avg := sum.Div(sum, big.NewInt(int64(len(list))))
	if !avg.IsInt64() {
		panic(fmt.Sprintf("types: average of int64 priorities %v does not fit an int64", avg))
	}
	return avg.Int64()
}

// incrementOnce runs one selection step and returns the chosen validator.
func (vals *ValidatorSet) incrementOnce() *Validator {
	for _, v := range vals.Validators {
		v.ProposerPriority = clipAdd(v.ProposerPriority, v.VotingPower)
	}
	var chosen *Validator
	for _, v := range vals.Validators {
		chosen = chosen.CompareProposerPriority(v)
	}
	chosen.ProposerPriority = clipSub(chosen.ProposerPriority, vals.TotalVotingPower())
	return chosen
}

// clipAdd returns a + b saturated to [MinInt64, MaxInt64].
func clipAdd(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

// clipSub returns a - b saturated to [MinInt64, MaxInt64].
func clipSub(a, b int64) int64 {
	d := a - b
	switch {
	case b > 0 && d > a:
		return math.MinInt64
	case b < 0 && d < a:
		return math.MaxInt64
	}
	return d
}
