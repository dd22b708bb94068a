package merkle

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

func itemsOfSize(n int) [][]byte {
	items := make([][]byte, n)
	for i := range items {
		items[i] = []byte(fmt.Sprintf("item-%d", i))
	}
	return items
}

func cloneProof(p *Proof) *Proof {
	c := &Proof{Total: p.Total, Index: p.Index, LeafHash: bytes.Clone(p.LeafHash)}
	for _, a := range p.Aunts {
		c.Aunts = append(c.Aunts, bytes.Clone(a))
	}
	return c
}

func TestProofsVerifyEveryIndex(t *testing.T) {
	for n := 1; n <= 100; n++ {
		items := itemsOfSize(n)
		root, proofs := ProofsFromByteSlices(items)
		if len(proofs) != n {
			t.Fatalf("n=%d: %d proofs", n, len(proofs))
		}
		for i, p := range proofs {
			if p.Total != int64(n) || p.Index != int64(i) {
				t.Fatalf("n=%d i=%d: proof has total %d index %d", n, i, p.Total, p.Index)
			}
			if err := p.Verify(root, items[i]); err != nil {
				t.Fatalf("n=%d i=%d: valid proof rejected: %v", n, i, err)
			}
			if !bytes.Equal(p.ComputeRootHash(), root) {
				t.Fatalf("n=%d i=%d: ComputeRootHash mismatch", n, i)
			}
			wantAunts := naiveAunts(items, i)
			if len(wantAunts) != len(p.Aunts) {
				t.Fatalf("n=%d i=%d: %d aunts, naive has %d", n, i, len(p.Aunts), len(wantAunts))
			}
			for j := range wantAunts {
				if !bytes.Equal(wantAunts[j], p.Aunts[j]) {
					t.Fatalf("n=%d i=%d: aunt %d differs from naive", n, i, j)
				}
			}
		}
	}
}

func TestProofsRejectTampering(t *testing.T) {
	for n := 1; n <= 100; n++ {
		items := itemsOfSize(n)
		root, proofs := ProofsFromByteSlices(items)
		for i, orig := range proofs {
			check := func(what string, p *Proof, root, leaf []byte) {
				t.Helper()
				if err := p.Verify(root, leaf); err == nil {
					t.Fatalf("n=%d i=%d: %s accepted", n, i, what)
				}
			}
			check("other leaf", orig, root, []byte("not an item"))
			if n > 1 {
				check("neighbour's leaf", orig, root, items[(i+1)%n])
			}
			badRoot := bytes.Clone(root)
			badRoot[0] ^= 1
			check("wrong root", orig, badRoot, items[i])

			p := cloneProof(orig)
			p.LeafHash[5] ^= 0x10
			check("flipped leaf hash", p, root, items[i])

			for j := range orig.Aunts {
				p := cloneProof(orig)
				p.Aunts[j][31] ^= 0x80
				check(fmt.Sprintf("flipped aunt %d", j), p, root, items[i])
			}
			if len(orig.Aunts) > 0 {
				p := cloneProof(orig)
				p.Aunts = p.Aunts[:len(p.Aunts)-1]
				check("missing aunt", p, root, items[i])
			}
			p = cloneProof(orig)
			p.Aunts = append(p.Aunts, bytes.Repeat([]byte{7}, HashSize))
			check("extra aunt", p, root, items[i])

			p = cloneProof(orig)
			p.Index = int64(n)
			check("index = total", p, root, items[i])
			if n > 1 {
				p = cloneProof(orig)
				p.Index = int64((i + 1) % n)
				check("other index", p, root, items[i])
			}
		}
	}
}

