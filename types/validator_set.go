package types

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/merkle"
)

const (
	// MaxTotalVotingPower is the largest total voting power a set may have (MaxInt64/8). The
	// bound keeps every priority computation of proposer_priority.go far from int64 overflow.
	MaxTotalVotingPower = int64(math.MaxInt64) / 8

	// PriorityWindowSizeFactor times the total voting power is the largest spread between the
	// highest and the lowest proposer priority that IncrementProposerPriority lets stand.
	PriorityWindowSizeFactor = 2
)

var (
	// ErrTotalVotingPowerOverflow is returned when a set's total voting power would exceed
	// MaxTotalVotingPower.
	ErrTotalVotingPowerOverflow = fmt.Errorf("total voting power exceeds the maximum %d", MaxTotalVotingPower)

	// ErrProposerNotInVals is returned by ValidateBasic when the proposer is not a member.
	ErrProposerNotInVals = errors.New("proposer is not in the validator set")

	// ErrEmptyValidatorSet is returned when a set has, or would end up with, no validators.
	ErrEmptyValidatorSet = errors.New("validator set is empty")
)

// ValidatorSet is the set of validators of one height, with their proposer priorities and the
// current proposer (consensus.md §9).
//
// Validators is kept sorted by voting power descending, then address ascending; an index into it
// is a validator's index in votes and commits for the whole height. Addresses are unique. Proposer
// is the validator chosen by the last IncrementProposerPriority and is an element of Validators.
//
// The exported fields are for reading (and for encoding); change a set only through its methods,
// which keep the order, the cached total voting power and the proposer consistent. A set is not
// safe for concurrent use; share a Copy.
type ValidatorSet struct {
	Validators []*Validator
	Proposer   *Validator

	// totalVotingPower caches the sum of the voting powers; 0 means not yet computed.
	totalVotingPower int64
}

// NewValidatorSet builds a set from vals: it applies them as a change set to an empty set (so
// every priority starts equal and is centred to 0) and then calls IncrementProposerPriority(1).
// vals is not modified. It fails on duplicate addresses, a zero or negative power, or a total
// power above MaxTotalVotingPower. An empty vals gives an empty set without a proposer.
func NewValidatorSet(vals []*Validator) (*ValidatorSet, error) {
	set := &ValidatorSet{}
	if err := set.updateWithChangeSet(vals, false); err != nil {
		return nil, fmt.Errorf("cannot create validator set: %w", err)
	}
	if len(vals) > 0 {
		set.IncrementProposerPriority(1)
	}
	return set, nil
}

// ValidateBasic checks that the set is non-empty, that every validator and the proposer pass
// Validator.ValidateBasic, that addresses are unique, that the total voting power is within
// MaxTotalVotingPower and that the proposer is a member.
func (vals *ValidatorSet) ValidateBasic() error {
	if vals.IsNilOrEmpty() {
		return ErrEmptyValidatorSet
	}
	seen := make(map[string]int, len(vals.Validators))
	for i, v := range vals.Validators {
		if err := v.ValidateBasic(); err != nil {
			return fmt.Errorf("invalid validator #%d: %w", i, err)
		}
		if j, dup := seen[string(v.Address)]; dup {
			return fmt.Errorf("duplicate validator %v at #%d and #%d", v.Address, j, i)
		}
		seen[string(v.Address)] = i
	}
	if _, err := sumVotingPower(vals.Validators); err != nil {
		return err
	}
	if err := vals.Proposer.ValidateBasic(); err != nil {
		return fmt.Errorf("invalid proposer: %w", err)
	}
	if !vals.HasAddress(vals.Proposer.Address) {
		return ErrProposerNotInVals
	}
	return nil
}

// IsNilOrEmpty reports whether vals is nil or has no validators.
func (vals *ValidatorSet) IsNilOrEmpty() bool {
	return vals == nil || len(vals.Validators) == 0
}

// Size returns the number of validators.
func (vals *ValidatorSet) Size() int {
	return len(vals.Validators)
}

// Copy returns a deep copy of the set (validators are copied; keys are shared, being immutable).
func (vals *ValidatorSet) Copy() *ValidatorSet {
	c := &ValidatorSet{
		Validators:       copyValidators(vals.Validators),
		totalVotingPower: vals.totalVotingPower,
	}
	if vals.Proposer != nil {
		if i, _ := vals.GetByAddress(vals.Proposer.Address); i >= 0 {
			c.Proposer = c.Validators[i]
		} else {
			c.Proposer = vals.Proposer.Copy()
		}
	}
	return c
}

