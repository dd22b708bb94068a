package merkle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// MaxAunts is the largest number of aunts a valid Proof may carry.
const MaxAunts = 100

var (
	// ErrInvalidProof is returned (wrapped) by ValidateBasic, ProofFromProto
	// and Verify when a proof is malformed.
	ErrInvalidProof = errors.New("invalid merkle proof")
	// ErrProofMismatch is returned (wrapped) by Verify when a well-formed
	// proof does not prove the given leaf under the given root.
	ErrProofMismatch = errors.New("merkle proof does not match")
)

// Proof proves that a leaf is the Index-th of Total leaves under a root.
// Aunts run from the leaf's sibling up to the root's child.
//
// Proofs built by ProofsFromByteSlices share aunt slices with each other:
// treat every byte slice in a Proof as read-only.
type Proof struct {
	Total    int64    `json:"total,string"`
	Index    int64    `json:"index,string"`
	LeafHash []byte   `json:"leaf_hash"`
	Aunts    [][]byte `json:"aunts,omitempty"`
}

// ProofsFromByteSlices returns the root of items (as HashFromByteSlices) and
// one proof per item, in item order. An empty list yields the empty-tree root
// and no proofs.
func ProofsFromByteSlices(items [][]byte) (root []byte, proofs []*Proof) {
	n := len(items)
	if n == 0 {
		return emptyHash(), nil
	}
	leaves := make([]byte, n*HashSize)
	h := sha256.New()
	for i, item := range items {
		leafHashTo(h, leaves[i*HashSize:i*HashSize], item)
	}
	proofs = make([]*Proof, n)
	depth := 0
	for m := n; m > 1; m = (m + 1) / 2 {
		depth++
	}
	for i := range proofs {
		proofs[i] = &Proof{
			Total:    int64(n),
			Index:    int64(i),
			LeafHash: leaves[i*HashSize : (i+1)*HashSize : (i+1)*HashSize],
			Aunts:    make([][]byte, 0, depth),
		}
	}
	root = bytes.Clone(buildProofs(proofs, leaves)) // never alias a proof's bytes
	return root, proofs
}

// buildProofs returns the root of the subtree whose leaves have the hashes
// in leaves (HashSize bytes each) and appends, to the proof of each of those
// leaves, the aunts inside that subtree. Deeper aunts are appended first.
func buildProofs(proofs []*Proof, leaves []byte) []byte {
	n := int64(len(proofs))
	if n == 1 {
		return leaves[:HashSize:HashSize]
	}
	k := splitPoint(n)
	left := buildProofs(proofs[:k], leaves[:k*HashSize])
	right := buildProofs(proofs[k:], leaves[k*HashSize:])
	for _, p := range proofs[:k] {
		p.Aunts = append(p.Aunts, right)
	}
	for _, p := range proofs[k:] {
		p.Aunts = append(p.Aunts, left)
	}
	return InnerHash(left, right)
}

// ValidateBasic checks the proof's shape: non-negative Total and Index, a
// HashSize-byte LeafHash, at most MaxAunts aunts of HashSize bytes each. It
// does not check that Index < Total; Verify does.
func (p *Proof) ValidateBasic() error {
	switch {
	case p == nil:
		return fmt.Errorf("%w: nil proof", ErrInvalidProof)
	case p.Total < 0:
		return fmt.Errorf("%w: negative total %d", ErrInvalidProof, p.Total)
	case p.Index < 0:
		return fmt.Errorf("%w: negative index %d", ErrInvalidProof, p.Index)
	case len(p.LeafHash) != HashSize:
		return fmt.Errorf("%w: leaf hash has %d bytes, want %d", ErrInvalidProof, len(p.LeafHash), HashSize)
	case len(p.Aunts) > MaxAunts:
		return fmt.Errorf("%w: %d aunts, at most %d allowed", ErrInvalidProof, len(p.Aunts), MaxAunts)
	}
	for i, aunt := range p.Aunts {
		if len(aunt) != HashSize {
			return fmt.Errorf("%w: aunt %d has %d bytes, want %d", ErrInvalidProof, i, len(aunt), HashSize)
		}
	}
	return nil
}

