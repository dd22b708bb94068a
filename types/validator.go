package types

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
)

// Validator is one member of a ValidatorSet: a public key with its voting power and its current
// proposer priority (consensus.md §9).
//
// Address must be PubKey.Address(); ValidateBasic checks it. Only the public key and voting power
// are hashed into validators_hash (see Bytes); the address and the priority are not.
//
// A Validator inside a ValidatorSet is owned by that set: read it, or Copy it before changing it.
type Validator struct {
	Address          crypto.Address
	PubKey           crypto.PubKey
	VotingPower      int64
	ProposerPriority int64
}

// NewValidator returns a validator for pubKey with the given voting power and priority 0.
func NewValidator(pubKey crypto.PubKey, votingPower int64) *Validator {
	return &Validator{
		Address:     pubKey.Address(),
		PubKey:      pubKey,
		VotingPower: votingPower,
	}
}

// ValidateBasic checks that v is non-nil, has a public key and a non-negative voting power, and
// that its address is derived from its key.
func (v *Validator) ValidateBasic() error {
	if v == nil {
		return errors.New("nil validator")
	}
	if v.PubKey == nil {
		return fmt.Errorf("validator %v has no public key", v.Address)
	}
	if v.VotingPower < 0 {
		return fmt.Errorf("validator %v has negative voting power %d", v.Address, v.VotingPower)
	}
	if want := v.PubKey.Address(); !bytes.Equal(v.Address, want) {
		return fmt.Errorf("validator address %v is not derived from its public key (want %v)", v.Address, want)
	}
	return nil
}

// Copy returns a shallow copy of v: the address bytes and the (immutable) key are shared.
func (v *Validator) Copy() *Validator {
	c := *v
	return &c
}

// CompareProposerPriority returns whichever of v and other has the higher proposer priority; on a
// tie the one with the lower address wins. A nil v yields other. Comparing two validators with
// the same address breaks the set's uniqueness invariant and panics.
func (v *Validator) CompareProposerPriority(other *Validator) *Validator {
	if v == nil {
		return other
	}
	switch {
	case v.ProposerPriority > other.ProposerPriority:
		return v
	case v.ProposerPriority < other.ProposerPriority:
		return other
	}
	switch bytes.Compare(v.Address, other.Address) {
	case -1:
		return v
	case 1:
		return other
	}
	panic(fmt.Sprintf("types: comparing proposer priority of two validators with address %v", v.Address))
}

// String renders v for logs as Validator{ADDRESS PUBKEY VP:power A:priority}.
func (v *Validator) String() string {
	if v == nil {
		return "nil-Validator"
	}
	return fmt.Sprintf("Validator{%v %v VP:%d A:%d}", v.Address, v.PubKey, v.VotingPower, v.ProposerPriority)
}

// lessByPowerThenAddress is the validator-set order: voting power descending, then address
// ascending. It is also the index order of votes and commit signatures.
func lessByPowerThenAddress(a, b *Validator) int {
	switch {
	case a.VotingPower > b.VotingPower:
		return -1
	case a.VotingPower < b.VotingPower:
		return 1
	}
	return bytes.Compare(a.Address, b.Address)
}

// compareByAddress orders validators by address ascending.
func compareByAddress(a, b *Validator) int {
	return bytes.Compare(a.Address, b.Address)
}
