package bits

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	pbits "github.com/ballot-bft/ballot/proto/tendermint/libs/bits"
)

// fromString builds an array from its String form ("x" set, "_" unset).
func fromString(t *testing.T, s string) *BitArray {
	t.Helper()
	b := New(len(s))
	for i := range len(s) {
		b.SetIndex(i, s[i] == 'x')
	}
	return b
}

func TestNewAndSize(t *testing.T) {
	if New(0) != nil || New(-3) != nil {
		t.Fatal("New of a non-positive size must be nil")
	}
	for _, n := range []int{1, 63, 64, 65, 128, 129} {
		b := New(n)
		if b.Size() != n || len(b.elems) != (n+63)/64 {
			t.Fatalf("New(%d): size %d, %d elems", n, b.Size(), len(b.elems))
		}
		if !b.IsEmpty() || b.IsFull() {
			t.Fatalf("New(%d) must be empty and not full", n)
		}
	}
}

func TestGetSetIndex(t *testing.T) {
	b := New(70)
	for _, i := range []int{0, 63, 64, 69} {
		if !b.SetIndex(i, true) || !b.GetIndex(i) {
			t.Fatalf("bit %d not set", i)
		}
	}
	if b.SetIndex(70, true) || b.SetIndex(-1, true) || b.GetIndex(70) || b.GetIndex(-1) {
		t.Fatal("out-of-range index must be rejected")
	}
	if got := b.TrueIndices(); !slices.Equal(got, []int{0, 63, 64, 69}) {
		t.Fatalf("TrueIndices = %v", got)
	}
	b.SetIndex(63, false)
	if b.GetIndex(63) || b.Count() != 3 {
		t.Fatalf("clear failed: %s", b)
	}
	var nilArr *BitArray
	if nilArr.SetIndex(0, true) || nilArr.GetIndex(0) || nilArr.Size() != 0 || nilArr.Count() != 0 {
		t.Fatal("nil array must behave as empty")
	}
}

func TestCopyIsIndependent(t *testing.T) {
	a := fromString(t, "x_x")
	c := a.Copy()
	c.SetIndex(1, true)
	if a.GetIndex(1) {
		t.Fatal("modifying the copy changed the original")
	}
}

func TestSetOperations(t *testing.T) {
	cases := []struct {
		name, a, b         string
		or, and, sub, notA string
	}{
		{"same size", "xx__", "x_x_", "xxx_", "x___", "_x__", "__xx"},
		{"a longer", "x_xx", "_x", "xxxx", "__", "x_xx", "_x__"},
		{"b longer", "_x", "x_xx", "xxxx", "__", "_x", "x_"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := fromString(t, tc.a), fromString(t, tc.b)
			check := func(op string, got *BitArray, want string) {
				if got.String() != want {
					t.Errorf("%s: got %s, want %s", op, got, want)
				}
			}
			check("Or", a.Or(b), tc.or)
			check("And", a.And(b), tc.and)
			check("Sub", a.Sub(b), tc.sub)
			check("Not", a.Not(), tc.notA)
			if a.String() != tc.a || b.String() != tc.b {
				t.Error("operands were modified")
			}
		})
	}
}

func TestSetOperationsWithNil(t *testing.T) {
	a := fromString(t, "x_x")
	var empty *BitArray
	if a.Or(empty).String() != "x_x" || empty.Or(a).String() != "x_x" {
		t.Error("Or with nil")
	}
	if a.And(empty) != nil || empty.And(a) != nil {
		t.Error("And with nil must be nil")
	}
	if a.Sub(empty).String() != "x_x" || empty.Sub(a) != nil {
		t.Error("Sub with nil")
	}
	if empty.Not() != nil {
		t.Error("Not of nil must be nil")
	}
}

func TestNotKeepsTailClear(t *testing.T) {
	b := New(65)
	n := b.Not()
	if !n.IsFull() || n.Count() != 65 {
		t.Fatalf("Not of an empty 65-bit array: count %d", n.Count())
	}
	if n.elems[1] != 1 {
		t.Fatalf("bits beyond the size were set: %x", n.elems[1])
	}
}

func TestIsFull(t *testing.T) {
	for _, n := range []int{1, 64, 65, 200} {
		b := New(n)
		for i := range n - 1 {
			b.SetIndex(i, true)
		}
		if b.IsFull() {
			t.Fatalf("size %d: full with one bit missing", n)
		}
		b.SetIndex(n-1, true)
		if !b.IsFull() || b.IsEmpty() {
			t.Fatalf("size %d: not full with all bits set", n)
		}
	}
	var empty *BitArray
	if empty.IsFull() || !empty.IsEmpty() {
		t.Fatal("nil array must be empty and not full")
	}
}

func TestUpdate(t *testing.T) {
	a, b := fromString(t, "x__"), fromString(t, "_xx")
	if !a.Update(b) || a.String() != "_xx" {
		t.Fatalf("Update: %s", a)
	}
	if a.Update(fromString(t, "xx")) {
		t.Fatal("Update with a different size must fail")
	}
}

