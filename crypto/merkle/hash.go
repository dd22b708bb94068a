package merkle

import (
	"crypto/sha256"
	"hash"
	"math/bits"
)

// HashSize is the length in bytes of every node hash.
const HashSize = sha256.Size

const (
	leafPrefix  = 0x00
	innerPrefix = 0x01
)

var leafPrefixBytes = []byte{leafPrefix}

// emptyHash returns SHA-256 of no bytes, the root of an empty tree.
func emptyHash() []byte {
	h := sha256.Sum256(nil)
	return h[:]
}

// LeafHash returns SHA-256(0x00 ‖ leaf) in a new slice.
func LeafHash(leaf []byte) []byte {
	h := sha256.New()
	return leafHashTo(h, nil, leaf)
}

// leafHashTo appends the leaf hash of leaf to dst using h (reset first).
func leafHashTo(h hash.Hash, dst, leaf []byte) []byte {
	h.Reset()
	h.Write(leafPrefixBytes)
	h.Write(leaf)
	return h.Sum(dst)
}

// InnerHash returns SHA-256(0x01 ‖ left ‖ right) in a new slice.
func InnerHash(left, right []byte) []byte {
	buf := make([]byte, 0, 1+len(left)+len(right))
	buf = append(buf, innerPrefix)
	buf = append(buf, left...)
	buf = append(buf, right...)
	h := sha256.Sum256(buf)
	return h[:]
}

// innerHashInto writes SHA-256(0x01 ‖ left ‖ right) into dst, where left,
// right and dst are HashSize bytes long; dst may overlap left or right.
func innerHashInto(dst, left, right []byte) {
	var buf [1 + 2*HashSize]byte
	buf[0] = innerPrefix
	copy(buf[1:], left)
	copy(buf[1+HashSize:], right)
	h := sha256.Sum256(buf[:])
	copy(dst, h[:])
}

// splitPoint returns the largest power of two strictly less than n, for
// n ≥ 2.
func splitPoint(n int64) int64 {
	if n < 2 {
		panic("merkle: splitPoint needs at least two items")
	}
	return 1 << (bits.Len64(uint64(n-1)) - 1)
}

// HashFromByteSlices returns the Merkle root of items. An empty list hashes
// to SHA-256(""). The result is a new HashSize-byte slice.
func HashFromByteSlices(items [][]byte) []byte {
	n := len(items)
	if n == 0 {
		return emptyHash()
	}
	// All node hashes of one level live in one flat buffer, reduced in place
	// level by level. Pairing neighbours and carrying an odd last node up
	// unchanged builds exactly the tree of the recursive largest-power-of-two
	// split: every complete block of 2^j leaves is aligned at a multiple of
	// 2^j from the left, and the trailing partial block is the recursive
	// right subtree.
	buf := make([]byte, n*HashSize)
	h := sha256.New()
	for i, item := range items {
		leafHashTo(h, buf[i*HashSize:i*HashSize], item)
	}
	for m := n; m > 1; m = (m + 1) / 2 {
		pairs := m / 2
		for i := range pairs {
			src := buf[2*i*HashSize : (2*i+2)*HashSize]
			innerHashInto(buf[i*HashSize:(i+1)*HashSize], src[:HashSize], src[HashSize:])
		}
		if m%2 == 1 {
			copy(buf[pairs*HashSize:(pairs+1)*HashSize], buf[(m-1)*HashSize:m*HashSize])
		}
	}
	root := make([]byte, HashSize)
	copy(root, buf)
	return root
}