// Verify checks that leaf is the Index-th of Total leaves under rootHash.
// The root does not commit to the number of leaves: a proof may still verify
// with a different Total that gives the same path shape, so callers that
// rely on Total must compare it with the count they expect.
// It returns an error wrapping ErrInvalidProof when the proof is malformed
// and ErrProofMismatch when it is well formed but proves something else.
func (p *Proof) Verify(rootHash, leaf []byte) error {
	if err := p.ValidateBasic(); err != nil {
		return err
	}
	if p.Index >= p.Total {
		return fmt.Errorf("%w: index %d not below total %d", ErrInvalidProof, p.Index, p.Total)
	}
	if lh := LeafHash(leaf); !bytes.Equal(lh, p.LeafHash) {
		return fmt.Errorf("%w: leaf hashes to %X, proof has leaf hash %X", ErrProofMismatch, lh, p.LeafHash)
	}
	computed := p.ComputeRootHash()
	if computed == nil {
		return fmt.Errorf("%w: %d aunts do not fit index %d of %d leaves", ErrInvalidProof, len(p.Aunts), p.Index, p.Total)
	}
	if !bytes.Equal(computed, rootHash) {
		return fmt.Errorf("%w: proof computes root %X, want %X", ErrProofMismatch, computed, rootHash)
	}
	return nil
}

// ComputeRootHash returns the root implied by LeafHash and Aunts at Index of
// Total, or nil when the aunt count does not fit the tree shape or the index
// is out of range.
func (p *Proof) ComputeRootHash() []byte {
	if p == nil {
		return nil
	}
	return rootFromAunts(p.Index, p.Total, p.LeafHash, p.Aunts)
}

// rootFromAunts recomputes a root following the split rule from the top:
// the last aunt is the sibling of the subtree holding index at this level.
func rootFromAunts(index, total int64, leafHash []byte, aunts [][]byte) []byte {
	if index < 0 || index >= total {
		return nil
	}
	if total == 1 {
		if len(aunts) != 0 {
			return nil
		}
		return leafHash
	}
	if len(aunts) == 0 {
		return nil
	}
	k := splitPoint(total)
	rest, sibling := aunts[:len(aunts)-1], aunts[len(aunts)-1]
	if index < k {
		left := rootFromAunts(index, k, leafHash, rest)
		if left == nil {
			return nil
		}
		return InnerHash(left, sibling)
	}
	right := rootFromAunts(index-k, total-k, leafHash, rest)
	if right == nil {
		return nil
	}
	return InnerHash(sibling, right)
}

// ToProto returns the wire form of p. The result shares byte slices with p.
func (p *Proof) ToProto() *pcrypto.Proof {
	if p == nil {
		return nil
	}
	return &pcrypto.Proof{
		Total:    p.Total,
		Index:    p.Index,
		LeafHash: p.LeafHash,
		Aunts:    p.Aunts,
	}
}

// ProofFromProto converts a wire proof and checks it with ValidateBasic. The
// result shares byte slices with pb.
func ProofFromProto(pb *pcrypto.Proof) (*Proof, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil proof", ErrInvalidProof)
	}
	p := &Proof{
		Total:    pb.Total,
		Index:    pb.Index,
		LeafHash: pb.LeafHash,
		Aunts:    pb.Aunts,
	}
	if err := p.ValidateBasic(); err != nil {
		return nil, err
	}
	return p, nil
}

// String returns a compact description for logs.
func (p *Proof) String() string {
	if p == nil {
		return "Proof<nil>"
	}
	return fmt.Sprintf("Proof{total: %d, index: %d, leaf: %X, aunts: %d}", p.Total, p.Index, p.LeafHash, len(p.Aunts))
}
