package types

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ballot-bft/ballot/crypto/merkle"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	"github.com/ballot-bft/ballot/libs/bits"
)

var (
	// ErrPartSetUnexpectedIndex is returned (wrapped) by AddPart for a part whose index is not
	// below the set's total.
	ErrPartSetUnexpectedIndex = errors.New("part index out of range")
	// ErrPartSetInvalidProof is returned (wrapped) by AddPart for a part whose proof does not
	// place it in this set.
	ErrPartSetInvalidProof = errors.New("part proof does not match the part set")
	// ErrPartSetIncomplete is returned (wrapped) when the bytes of an incomplete set are asked for.
	ErrPartSetIncomplete = errors.New("part set incomplete")
	// ErrInvalidPartSetHeader is returned (wrapped) by NewPartSetFromHeader for a header no valid
	// block has.
	ErrInvalidPartSetHeader = errors.New("invalid part set header")
)

// PartSet is a block split into parts: either built whole from the block's bytes
// (NewPartSetFromData) or filled part by part as they arrive from peers (NewPartSetFromHeader and
// AddPart).
//
// A PartSet is not safe for concurrent use: its owner serializes calls. Once IsComplete it no
// longer changes, and may then be read from several goroutines.
type PartSet struct {
	total    uint32
	hash     []byte
	parts    []*Part
	have     *bits.BitArray
	count    uint32
	byteSize int64
}

// NewPartSetFromData splits data into parts of partSize bytes (the last may be shorter), computes
// the Merkle root over the raw parts and gives each part its proof. The parts share memory with
// data, which the caller must not modify afterwards. partSize must be positive; consensus uses
// BlockPartSizeBytes.
func NewPartSetFromData(data []byte, partSize uint32) *PartSet {
	if partSize == 0 {
		panic("types: NewPartSetFromData with part size 0")
	}
	total := uint32((int64(len(data)) + int64(partSize) - 1) / int64(partSize))
	chunks := make([][]byte, total)
	for i := range chunks {
		start := int64(i) * int64(partSize)
		end := min(start+int64(partSize), int64(len(data)))
		chunks[i] = data[start:end:end]
	}
	root, proofs := merkle.ProofsFromByteSlices(chunks)
	ps := &PartSet{
		total:    total,
		hash:     root,
		parts:    make([]*Part, total),
		have:     bits.New(int(total)),
		count:    total,
		byteSize: int64(len(data)),
	}
	for i, chunk := range chunks {
		ps.parts[i] = &Part{Index: uint32(i), Bytes: chunk, Proof: *proofs[i]}
		ps.have.SetIndex(i, true)
	}
	return ps
}

// NewPartSetFromHeader returns an empty set that accepts the parts of the block identified by
// header. It fails when the header cannot belong to a valid block: no parts, more than
// MaxBlockPartsCount parts, or a hash that is not tmhash.Size bytes. Callers that know a tighter
// bound (from block.max_bytes) check it before calling.
func NewPartSetFromHeader(header PartSetHeader) (*PartSet, error) {
	switch {
	case header.Total == 0:
		return nil, fmt.Errorf("%w: zero parts", ErrInvalidPartSetHeader)
	case header.Total > MaxBlockPartsCount:
		return nil, fmt.Errorf("%w: %d parts, at most %d allowed", ErrInvalidPartSetHeader, header.Total, MaxBlockPartsCount)
	case len(header.Hash) != tmhash.Size:
		return nil, fmt.Errorf("%w: hash has %d bytes, want %d", ErrInvalidPartSetHeader, len(header.Hash), tmhash.Size)
	}
	return &PartSet{
		total: header.Total,
		hash:  bytes.Clone(header.Hash),
		parts: make([]*Part, header.Total),
		have:  bits.New(int(header.Total)),
	}, nil
}

// Header returns the set's part set header (total and Merkle root).
func (ps *PartSet) Header() PartSetHeader {
	return PartSetHeader{Total: ps.total, Hash: bytes.Clone(ps.hash)}
}

