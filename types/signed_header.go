package types

import (
	"bytes"
	"errors"
	"fmt"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidSignedHeader wraps every error returned by SignedHeader.ValidateBasic,
// LightBlock.ValidateBasic and their FromProto functions.
var ErrInvalidSignedHeader = errors.New("invalid signed header")

// SignedHeader is a header with the commit that signed it (the light client's unit of trust).
// It is shared read-only.
type SignedHeader struct {
	*Header `json:"header"`
	Commit  *Commit `json:"commit"`
}

// ValidateBasic checks that header and commit are present and valid on their own, that the
// header is of chainID, and that the commit is for this header (same height, BlockID hash equal
// to the header hash). It does not verify signatures. Errors wrap ErrInvalidSignedHeader.
func (sh SignedHeader) ValidateBasic(chainID string) error {
	if sh.Header == nil {
		return fmt.Errorf("%w: missing header", ErrInvalidSignedHeader)
	}
	if sh.Commit == nil {
		return fmt.Errorf("%w: missing commit", ErrInvalidSignedHeader)
	}
	if err := sh.Header.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSignedHeader, err)
	}
	if err := sh.Commit.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSignedHeader, err)
	}
	if sh.ChainID != chainID {
		return fmt.Errorf("%w: header is of chain %q, not %q", ErrInvalidSignedHeader, sh.ChainID, chainID)
	}
	if sh.Commit.Height != sh.Height {
		return fmt.Errorf("%w: header height %d, commit height %d", ErrInvalidSignedHeader, sh.Height, sh.Commit.Height)
	}
	if hh, ch := sh.Hash(), sh.Commit.BlockID.Hash; !bytes.Equal(hh, ch) {
		return fmt.Errorf("%w: commit signs block %X, header is block %X", ErrInvalidSignedHeader, []byte(ch), []byte(hh))
	}
	return nil
}

// String returns a compact description for logs.
func (sh SignedHeader) String() string {
	return fmt.Sprintf("SignedHeader{%v, %v}", sh.Header, sh.Commit)
}

// ToProto returns the wire form; absent parts stay absent. It shares byte slices with sh.
func (sh *SignedHeader) ToProto() *tmproto.SignedHeader {
	if sh == nil {
		return nil
	}
	return &tmproto.SignedHeader{Header: sh.Header.ToProto(), Commit: sh.Commit.ToProto()}
}

// SignedHeaderFromProto converts a wire signed header. Present parts are converted (and so
// checked) by HeaderFromProto and CommitFromProto; absent parts stay nil and are reported by
// ValidateBasic. The result shares byte slices with pb.
func SignedHeaderFromProto(pb *tmproto.SignedHeader) (*SignedHeader, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil signed header", ErrInvalidSignedHeader)
	}
	sh := &SignedHeader{}
	if pb.Header != nil {
		h, err := HeaderFromProto(pb.Header)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidSignedHeader, err)
		}
		sh.Header = &h
	}
	if pb.Commit != nil {
		c, err := CommitFromProto(pb.Commit)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidSignedHeader, err)
		}
		sh.Commit = c
	}
	return sh, nil
}
