package bits

import (
	"encoding/json"
	"errors"
	"fmt"
	mathbits "math/bits"
	"math/rand/v2"
	"strings"

	pbits "github.com/ballot-bft/ballot/proto/tendermint/libs/bits"
)

// ErrInvalidBitArray is returned (wrapped) when a wire or JSON bit array is malformed.
var ErrInvalidBitArray = errors.New("invalid bit array")

// BitArray is a fixed-size array of bits. The zero size is represented by a nil *BitArray; every
// method accepts a nil receiver. Bits beyond Size are always zero.
type BitArray struct {
	bits  int
	elems []uint64
}

// New returns an array of size bits, all false. A size ≤ 0 yields nil (the empty array).
func New(size int) *BitArray {
	if size <= 0 {
		return nil
	}
	return &BitArray{bits: size, elems: make([]uint64, numElems(size))}
}

func numElems(size int) int { return (size + 63) / 64 }

// Size returns the number of bits (0 for nil).
func (b *BitArray) Size() int {
	if b == nil {
		return 0
	}
	return b.bits
}

// GetIndex reports whether bit i is set. Out-of-range indexes are false.
func (b *BitArray) GetIndex(i int) bool {
	if b == nil || i < 0 || i >= b.bits {
		return false
	}
	return b.elems[i/64]&(uint64(1)<<uint(i%64)) != 0
}

// SetIndex sets bit i to v and reports whether i was in range (an out-of-range index changes
// nothing).
func (b *BitArray) SetIndex(i int, v bool) bool {
	if b == nil || i < 0 || i >= b.bits {
		return false
	}
	mask := uint64(1) << uint(i%64)
	if v {
		b.elems[i/64] |= mask
	} else {
		b.elems[i/64] &^= mask
	}
	return true
}

// Copy returns an independent copy of b.
func (b *BitArray) Copy() *BitArray {
	if b == nil {
		return nil
	}
	return &BitArray{bits: b.bits, elems: append([]uint64(nil), b.elems...)}
}

// Update overwrites b's bits with o's. Both must have the same size; otherwise b is unchanged and
// Update returns false.
func (b *BitArray) Update(o *BitArray) bool {
	if b.Size() != o.Size() {
		return false
	}
	if b != nil {
		copy(b.elems, o.elems)
	}
	return true
}

// Or returns a new array of size max(b.Size(), o.Size()) with the bits set in either.
func (b *BitArray) Or(o *BitArray) *BitArray {
	if b.Size() < o.Size() {
		b, o = o, b
	}
	out := b.Copy()
	if o != nil {
		for i, e := range o.elems {
			out.elems[i] |= e
		}
	}
	return out
}

// And returns a new array of size min(b.Size(), o.Size()) with the bits set in both.
func (b *BitArray) And(o *BitArray) *BitArray {
	if b.Size() > o.Size() {
		b, o = o, b
	}
	out := b.Copy()
	if out != nil {
		for i := range out.elems {
			out.elems[i] &= o.elems[i]
		}
	}
	return out
}

// Sub returns a new array of b's size with the bits set in b and not set in o (bits of b beyond
// o's size are kept).
func (b *BitArray) Sub(o *BitArray) *BitArray {
	out := b.Copy()
	if out == nil || o == nil {
		return out
	}
	for i := range min(len(out.elems), len(o.elems)) {
		out.elems[i] &^= o.elems[i]
	}
	out.clearTail()
	return out
}

// Not returns a new array of b's size with every bit flipped.
func (b *BitArray) Not() *BitArray {
	out := b.Copy()
	if out == nil {
		return nil
	}
	for i := range out.elems {
		out.elems[i] = ^out.elems[i]
	}
	out.clearTail()
	return out
}

// clearTail zeroes the bits of the last element beyond the array's size.
func (b *BitArray) clearTail() {
	if r := b.bits % 64; r != 0 {
		b.elems[len(b.elems)-1] &= (uint64(1) << uint(r)) - 1
	}
}