func TestPickRandom(t *testing.T) {
	seed := uint64(20240101)
	rng := rand.New(rand.NewPCG(seed, 1))
	if _, ok := New(10).PickRandom(rng); ok {
		t.Fatal("picked from an empty array")
	}
	var empty *BitArray
	if _, ok := empty.PickRandom(rng); ok {
		t.Fatal("picked from nil")
	}
	b := New(200)
	want := []int{3, 64, 130, 199}
	for _, i := range want {
		b.SetIndex(i, true)
	}
	seen := map[int]int{}
	for range 2000 {
		i, ok := b.PickRandom(rng)
		if !ok || !b.GetIndex(i) {
			t.Fatalf("seed %d: picked %d (ok=%v), not a set bit", seed, i, ok)
		}
		seen[i]++
	}
	for _, i := range want {
		if seen[i] < 350 {
			t.Fatalf("seed %d: bit %d picked %d of 2000 times, distribution not uniform: %v", seed, i, seen[i], seen)
		}
	}
}

func TestProtoRoundTrip(t *testing.T) {
	for _, s := range []string{"x", "x_x_", "________________________________________________________________x", "x_x_xxxx__x_______x_x_x_x_x_x______________________________________________x_x_x_x_x_x_x"} {
		b := fromString(t, s)
		pb := b.ToProto()
		if pb.Bits != int64(len(s)) || len(pb.Elems) != (len(s)+63)/64 {
			t.Fatalf("%s: wire form %+v", s, pb)
		}
		back, err := FromProto(pb)
		if err != nil || back.String() != s {
			t.Fatalf("%s: round trip gave %s, %v", s, back, err)
		}
	}
	var empty *BitArray
	if empty.ToProto() != nil {
		t.Fatal("the empty array must encode as absent")
	}
}

func TestProtoEncodingBytes(t *testing.T) {
	// bits=3 with bits 0 and 2 set: field 1 varint 3, field 2 packed [5].
	got, err := fromString(t, "x_x").ToProto().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x08, 0x03, 0x12, 0x01, 0x05}; string(got) != string(want) {
		t.Fatalf("encoding %x, want %x", got, want)
	}
}

func TestFromProtoRejects(t *testing.T) {
	cases := []struct {
		name string
		pb   *pbits.BitArray
	}{
		{"negative size", &pbits.BitArray{Bits: -1, Elems: []uint64{1}}},
		{"too few elems", &pbits.BitArray{Bits: 65, Elems: []uint64{1}}},
		{"too many elems", &pbits.BitArray{Bits: 64, Elems: []uint64{1, 2}}},
		{"elems without bits", &pbits.BitArray{Bits: 0, Elems: []uint64{1}}},
		{"bits without elems", &pbits.BitArray{Bits: 5}},
		{"huge size", &pbits.BitArray{Bits: 1<<63 - 1, Elems: []uint64{1}}},
	}
	for _, tc := range cases {
		if _, err := FromProto(tc.pb); !errors.Is(err, ErrInvalidBitArray) {
			t.Errorf("%s: err = %v, want ErrInvalidBitArray", tc.name, err)
		}
	}
	for _, pb := range []*pbits.BitArray{nil, {}} {
		if b, err := FromProto(pb); b != nil || err != nil {
			t.Errorf("FromProto(%v) = %v, %v; want nil, nil", pb, b, err)
		}
	}
}

func TestFromProtoClearsTail(t *testing.T) {
	b, err := FromProto(&pbits.BitArray{Bits: 2, Elems: []uint64{0xff}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Count() != 2 || !b.IsFull() {
		t.Fatalf("bits beyond the size survived: %s count %d", b, b.Count())
	}
}

func TestJSON(t *testing.T) {
	b := fromString(t, "x__x")
	data, err := json.Marshal(b)
	if err != nil || string(data) != `"x__x"` {
		t.Fatalf("marshal: %s, %v", data, err)
	}
	var back BitArray
	if err := json.Unmarshal(data, &back); err != nil || back.String() != "x__x" {
		t.Fatalf("unmarshal: %s, %v", back.String(), err)
	}
	if err := json.Unmarshal([]byte(`"x_y"`), &back); !errors.Is(err, ErrInvalidBitArray) {
		t.Fatalf("bad character: %v", err)
	}
	var empty *BitArray
	if data, _ := json.Marshal(empty); string(data) != "null" {
		t.Fatalf("nil marshals to %s", data)
	}
}

func FuzzFromProto(f *testing.F) {
	for _, s := range []string{"x", "x_x", "________________________________________________________________x"} {
		b := New(len(s))
		for i := range len(s) {
			b.SetIndex(i, s[i] == 'x')
		}
		data, _ := b.ToProto().Marshal()
		f.Add(data)
	}
	f.Add([]byte{0x08, 0x41, 0x12, 0x01, 0x05})
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb pbits.BitArray
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		b, err := FromProto(&pb)
		if err != nil {
			return
		}
		if b.Count() > b.Size() {
			t.Fatalf("count %d above size %d", b.Count(), b.Size())
		}
		back, err := FromProto(b.ToProto())
		if err != nil || back.String() != b.String() {
			t.Fatalf("re-encoding changed the array: %v", err)
		}
		_ = b.Not().Or(b).Sub(b).And(b)
	})
}