// HasHeader reports whether the set is the one header identifies.
func (ps *PartSet) HasHeader(header PartSetHeader) bool {
	return ps.total == header.Total && bytes.Equal(ps.hash, header.Hash)
}

// Hash returns the Merkle root over the parts. The result must not be modified.
func (ps *PartSet) Hash() []byte { return ps.hash }

// Total returns the number of parts of the whole block.
func (ps *PartSet) Total() uint32 { return ps.total }

// Count returns the number of parts held.
func (ps *PartSet) Count() uint32 { return ps.count }

// ByteSize returns the number of block bytes held.
func (ps *PartSet) ByteSize() int64 { return ps.byteSize }

// IsComplete reports whether every part is held.
func (ps *PartSet) IsComplete() bool { return ps.count == ps.total }

// BitArray returns a copy of the set of held part indexes.
func (ps *PartSet) BitArray() *bits.BitArray { return ps.have.Copy() }

// GetPart returns the part at index, or nil when it is not held or out of range. The part is
// shared and must not be modified.
func (ps *PartSet) GetPart(index int) *Part {
	if index < 0 || index >= len(ps.parts) {
		return nil
	}
	return ps.parts[index]
}

// AddPart adds a part received from a peer. It returns true when the part was new and valid,
// false with a nil error for a part already held, and an error (leaving the set unchanged) when
// the part is invalid: ErrPartSetUnexpectedIndex for an index not below the total,
// ErrInvalidPart for wrong sizes or a malformed proof, ErrPartSetInvalidProof for a proof of
// another set or of other bytes. Parts are kept as given and must not be modified afterwards.
func (ps *PartSet) AddPart(part *Part) (bool, error) {
	if part == nil {
		return false, fmt.Errorf("%w: nil part", ErrInvalidPart)
	}
	if part.Index >= ps.total {
		return false, fmt.Errorf("%w: index %d, total %d", ErrPartSetUnexpectedIndex, part.Index, ps.total)
	}
	if ps.parts[part.Index] != nil {
		return false, nil
	}
	if part.Proof.Total != int64(ps.total) {
		return false, fmt.Errorf("%w: proof total %d, set total %d", ErrPartSetInvalidProof, part.Proof.Total, ps.total)
	}
	if err := part.ValidateBasic(); err != nil {
		return false, err
	}
	if err := part.Proof.Verify(ps.hash, part.Bytes); err != nil {
		return false, fmt.Errorf("%w: part %d: %w", ErrPartSetInvalidProof, part.Index, err)
	}
	ps.parts[part.Index] = part
	ps.have.SetIndex(int(part.Index), true)
	ps.count++
	ps.byteSize += int64(len(part.Bytes))
	return true, nil
}

// GetReader returns a reader over the whole block's bytes, or ErrPartSetIncomplete.
func (ps *PartSet) GetReader() (io.Reader, error) {
	if !ps.IsComplete() {
		return nil, fmt.Errorf("%w: %d of %d parts", ErrPartSetIncomplete, ps.count, ps.total)
	}
	readers := make([]io.Reader, len(ps.parts))
	for i, p := range ps.parts {
		readers[i] = bytes.NewReader(p.Bytes)
	}
	return io.MultiReader(readers...), nil
}

// Bytes returns the whole block's bytes in a new slice, or ErrPartSetIncomplete.
func (ps *PartSet) Bytes() ([]byte, error) {
	if !ps.IsComplete() {
		return nil, fmt.Errorf("%w: %d of %d parts", ErrPartSetIncomplete, ps.count, ps.total)
	}
	out := make([]byte, 0, ps.byteSize)
	for _, p := range ps.parts {
		out = append(out, p.Bytes...)
	}
	return out, nil
}

// String returns a compact description for logs.
func (ps *PartSet) String() string {
	return fmt.Sprintf("PartSet{%d/%d, %s}", ps.count, ps.total, shortHex(ps.hash))
}
