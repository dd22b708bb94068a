package types

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto/encoding"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Bytes returns the validator's leaf in validators_hash: proto(SimpleValidator{pub_key,
// voting_power}). It returns nil when the key is missing or of a type without a protobuf form,
// which makes such a set's hash unusable rather than panicking.
func (v *Validator) Bytes() []byte {
	if v.PubKey == nil {
		return nil
	}
	pk, err := encoding.PubKeyToProto(v.PubKey)
	if err != nil {
		return nil
	}
	bz, err := (&tmproto.SimpleValidator{PubKey: &pk, VotingPower: v.VotingPower}).Marshal()
	if err != nil {
		panic(fmt.Sprintf("types: encoding SimpleValidator: %v", err))
	}
	return bz
}

// ToProto returns the wire form of v. It fails for a nil validator or a missing or unsupported
// key. The result shares the address bytes with v.
func (v *Validator) ToProto() (*tmproto.Validator, error) {
	if v == nil {
		return nil, errors.New("nil validator")
	}
	if v.PubKey == nil {
		return nil, fmt.Errorf("validator %v has no public key", v.Address)
	}
	pk, err := encoding.PubKeyToProto(v.PubKey)
	if err != nil {
		return nil, fmt.Errorf("validator %v: %w", v.Address, err)
	}
	return &tmproto.Validator{
		Address:          v.Address,
		PubKey:           pk,
		VotingPower:      v.VotingPower,
		ProposerPriority: v.ProposerPriority,
	}, nil
}

// ValidatorFromProto converts the wire form. It fails for nil or an unknown or malformed key; it
// does not run ValidateBasic.
func ValidatorFromProto(pb *tmproto.Validator) (*Validator, error) {
	if pb == nil {
		return nil, errors.New("nil validator")
	}
	pk, err := encoding.PubKeyFromProto(pb.PubKey)
	if err != nil {
		return nil, fmt.Errorf("validator %X: %w", pb.Address, err)
	}
	return &Validator{
		Address:          pb.Address,
		PubKey:           pk,
		VotingPower:      pb.VotingPower,
		ProposerPriority: pb.ProposerPriority,
	}, nil
}

// ToProto returns the wire form of the set. total_voting_power is always written as 0, as
// CometBFT does (the stored bytes must not depend on the cache); decoders recompute it. An empty
// set gives an empty message.
func (vals *ValidatorSet) ToProto() (*tmproto.ValidatorSet, error) {
	if vals.IsNilOrEmpty() {
		return &tmproto.ValidatorSet{}, nil
	}
	pb := &tmproto.ValidatorSet{Validators: make([]*tmproto.Validator, len(vals.Validators))}
	for i, v := range vals.Validators {
		vp, err := v.ToProto()
		if err != nil {
			return nil, fmt.Errorf("validator #%d: %w", i, err)
		}
		pb.Validators[i] = vp
	}
	proposer, err := vals.GetProposer().ToProto()
	if err != nil {
		return nil, fmt.Errorf("proposer: %w", err)
	}
	pb.Proposer = proposer
	return pb, nil
}

// ValidatorSetFromProto converts the wire form and checks the result with ValidateBasic (so a
// decoded set is non-empty, has unique valid members, a member proposer and a total power within
// MaxTotalVotingPower). The encoded total_voting_power is ignored and recomputed. The validators
// are taken in the encoded order.
func ValidatorSetFromProto(pb *tmproto.ValidatorSet) (*ValidatorSet, error) {
	if pb == nil {
		return nil, errors.New("nil validator set")
	}
	vals := &ValidatorSet{Validators: make([]*Validator, len(pb.Validators))}
	for i, vp := range pb.Validators {
		v, err := ValidatorFromProto(vp)
		if err != nil {
			return nil, fmt.Errorf("validator #%d: %w", i, err)
		}
		vals.Validators[i] = v
	}
	proposer, err := ValidatorFromProto(pb.Proposer)
	if err != nil {
		return nil, fmt.Errorf("proposer: %w", err)
	}
	vals.Proposer = proposer
	if err := vals.ValidateBasic(); err != nil {
		return nil, err
	}
	if err := vals.updateTotalVotingPower(); err != nil {
		return nil, err
	}
	// Keep Proposer an element of the set, as the methods expect.
	i, _ := vals.GetByAddress(proposer.Address)
	vals.Proposer = vals.Validators[i]
	return vals, nil
}
