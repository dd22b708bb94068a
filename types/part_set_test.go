package types

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/ballot-bft/ballot/crypto/merkle"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// loadJSON decodes testdata/name into v.
func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// patternData returns n bytes with byte i = i mod 256.
func patternData(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i)
	}
	return data
}

func TestPartSetVector(t *testing.T) {
	var v struct {
		DataLen    int    `json:"data_len"`
		PartSize   uint32 `json:"part_size"`
		Total      uint32 `json:"total"`
		Root       string `json:"root"`
		LeafHashes []struct {
			Prefix string `json:"prefix"`
			Suffix string `json:"suffix"`
		} `json:"leaf_hashes"`
	}
	loadJSON(t, "part_set.json", &v)

	ps := NewPartSetFromData(patternData(v.DataLen), v.PartSize)
	if ps.Total() != v.Total || !ps.IsComplete() {
		t.Fatalf("total %d complete %v, want %d parts", ps.Total(), ps.IsComplete(), v.Total)
	}
	if got := hex.EncodeToString(ps.Hash()); got != v.Root {
		t.Fatalf("root %s, want %s", got, v.Root)
	}
	for i, lh := range v.LeafHashes {
		got := hex.EncodeToString(ps.GetPart(i).Proof.LeafHash)
		if got[:len(lh.Prefix)] != lh.Prefix || got[len(got)-len(lh.Suffix):] != lh.Suffix {
			t.Errorf("leaf %d hash %s, want %s…%s", i, got, lh.Prefix, lh.Suffix)
		}
	}
	p0, p1 := ps.GetPart(0), ps.GetPart(1)
	if len(p0.Bytes) != int(v.PartSize) || len(p1.Bytes) != v.DataLen-int(v.PartSize) {
		t.Fatalf("part sizes %d, %d", len(p0.Bytes), len(p1.Bytes))
	}
	if len(p1.Proof.Aunts) != 1 || !bytes.Equal(p1.Proof.Aunts[0], p0.Proof.LeafHash) {
		t.Fatalf("part 1 aunts %x, want [leaf0]", p1.Proof.Aunts)
	}
	h := ps.Header()
	if h.Total != v.Total || hex.EncodeToString(h.Hash) != v.Root {
		t.Fatalf("header %v", h)
	}
}

func TestPartSetReassembly(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, seed))
	for _, n := range []int{1, 100, int(BlockPartSizeBytes), int(BlockPartSizeBytes) + 1, 5*int(BlockPartSizeBytes) + 17} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		src := NewPartSetFromData(data, BlockPartSizeBytes)
		dst, err := NewPartSetFromHeader(src.Header())
		if err != nil {
			t.Fatal(err)
		}
		if !dst.HasHeader(src.Header()) || dst.IsComplete() {
			t.Fatalf("n=%d: fresh set has wrong header or is complete", n)
		}
		if _, err := dst.Bytes(); !errors.Is(err, ErrPartSetIncomplete) {
			t.Fatalf("n=%d: Bytes of an incomplete set: %v", n, err)
		}
		for _, i := range rng.Perm(int(src.Total())) {
			// Send every part through its wire form, as a peer would.
			pb, err := src.GetPart(i).ToProto()
			if err != nil {
				t.Fatal(err)
			}
			wire, err := pb.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			var back tmproto.Part
			if err := back.Unmarshal(wire); err != nil {
				t.Fatal(err)
			}
			part, err := PartFromProto(&back)
			if err != nil {
				t.Fatalf("seed %d n=%d part %d: %v", seed, n, i, err)
			}
			added, err := dst.AddPart(part)
			if !added || err != nil {
				t.Fatalf("seed %d n=%d part %d: added=%v err=%v", seed, n, i, added, err)
			}
			if !dst.BitArray().GetIndex(i) {
				t.Fatalf("bit %d not set after adding", i)
			}
			if added, err := dst.AddPart(part); added || err != nil {
				t.Fatalf("duplicate part %d: added=%v err=%v", i, added, err)
			}
		}
		if !dst.IsComplete() || dst.ByteSize() != int64(n) || !dst.BitArray().IsFull() {
			t.Fatalf("n=%d: complete=%v size=%d", n, dst.IsComplete(), dst.ByteSize())
		}
		got, err := dst.Bytes()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("n=%d: reassembled bytes differ (%v)", n, err)
		}
		r, err := dst.GetReader()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(r); !bytes.Equal(got, data) {
			t.Fatalf("n=%d: reader bytes differ", n)
		}
	}
}

