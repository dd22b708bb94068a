package merkle

import (
	"bytes"
	"testing"

	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// FuzzProofFromProto decodes arbitrary bytes as a wire proof and verifies it
// against an arbitrary root and leaf: nothing may panic, and an accepted
// proof must be internally consistent.
func FuzzProofFromProto(f *testing.F) {
	items := itemsOfSize(7)
	root, proofs := ProofsFromByteSlices(items)
	for i, p := range proofs {
		bz, err := p.ToProto().Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz, root, items[i])
	}
	f.Add([]byte{}, []byte{}, []byte{})
	f.Add([]byte{0x08, 0x01, 0x10, 0x01}, root, items[0])
	f.Fuzz(func(t *testing.T, bz, root, leaf []byte) {
		var pb pcrypto.Proof
		if err := pb.Unmarshal(bz); err != nil {
			return
		}
		p, err := ProofFromProto(&pb)
		if err != nil {
			return
		}
		if err := p.ValidateBasic(); err != nil {
			t.Fatalf("ProofFromProto accepted a proof failing ValidateBasic: %v", err)
		}
		if err := p.Verify(root, leaf); err != nil {
			return
		}
		if !bytes.Equal(p.ComputeRootHash(), root) || !bytes.Equal(LeafHash(leaf), p.LeafHash) {
			t.Fatalf("Verify accepted an inconsistent proof %v", p)
		}
	})
}
