package kv

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"
)

// Vectors produced by github.com/google/orderedcode v0.0.1 (the encoder CometBFT's keys use).
var int64Vectors = []struct {
	x   int64
	hex string
}{
	{0, "80"}, {1, "81"}, {-1, "7f"}, {5, "85"}, {63, "bf"}, {64, "c040"}, {-64, "40"},
	{-65, "3fbf"}, {127, "c07f"}, {128, "c080"}, {255, "c0ff"}, {256, "c100"}, {8191, "dfff"},
	{8192, "e02000"}, {1 << 20, "f0100000"}, {-1 << 20, "100000"},
	{1<<55 - 1, "ff7fffffffffffff"}, {1 << 55, "ff8080000000000000"},
	{1<<62 - 1, "ffbfffffffffffffff"}, {1 << 62, "ffc04000000000000000"},
	{math.MaxInt64, "ffc07fffffffffffffff"}, {math.MinInt64, "003f8000000000000000"},
	{-8192, "2000"}, {-8193, "1fdfff"}, {123456789, "f75bcd15"},
}

var stringVectors = []struct {
	s   string
	hex string
}{
	{"", "0001"}, {"a", "610001"}, {"block.height", "626c6f636b2e6865696768740001"},
	{"a\x00b", "6100ff620001"}, {"\xff", "ff000001"}, {"\x00\xff\x01", "00ffff00010001"},
}

func TestInt64Vectors(t *testing.T) {
	for _, v := range int64Vectors {
		want, _ := hex.DecodeString(v.hex)
		if got := appendInt64(nil, v.x); !bytes.Equal(got, want) {
			t.Errorf("appendInt64(%d) = %x, want %s", v.x, got, v.hex)
		}
		x, rest, err := parseInt64(append(want, 0xAB))
		if err != nil || x != v.x || !bytes.Equal(rest, []byte{0xAB}) {
			t.Errorf("parseInt64(%s) = %d, %x, %v", v.hex, x, rest, err)
		}
	}
}

func TestStringVectors(t *testing.T) {
	for _, v := range stringVectors {
		want, _ := hex.DecodeString(v.hex)
		if got := appendString(nil, v.s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %x, want %s", v.s, got, v.hex)
		}
		s, rest, err := parseString(append(want, 0x85))
		if err != nil || s != v.s || !bytes.Equal(rest, []byte{0x85}) {
			t.Errorf("parseString(%s) = %q, %x, %v", v.hex, s, rest, err)
		}
	}
}

// TestKeyVectors checks whole keys against CometBFT's (made with orderedcode.Append).
func TestKeyVectors(t *testing.T) {
	cases := []struct {
		key []byte
		hex string
	}{
		{heightKey(5), "626c6f636b2e686569676874000185"},
		{eventKey("transfer.sender", "alice", 7, 3), "7472616e736665722e73656e6465720001616c69636500018783"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.key); got != c.hex {
			t.Errorf("key %x, want %s", c.key, c.hex)
		}
	}
}

func TestParseCorrupt(t *testing.T) {
	for _, h := range []string{"", "ff", "ffff", "ffc1", "ffc08000000000000000", "c0", "ffe0000000000000000000", "00"} {
		b, _ := hex.DecodeString(h)
		if x, _, err := parseInt64(b); err == nil {
			t.Errorf("parseInt64(%s) = %d, want an error", h, x)
		}
	}
	for _, h := range []string{"", "61", "6100", "610002", "ff01", "ff"} {
		b, _ := hex.DecodeString(h)
		if s, _, err := parseString(b); err == nil {
			t.Errorf("parseString(%s) = %q, want an error", h, s)
		}
	}
}
