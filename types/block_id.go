package types

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidBlockID wraps every error returned by BlockID.ValidateBasic and
// PartSetHeader.ValidateBasic.
var ErrInvalidBlockID = errors.New("invalid block ID")

// PartSetHeader identifies the part set of a block: the number of parts and the Merkle root over
// the raw part bytes. The zero value is the header of no part set (used by nil votes).
type PartSetHeader struct {
	Total uint32          `json:"total"`
	Hash  crypto.HexBytes `json:"hash"`
}

// IsZero reports whether h is the zero header (no parts, no hash).
func (h PartSetHeader) IsZero() bool { return h.Total == 0 && len(h.Hash) == 0 }

// Equals reports whether h and o have the same total and hash.
func (h PartSetHeader) Equals(o PartSetHeader) bool {
	return h.Total == o.Total && bytes.Equal(h.Hash, o.Hash)
}

// ValidateBasic checks that the hash is empty or tmhash.Size bytes.
func (h PartSetHeader) ValidateBasic() error {
	if err := validateHash(h.Hash); err != nil {
		return fmt.Errorf("%w: part set header hash: %v", ErrInvalidBlockID, err)
	}
	return nil
}

// String returns "total:hash-prefix" for logs.
func (h PartSetHeader) String() string {
	return fmt.Sprintf("%d:%s", h.Total, shortHex(h.Hash))
}

// ToProto returns the wire form of h; it shares the hash bytes.
func (h PartSetHeader) ToProto() tmproto.PartSetHeader {
	return tmproto.PartSetHeader{Total: h.Total, Hash: h.Hash}
}

// PartSetHeaderFromProto converts a wire part set header and checks it with ValidateBasic. The
// result shares the hash bytes with pb.
func PartSetHeaderFromProto(pb *tmproto.PartSetHeader) (PartSetHeader, error) {
	if pb == nil {
		return PartSetHeader{}, fmt.Errorf("%w: nil part set header", ErrInvalidBlockID)
	}
	h := PartSetHeader{Total: pb.Total, Hash: pb.Hash}
	if err := h.ValidateBasic(); err != nil {
		return PartSetHeader{}, err
	}
	return h, nil
}

// BlockID identifies a block: the header hash and the header of the block's part set. The zero
// value is the ID a nil vote carries.
type BlockID struct {
	Hash          crypto.HexBytes `json:"hash"`
	PartSetHeader PartSetHeader   `json:"parts"`
}

// IsNil reports whether id is the zero BlockID (a vote for nil): empty hash and zero part set
// header.
func (id BlockID) IsNil() bool { return len(id.Hash) == 0 && id.PartSetHeader.IsZero() }

// IsComplete reports whether id names a real block: a tmhash.Size-byte hash, at least one part
// and a tmhash.Size-byte part set hash.
func (id BlockID) IsComplete() bool {
	return len(id.Hash) == tmhash.Size &&
		id.PartSetHeader.Total > 0 &&
		len(id.PartSetHeader.Hash) == tmhash.Size
}

// Equals reports whether id and o are the same ID.
func (id BlockID) Equals(o BlockID) bool {
	return bytes.Equal(id.Hash, o.Hash) && id.PartSetHeader.Equals(o.PartSetHeader)
}

// Key returns a string usable as a map key and for ordering: the raw hash bytes followed by the
// proto encoding of the part set header (CometBFT's BlockID.Key, which orders the votes of
// duplicate-vote evidence).
func (id BlockID) Key() string {
	psh := id.PartSetHeader.ToProto()
	bz, err := psh.Marshal()
	if err != nil {
		panic(fmt.Sprintf("types: encoding part set header: %v", err)) // scalars and bytes only
	}
	return string(id.Hash) + string(bz)
}

// ValidateBasic checks that the hashes are empty or tmhash.Size bytes. It accepts both the zero ID
// and incomplete IDs; callers that need a real block check IsComplete.
func (id BlockID) ValidateBasic() error {
	if err := validateHash(id.Hash); err != nil {
		return fmt.Errorf("%w: hash: %v", ErrInvalidBlockID, err)
	}
	return id.PartSetHeader.ValidateBasic()
}

// String returns "hash:total:psh-hash" with shortened hashes, for logs.
func (id BlockID) String() string {
	return fmt.Sprintf("%s:%s", shortHex(id.Hash), id.PartSetHeader)
}

// ToProto returns the wire form of id; it shares the hash bytes.
func (id BlockID) ToProto() tmproto.BlockID {
	return tmproto.BlockID{Hash: id.Hash, PartSetHeader: id.PartSetHeader.ToProto()}
}

// BlockIDFromProto converts a wire block ID and checks it with ValidateBasic. The result shares
// the hash bytes with pb.
func BlockIDFromProto(pb *tmproto.BlockID) (BlockID, error) {
	if pb == nil {
		return BlockID{}, fmt.Errorf("%w: nil block ID", ErrInvalidBlockID)
	}
	id := BlockID{Hash: pb.Hash, PartSetHeader: PartSetHeader{Total: pb.PartSetHeader.Total, Hash: pb.PartSetHeader.Hash}}
	if err := id.ValidateBasic(); err != nil {
		return BlockID{}, err
	}
	return id, nil
}

// validateHash accepts an empty hash or one of tmhash.Size bytes.
func validateHash(h []byte) error {
	if len(h) > 0 && len(h) != tmhash.Size {
		return fmt.Errorf("expected %d bytes or none, got %d", tmhash.Size, len(h))
	}
	return nil
}

// shortHex renders the first 6 bytes of b as uppercase hex, for logs.
func shortHex(b []byte) string {
	if len(b) > 6 {
		b = b[:6]
	}
	return fmt.Sprintf("%X", b)
}

// clone returns a copy of id that shares no memory with it.
func (id BlockID) clone() BlockID {
	return BlockID{
		Hash:          bytes.Clone(id.Hash),
		PartSetHeader: PartSetHeader{Total: id.PartSetHeader.Total, Hash: bytes.Clone(id.PartSetHeader.Hash)},
	}
}
