package kv

import "errors"

// The block indexer's keys use the "ordered code" encoding (github.com/google/orderedcode) of
// strings and int64s, as CometBFT's do. Only the increasing-order encodings of these two types
// are needed:
//
//   - a string is its bytes with 0x00 written as 0x00 0xff and 0xff as 0xff 0x00, then the
//     terminator 0x00 0x01;
//   - an int64 x >= 0 takes the fewest bytes n such that x < 2^(7n-1); the encoding's bits are n
//     ones, a zero, then x in the remaining 7n-1 bits (so 0..63 is one byte, 0x80|x). A
//     negative x is encoded as ^x and then every byte inverted.

var errCorrupt = errors.New("orderedcode: corrupt input")

// appendString appends the encoding of s.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0x00:
			b = append(b, 0x00, 0xff)
		case 0xff:
			b = append(b, 0xff, 0x00)
		default:
			b = append(b, c)
		}
	}
	return append(b, 0x00, 0x01)
}

// appendInt64 appends the encoding of x.
func appendInt64(b []byte, x int64) []byte {
	neg := x < 0
	u := uint64(x)
	if neg {
		u = ^u
	}
	n := 1
	for n < 10 && u >= uint64(1)<<(7*n-1) {
		n++
	}
	var buf [10]byte
	enc := buf[10-n:]
	for i, v := n-1, u; i >= 0; i, v = i-1, v>>8 {
		enc[i] = byte(v)
	}
	for i, ones := 0, n; ones > 0; i++ {
		if ones >= 8 {
			enc[i] = 0xff
			ones -= 8
		} else {
			enc[i] |= byte(0xff << (8 - ones))
			ones = 0
		}
	}
	if neg {
		for i := range enc {
			enc[i] = ^enc[i]
		}
	}
	return append(b, enc...)
}

// parseString decodes a string from the start of s and returns the rest.
func parseString(s []byte) (string, []byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0x00:
			if i+1 >= len(s) {
				return "", nil, errCorrupt
			}
			switch s[i+1] {
			case 0x01:
				return string(out), s[i+2:], nil
			case 0xff:
				out = append(out, 0x00)
				i++
			default:
				return "", nil, errCorrupt
			}
		case 0xff:
			if i+1 >= len(s) || s[i+1] != 0x00 {
				return "", nil, errCorrupt
			}
			out = append(out, 0xff)
			i++
		default:
			out = append(out, s[i])
		}
	}
	return "", nil, errCorrupt
}

// parseInt64 decodes an int64 from the start of s and returns the rest.
func parseInt64(s []byte) (int64, []byte, error) {
	if len(s) == 0 {
		return 0, nil, errCorrupt
	}
	neg := s[0]&0x80 == 0
	at := func(i int) byte {
		if neg {
			return ^s[i]
		}
		return s[i]
	}
	// n is the number of leading one bits: the encoding's length in bytes.
	n := 0
	for i := 0; ; i++ {
		if i >= len(s) || i >= 2 {
			return 0, nil, errCorrupt
		}
		c := at(i)
		if c == 0xff {
			n += 8
			continue
		}
		for mask := byte(0x80); c&mask != 0; mask >>= 1 {
			n++
		}
		break
	}
	if n > 10 || len(s) < n {
		return 0, nil, errCorrupt
	}
	// The value is the low 7n-1 bits of the n bytes; it must fit 63 bits.
	var u uint64
	for i := 0; i < n; i++ {
		c := at(i)
		if n-i > 8 {
			// A byte above the low 64 bits holds prefix bits and, past them, value bits
			// that must be zero.
			if c&(0xff>>(n+1-8*i)) != 0 {
				return 0, nil, errCorrupt
			}
			continue
		}
		u = u<<8 | uint64(c)
	}
	if bitsLeft := 7*n - 1; bitsLeft < 64 {
		u &= uint64(1)<<bitsLeft - 1
	}
	if u >= 1<<63 {
		return 0, nil, errCorrupt
	}
	x := int64(u)
	if neg {
		x = ^x
	}
	return x, s[n:], nil
}