func TestProofTotalNotBoundByRoot(t *testing.T) {
	// The root commits to leaves, not to their count: the proof of index 0 of
	// 3 leaves (aunts h(b), h(c)) also fits index 0 of 4 leaves, whose right
	// subtree is then read as the single leaf c. Verify must accept it, as the
	// reference scheme does; callers that care about Total compare it
	// themselves (as part sets do with their header's total).
	items := itemsOfSize(3)
	root, proofs := ProofsFromByteSlices(items)
	p := cloneProof(proofs[0])
	p.Total = 4
	if err := p.Verify(root, items[0]); err != nil {
		t.Fatalf("same-shape proof with total 4 rejected: %v", err)
	}
	// A total that changes the shape no longer fits.
	p.Total = 5
	if err := p.Verify(root, items[0]); err == nil {
		t.Fatal("proof with total 5 accepted")
	}
}

func TestProofVerifyErrors(t *testing.T) {
	items := itemsOfSize(5)
	root, proofs := ProofsFromByteSlices(items)
	if err := proofs[2].Verify(root, items[3]); !errors.Is(err, ErrProofMismatch) {
		t.Fatalf("wrong leaf: err = %v, want ErrProofMismatch", err)
	}
	p := cloneProof(proofs[2])
	p.Aunts = p.Aunts[:1]
	if err := p.Verify(root, items[2]); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("short aunts: err = %v, want ErrInvalidProof", err)
	}
	var nilProof *Proof
	if err := nilProof.Verify(root, items[0]); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("nil proof: err = %v, want ErrInvalidProof", err)
	}
	if nilProof.ComputeRootHash() != nil {
		t.Fatal("nil proof computed a root")
	}
}

func TestProofValidateBasic(t *testing.T) {
	hash := bytes.Repeat([]byte{1}, HashSize)
	tooMany := make([][]byte, MaxAunts+1)
	for i := range tooMany {
		tooMany[i] = hash
	}
	tests := []struct {
		name    string
		proof   *Proof
		wantErr string
	}{
		{"ok", &Proof{Total: 3, Index: 1, LeafHash: hash, Aunts: [][]byte{hash}}, ""},
		{"max aunts", &Proof{Total: 1, LeafHash: hash, Aunts: tooMany[:MaxAunts]}, ""},
		{"negative total", &Proof{Total: -1, LeafHash: hash}, "negative total"},
		{"negative index", &Proof{Total: 1, Index: -1, LeafHash: hash}, "negative index"},
		{"short leaf hash", &Proof{Total: 1, LeafHash: hash[:31]}, "leaf hash has 31 bytes"},
		{"missing leaf hash", &Proof{Total: 1}, "leaf hash has 0 bytes"},
		{"too many aunts", &Proof{Total: 1, LeafHash: hash, Aunts: tooMany}, "101 aunts"},
		{"short aunt", &Proof{Total: 2, LeafHash: hash, Aunts: [][]byte{hash[:5]}}, "aunt 0 has 5 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.proof.ValidateBasic()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidProof) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want ErrInvalidProof containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestProofProtoRoundTrip(t *testing.T) {
	seed := uint64(7)
	rng := rand.New(rand.NewPCG(seed, seed))
	items := randomItems(rng, 37)
	root, proofs := ProofsFromByteSlices(items)
	for i, p := range proofs {
		bz, err := p.ToProto().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var pb pcrypto.Proof
		if err := pb.Unmarshal(bz); err != nil {
			t.Fatal(err)
		}
		back, err := ProofFromProto(&pb)
		if err != nil {
			t.Fatalf("i=%d: %v", i, err)
		}
		if back.Total != p.Total || back.Index != p.Index || !bytes.Equal(back.LeafHash, p.LeafHash) || len(back.Aunts) != len(p.Aunts) {
			t.Fatalf("i=%d: round trip %v, want %v", i, back, p)
		}
		if err := back.Verify(root, items[i]); err != nil {
			t.Fatalf("i=%d: round-tripped proof rejected: %v", i, err)
		}
	}
	if _, err := ProofFromProto(nil); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("nil proto: err = %v", err)
	}
	if _, err := ProofFromProto(&pcrypto.Proof{Total: 1, LeafHash: []byte{1}}); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("bad leaf hash: err = %v", err)
	}
	var nilProof *Proof
	if nilProof.ToProto() != nil {
		t.Fatal("nil proof ToProto not nil")
	}
}