// copyValidators deep-copies a validator list; nil stays nil.
func copyValidators(list []*Validator) []*Validator {
	if list == nil {
		return nil
	}
	out := make([]*Validator, len(list))
	for i, v := range list {
		out[i] = v.Copy()
	}
	return out
}

// HasAddress reports whether a validator with address is in the set.
func (vals *ValidatorSet) HasAddress(address []byte) bool {
	i, _ := vals.GetByAddress(address)
	return i >= 0
}

// GetByAddress returns the index of the validator with address and a copy of it, or -1 and nil.
func (vals *ValidatorSet) GetByAddress(address []byte) (int32, *Validator) {
	for i, v := range vals.Validators {
		if bytes.Equal(v.Address, address) {
			return int32(i), v.Copy()
		}
	}
	return -1, nil
}

// GetByIndex returns the address of the validator at index and a copy of it, or nil and nil when
// index is out of range.
func (vals *ValidatorSet) GetByIndex(index int32) (crypto.Address, *Validator) {
	if index < 0 || int(index) >= len(vals.Validators) {
		return nil, nil
	}
	v := vals.Validators[index]
	return v.Address, v.Copy()
}

// TotalVotingPower returns the sum of the voting powers. Sets built by this package (constructors,
// decoders, UpdateWithChangeSet) cache it and never exceed MaxTotalVotingPower; for a set
// assembled by hand it is recomputed on each call, saturating instead of overflowing. It never
// writes to the set.
func (vals *ValidatorSet) TotalVotingPower() int64 {
	if vals.totalVotingPower != 0 {
		return vals.totalVotingPower
	}
	var sum int64
	for _, v := range vals.Validators {
		sum = clipAdd(sum, v.VotingPower)
	}
	return sum
}

// updateTotalVotingPower recomputes the cached total, failing if it exceeds MaxTotalVotingPower.
func (vals *ValidatorSet) updateTotalVotingPower() error {
	sum, err := sumVotingPower(vals.Validators)
	if err != nil {
		return err
	}
	vals.totalVotingPower = sum
	return nil
}

// sumVotingPower adds the powers of list, failing with ErrTotalVotingPowerOverflow when a partial
// sum exceeds MaxTotalVotingPower.
func sumVotingPower(list []*Validator) (int64, error) {
	var sum int64
	for _, v := range list {
		sum = clipAdd(sum, v.VotingPower)
		if sum > MaxTotalVotingPower {
			return 0, ErrTotalVotingPowerOverflow
		}
	}
	return sum, nil
}

// GetProposer returns a copy of the current proposer, or nil for an empty set. When no proposer
// has been chosen yet it picks (and caches) the validator with the highest priority, the lower
// address winning ties.
func (vals *ValidatorSet) GetProposer() *Validator {
	if len(vals.Validators) == 0 {
		return nil
	}
	if vals.Proposer == nil {
		vals.Proposer = vals.findProposer()
	}
	return vals.Proposer.Copy()
}

// findProposer returns the member with the highest priority (lower address on ties).
func (vals *ValidatorSet) findProposer() *Validator {
	var best *Validator
	for _, v := range vals.Validators {
		if best == nil || !bytes.Equal(v.Address, best.Address) {
			best = best.CompareProposerPriority(v)
		}
	}
	return best
}

// Hash returns validators_hash: the RFC 6962 Merkle root of each validator's Bytes
// (proto(SimpleValidator{pub_key, voting_power})) in set order. An empty set hashes to
// SHA-256("").
func (vals *ValidatorSet) Hash() []byte {
	leaves := make([][]byte, len(vals.Validators))
	for i, v := range vals.Validators {
		leaves[i] = v.Bytes()
	}
	return merkle.HashFromByteSlices(leaves)
}

// String renders the set for logs.
func (vals *ValidatorSet) String() string {
	if vals == nil {
		return "nil-ValidatorSet"
	}
	var sb strings.Builder
	sb.WriteString("ValidatorSet{Proposer: ")
	sb.WriteString(vals.GetProposer().String())
	sb.WriteString(" Validators: [")
	for i, v := range vals.Validators {
		if i > 0 {
			sb.WriteString(" ")
		}
		sb.WriteString(v.String())
	}
	sb.WriteString("]}")
	return sb.String()
}
