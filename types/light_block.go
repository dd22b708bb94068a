package types

import (
	"bytes"
	"fmt"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// LightBlock is a signed header with the validator set that signed it. It is shared read-only.
type LightBlock struct {
	*SignedHeader `json:"signed_header"`
	ValidatorSet  *ValidatorSet `json:"validator_set"`
}

// ValidateBasic checks the signed header (SignedHeader.ValidateBasic with chainID), that the
// validator set is present and valid, and that its hash is the header's validators_hash. It does
// not verify signatures. Errors wrap ErrInvalidSignedHeader.
func (lb LightBlock) ValidateBasic(chainID string) error {
	if lb.SignedHeader == nil {
		return fmt.Errorf("%w: light block misses its signed header", ErrInvalidSignedHeader)
	}
	if lb.ValidatorSet == nil {
		return fmt.Errorf("%w: light block misses its validator set", ErrInvalidSignedHeader)
	}
	if err := lb.ValidatorSet.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: validator set: %w", ErrInvalidSignedHeader, err)
	}
	if err := lb.SignedHeader.ValidateBasic(chainID); err != nil {
		return err
	}
	if vh := lb.ValidatorSet.Hash(); !bytes.Equal(lb.ValidatorsHash, vh) {
		return fmt.Errorf("%w: header validators hash %X, validator set hash %X",
			ErrInvalidSignedHeader, []byte(lb.ValidatorsHash), vh)
	}
	return nil
}

// String returns a compact description for logs.
func (lb LightBlock) String() string {
	return fmt.Sprintf("LightBlock{%v, %v}", lb.SignedHeader, lb.ValidatorSet)
}

// ToProto returns the wire form; absent parts stay absent.
func (lb *LightBlock) ToProto() (*tmproto.LightBlock, error) {
	if lb == nil {
		return nil, nil
	}
	pb := &tmproto.LightBlock{SignedHeader: lb.SignedHeader.ToProto()}
	if lb.ValidatorSet != nil {
		vs, err := lb.ValidatorSet.ToProto()
		if err != nil {
			return nil, fmt.Errorf("light block validator set: %w", err)
		}
		pb.ValidatorSet = vs
	}
	return pb, nil
}

// LightBlockFromProto converts a wire light block. Present parts are converted (and checked) by
// SignedHeaderFromProto and ValidatorSetFromProto; absent parts stay nil and are reported by
// ValidateBasic. The result shares byte slices with pb.
func LightBlockFromProto(pb *tmproto.LightBlock) (*LightBlock, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil light block", ErrInvalidSignedHeader)
	}
	lb := &LightBlock{}
	if pb.SignedHeader != nil {
		sh, err := SignedHeaderFromProto(pb.SignedHeader)
		if err != nil {
			return nil, err
		}
		lb.SignedHeader = sh
	}
	if pb.ValidatorSet != nil {
		vs, err := ValidatorSetFromProto(pb.ValidatorSet)
		if err != nil {
			return nil, fmt.Errorf("%w: validator set: %w", ErrInvalidSignedHeader, err)
		}
		lb.ValidatorSet = vs
	}
	return lb, nil
}
