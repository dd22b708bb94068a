package merkle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

func TestHashFromByteSlicesVectors(t *testing.T) {
	tests := []struct {
		name  string
		items [][]byte
		want  string
	}{
		{"no items", nil, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"one empty item", [][]byte{{}}, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
		{"a", [][]byte{[]byte("a")}, "022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c"},
		{"a b c", [][]byte{[]byte("a"), []byte("b"), []byte("c")}, "36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := HashFromByteSlices(tc.items)
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("HashFromByteSlices = %x, want %s", got, tc.want)
			}
			root, proofs := ProofsFromByteSlices(tc.items)
			if hex.EncodeToString(root) != tc.want {
				t.Fatalf("ProofsFromByteSlices root = %x, want %s", root, tc.want)
			}
			if len(proofs) != len(tc.items) {
				t.Fatalf("got %d proofs for %d items", len(proofs), len(tc.items))
			}
		})
	}
}

func TestLeafAndInnerHash(t *testing.T) {
	leaf := []byte("leaf")
	want := sha256.Sum256(append([]byte{0}, leaf...))
	if !bytes.Equal(LeafHash(leaf), want[:]) {
		t.Fatalf("LeafHash = %x, want %x", LeafHash(leaf), want)
	}
	l, r := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	wantInner := sha256.Sum256(append(append([]byte{1}, l...), r...))
	if !bytes.Equal(InnerHash(l, r), wantInner[:]) {
		t.Fatalf("InnerHash = %x, want %x", InnerHash(l, r), wantInner)
	}
}

func TestSplitPoint(t *testing.T) {
	tests := []struct{ n, want int64 }{
		{2, 1}, {3, 2}, {4, 2}, {5, 4}, {8, 4}, {9, 8}, {100, 64}, {1 << 40, 1 << 39}, {1<<40 + 1, 1 << 40},
	}
	for _, tc := range tests {
		if got := splitPoint(tc.n); got != tc.want {
			t.Errorf("splitPoint(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// naiveRoot is the tree definition written out directly: recursive split at
// the largest power of two strictly below n, fresh allocations everywhere.
func naiveRoot(items [][]byte) []byte {
	switch len(items) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		h := sha256.Sum256(append([]byte{0x00}, items[0]...))
		return h[:]
	}
	k := 1
	for k*2 < len(items) {
		k *= 2
	}
	left, right := naiveRoot(items[:k]), naiveRoot(items[k:])
	h := sha256.Sum256(append(append([]byte{0x01}, left...), right...))
	return h[:]
}

// naiveAunts returns the aunts of items[index], sibling first.
func naiveAunts(items [][]byte, index int) [][]byte {
	if len(items) <= 1 {
		return nil
	}
	k := 1
	for k*2 < len(items) {
		k *= 2
	}
	if index < k {
		return append(naiveAunts(items[:k], index), naiveRoot(items[k:]))
	}
	return append(naiveAunts(items[k:], index-k), naiveRoot(items[:k]))
}

func randomItems(rng *rand.Rand, n int) [][]byte {
	items := make([][]byte, n)
	for i := range items {
		item := make([]byte, rng.IntN(70))
		for j := range item {
			item[j] = byte(rng.Uint32())
		}
		items[i] = item
	}
	return items
}

func TestHashFromByteSlicesMatchesNaive(t *testing.T) {
	seed := uint64(20240611)
	rng := rand.New(rand.NewPCG(seed, seed))
	sizes := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 1000}
	for range 40 {
		sizes = append(sizes, rng.IntN(600))
	}
	for _, n := range sizes {
		items := randomItems(rng, n)
		want := naiveRoot(items)
		if got := HashFromByteSlices(items); !bytes.Equal(got, want) {
			t.Fatalf("seed %d, n=%d: HashFromByteSlices = %x, naive = %x", seed, n, got, want)
		}
		if root, _ := ProofsFromByteSlices(items); !bytes.Equal(root, want) {
			t.Fatalf("seed %d, n=%d: ProofsFromByteSlices root = %x, naive = %x", seed, n, root, want)
		}
	}
}

func TestHashFromByteSlicesDoesNotModifyInput(t *testing.T) {
	items := [][]byte{[]byte("x"), []byte("y"), []byte("z")}
	HashFromByteSlices(items)
	ProofsFromByteSlices(items)
	if string(items[0]) != "x" || string(items[1]) != "y" || string(items[2]) != "z" {
		t.Fatalf("input modified: %q", items)
	}
}

func BenchmarkHashFromByteSlices(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	items := make([][]byte, 1000)
	for i := range items {
		items[i] = make([]byte, 250)
		for j := range items[i] {
			items[i][j] = byte(rng.Uint32())
		}
	}
	b.ReportAllocs()
	b.SetBytes(1000 * 250)
	for b.Loop() {
		HashFromByteSlices(items)
	}
}

func BenchmarkProofsFromByteSlices(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	items := randomItems(rng, 1000)
	b.ReportAllocs()
	for b.Loop() {
		ProofsFromByteSlices(items)
	}
}