// IsEmpty reports whether no bit is set (true for nil).
func (b *BitArray) IsEmpty() bool {
	if b == nil {
		return true
	}
	for _, e := range b.elems {
		if e != 0 {
			return false
		}
	}
	return true
}

// IsFull reports whether every bit is set. The empty array is not full.
func (b *BitArray) IsFull() bool {
	if b == nil {
		return false
	}
	return b.Count() == b.bits
}

// Count returns the number of set bits.
func (b *BitArray) Count() int {
	if b == nil {
		return 0
	}
	n := 0
	for _, e := range b.elems {
		n += mathbits.OnesCount64(e)
	}
	return n
}

// TrueIndices returns the indexes of the set bits in ascending order.
func (b *BitArray) TrueIndices() []int {
	if b == nil {
		return nil
	}
	out := make([]int, 0, b.Count())
	for i, e := range b.elems {
		for e != 0 {
			out = append(out, i*64+mathbits.TrailingZeros64(e))
			e &= e - 1
		}
	}
	return out
}

// PickRandom returns the index of a set bit chosen uniformly with rng, or false when no bit is
// set. rng is the caller's injected source of randomness.
func (b *BitArray) PickRandom(rng *rand.Rand) (int, bool) {
	n := b.Count()
	if n == 0 {
		return 0, false
	}
	k := rng.IntN(n)
	for i, e := range b.elems {
		c := mathbits.OnesCount64(e)
		if k >= c {
			k -= c
			continue
		}
		for ; k > 0; k-- {
			e &= e - 1
		}
		return i*64 + mathbits.TrailingZeros64(e), true
	}
	panic("bits: set bit count changed while picking") // unreachable: Count saw n set bits
}

// String renders the array as one character per bit, 'x' for set and '_' for unset, or "nil".
func (b *BitArray) String() string {
	if b == nil {
		return "nil"
	}
	var sb strings.Builder
	sb.Grow(b.bits)
	for i := range b.bits {
		if b.GetIndex(i) {
			sb.WriteByte('x')
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String()
}

// MarshalJSON encodes b as its String form in quotes, or null for the empty array.
func (b *BitArray) MarshalJSON() ([]byte, error) {
	if b == nil {
		return []byte("null"), nil
	}
	return json.Marshal(b.String())
}

// UnmarshalJSON decodes the String form ("x" set, "_" unset); null or "" yields an empty array.
func (b *BitArray) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*b = BitArray{}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: want a JSON string: %v", ErrInvalidBitArray, err)
	}
	out := BitArray{bits: len(s), elems: make([]uint64, numElems(len(s)))}
	for i := range len(s) {
		switch s[i] {
		case 'x':
			out.SetIndex(i, true)
		case '_':
		default:
			return fmt.Errorf("%w: character %q at %d is neither 'x' nor '_'", ErrInvalidBitArray, s[i], i)
		}
	}
	*b = out
	return nil
}

// ToProto returns the wire form of b, or nil (an absent field) for the empty array. The result
// shares no memory with b.
func (b *BitArray) ToProto() *pbits.BitArray {
	if b.Size() == 0 {
		return nil
	}
	return &pbits.BitArray{Bits: int64(b.bits), Elems: append([]uint64(nil), b.elems...)}
}

// FromProto converts a wire bit array. An absent message or zero bits yields nil (the empty
// array). It fails when bits is negative or len(elems) != ceil(bits/64). Bits beyond the size in
// the last element are cleared.
func FromProto(pb *pbits.BitArray) (*BitArray, error) {
	if pb == nil || (pb.Bits == 0 && len(pb.Elems) == 0) {
		return nil, nil
	}
	if pb.Bits < 0 {
		return nil, fmt.Errorf("%w: negative size %d", ErrInvalidBitArray, pb.Bits)
	}
	if want := (pb.Bits + 63) / 64; int64(len(pb.Elems)) != want {
		return nil, fmt.Errorf("%w: %d bits need %d elements, got %d", ErrInvalidBitArray, pb.Bits, want, len(pb.Elems))
	}
	out := &BitArray{bits: int(pb.Bits), elems: append([]uint64(nil), pb.Elems...)}
	out.clearTail()
	return out, nil
}
