package tmhash

import (
	"encoding/hex"
	"testing"
)

func TestSum(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tc := range tests {
		got := Sum([]byte(tc.in))
		if len(got) != Size {
			t.Fatalf("Sum(%q) has %d bytes, want %d", tc.in, len(got), Size)
		}
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("Sum(%q) = %x, want %s", tc.in, got, tc.want)
		}
		tr := SumTruncated([]byte(tc.in))
		if len(tr) != TruncatedSize || cap(tr) != TruncatedSize {
			t.Fatalf("SumTruncated(%q) len %d cap %d, want %d", tc.in, len(tr), cap(tr), TruncatedSize)
		}
		if hex.EncodeToString(tr) != tc.want[:2*TruncatedSize] {
			t.Errorf("SumTruncated(%q) = %x, want %s", tc.in, tr, tc.want[:2*TruncatedSize])
		}
	}
}