func TestPartSetAddPartRejects(t *testing.T) {
	data := patternData(3*int(BlockPartSizeBytes) + 10)
	src := NewPartSetFromData(data, BlockPartSizeBytes)
	other := NewPartSetFromData(patternData(3*int(BlockPartSizeBytes)+11), BlockPartSizeBytes)

	clonePart := func(i int) *Part {
		p := *src.GetPart(i)
		p.Bytes = bytes.Clone(p.Bytes)
		p.Proof.Aunts = append([][]byte(nil), p.Proof.Aunts...)
		return &p
	}
	cases := []struct {
		name    string
		part    func() *Part
		wantErr error
	}{
		{"nil part", func() *Part { return nil }, ErrInvalidPart},
		{"index at total", func() *Part { p := clonePart(3); p.Index = 4; p.Proof.Index = 4; return p }, ErrPartSetUnexpectedIndex},
		{"proof total differs", func() *Part { p := clonePart(1); p.Proof.Total = 5; return p }, ErrPartSetInvalidProof},
		{"index differs from proof index", func() *Part { p := clonePart(1); p.Index = 2; return p }, ErrInvalidPart},
		{"short non-last part", func() *Part { p := clonePart(0); p.Bytes = p.Bytes[:100]; return p }, ErrInvalidPart},
		{"oversized part", func() *Part { p := clonePart(3); p.Bytes = make([]byte, BlockPartSizeBytes+1); return p }, ErrInvalidPart},
		{"malformed proof", func() *Part { p := clonePart(2); p.Proof.LeafHash = p.Proof.LeafHash[:5]; return p }, ErrInvalidPart},
		{"tampered bytes", func() *Part { p := clonePart(2); p.Bytes[7] ^= 1; return p }, ErrPartSetInvalidProof},
		{"tampered aunt", func() *Part { p := clonePart(2); p.Proof.Aunts[0] = make([]byte, 32); return p }, ErrPartSetInvalidProof},
		{"part of another set", func() *Part { p := *other.GetPart(0); return &p }, ErrPartSetInvalidProof},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst, err := NewPartSetFromHeader(src.Header())
			if err != nil {
				t.Fatal(err)
			}
			added, err := dst.AddPart(tc.part())
			if added || !errors.Is(err, tc.wantErr) {
				t.Fatalf("added=%v err=%v, want %v", added, err, tc.wantErr)
			}
			if dst.Count() != 0 || !dst.BitArray().IsEmpty() || dst.ByteSize() != 0 {
				t.Fatal("a rejected part changed the set")
			}
		})
	}
}

func TestNewPartSetFromHeaderRejects(t *testing.T) {
	hash := make([]byte, 32)
	for _, h := range []PartSetHeader{
		{Total: 0, Hash: hash},
		{Total: MaxBlockPartsCount + 1, Hash: hash},
		{Total: 1, Hash: hash[:31]},
		{Total: 1},
	} {
		if _, err := NewPartSetFromHeader(h); !errors.Is(err, ErrInvalidPartSetHeader) {
			t.Errorf("header %v: err %v", h, err)
		}
	}
	if _, err := NewPartSetFromHeader(PartSetHeader{Total: MaxBlockPartsCount, Hash: hash}); err != nil {
		t.Errorf("largest header rejected: %v", err)
	}
}

func TestPartValidateBasic(t *testing.T) {
	ps := NewPartSetFromData(patternData(2*int(BlockPartSizeBytes)+1), BlockPartSizeBytes)
	good := func(i int) Part { return *ps.GetPart(i) }
	cases := []struct {
		name string
		part Part
		ok   bool
	}{
		{"full first part", good(0), true},
		{"short last part", good(2), true},
		{"non-last part too short", func() Part { p := good(1); p.Bytes = p.Bytes[1:]; return p }(), false},
		{"part too long", func() Part { p := good(2); p.Bytes = make([]byte, BlockPartSizeBytes+1); return p }(), false},
		{"index differs from proof", func() Part { p := good(2); p.Index = 1; return p }(), false},
		{"negative proof total", func() Part { p := good(2); p.Proof.Total = -1; return p }(), false},
		{"aunt of wrong size", func() Part { p := good(2); p.Proof.Aunts = [][]byte{{1}}; return p }(), false},
	}
	for _, tc := range cases {
		err := tc.part.ValidateBasic()
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidPart)) {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestPartFromProtoRejectsMissingProof(t *testing.T) {
	if _, err := PartFromProto(&tmproto.Part{Index: 0, Bytes: []byte{1}}); !errors.Is(err, ErrInvalidPart) || !errors.Is(err, merkle.ErrInvalidProof) {
		t.Fatalf("err %v", err)
	}
	if _, err := PartFromProto(nil); !errors.Is(err, ErrInvalidPart) {
		t.Fatalf("nil: err %v", err)
	}
}

func TestEmptyPartSet(t *testing.T) {
	ps := NewPartSetFromData(nil, BlockPartSizeBytes)
	if ps.Total() != 0 || !ps.IsComplete() {
		t.Fatalf("empty data: total %d", ps.Total())
	}
	if ps.GetPart(0) != nil || ps.GetPart(-1) != nil {
		t.Fatal("GetPart out of range must be nil")
	}
}

// FuzzPartSetAddPart feeds parts decoded from arbitrary bytes to a set expecting a known
// 3-part block: nothing may panic, and only the genuine parts may be added.
func FuzzPartSetAddPart(f *testing.F) {
	data := patternData(2*int(BlockPartSizeBytes) + 300)
	src := NewPartSetFromData(data, BlockPartSizeBytes)
	for i := range int(src.Total()) {
		pb, _ := src.GetPart(i).ToProto()
		wire, _ := pb.Marshal()
		f.Add(wire)
		f.Add(wire[:len(wire)/2])
	}
	small := NewPartSetFromData([]byte("tiny block"), 4)
	pb, _ := small.GetPart(1).ToProto()
	wire, _ := pb.Marshal()
	f.Add(wire)
	f.Add([]byte{0x08, 0x05, 0x1a, 0x00})

	f.Fuzz(func(t *testing.T, wire []byte) {
		var pb tmproto.Part
		if err := pb.Unmarshal(wire); err != nil {
			return
		}
		part, err := PartFromProto(&pb)
		if err != nil {
			return
		}
		dst, err := NewPartSetFromHeader(src.Header())
		if err != nil {
			t.Fatal(err)
		}
		added, err := dst.AddPart(part)
		if added != (err == nil) {
			t.Fatalf("added=%v with err=%v", added, err)
		}
		if added && !bytes.Equal(part.Bytes, src.GetPart(int(part.Index)).Bytes) {
			t.Fatalf("accepted part %d with bytes that are not the block's", part.Index)
		}
	})
}
