// Package bits provides BitArray, a fixed-size array of bits used to track which validators voted
// and which block parts a node holds.
//
// Its wire form is tendermint.libs.bits.BitArray: bit i is elems[i/64] >> (i%64) & 1, and
// len(elems) must equal ceil(bits/64). An empty array (nil or zero bits) is encoded as an absent
// message.
//
// A BitArray is not safe for concurrent use: its owner serializes access (one goroutine owns it, or
// a lock held by the owner guards it). Methods that combine two arrays never modify their
// arguments, and a nil *BitArray behaves as an empty array everywhere.
package bits
