package types

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func completeBlockID(seed string) BlockID {
	return BlockID{Hash: sha(seed), PartSetHeader: PartSetHeader{Total: 1, Hash: sha(seed + " parts")}}
}

func TestBlockIDNilAndComplete(t *testing.T) {
	cases := []struct {
		name          string
		id            BlockID
		nil, complete bool
	}{
		{"zero", BlockID{}, true, false},
		{"complete", completeBlockID("a"), false, true},
		{"empty hash slice", BlockID{Hash: []byte{}}, true, false},
		{"hash only", BlockID{Hash: sha("a")}, false, false},
		{"no parts", BlockID{Hash: sha("a"), PartSetHeader: PartSetHeader{Hash: sha("b")}}, false, false},
		{"short psh hash", BlockID{Hash: sha("a"), PartSetHeader: PartSetHeader{Total: 1, Hash: sha("b")[:31]}}, false, false},
		{"total only", BlockID{PartSetHeader: PartSetHeader{Total: 1}}, false, false},
	}
	for _, tc := range cases {
		if tc.id.IsNil() != tc.nil || tc.id.IsComplete() != tc.complete {
			t.Errorf("%s: IsNil=%v IsComplete=%v", tc.name, tc.id.IsNil(), tc.id.IsComplete())
		}
	}
}

func TestBlockIDEqualsAndKey(t *testing.T) {
	a, b := completeBlockID("a"), completeBlockID("a")
	if !a.Equals(b) || a.Key() != b.Key() {
		t.Fatal("equal IDs differ")
	}
	c := a
	c.PartSetHeader.Total = 2
	if a.Equals(c) || a.Key() == c.Key() {
		t.Fatal("IDs with different totals are equal")
	}
	// Key = hash ‖ proto(PartSetHeader) = hash ‖ 08 01 12 20 ‖ psh hash.
	want := append(append(bytes.Clone(a.Hash), 0x08, 0x01, 0x12, 0x20), a.PartSetHeader.Hash...)
	if a.Key() != string(want) {
		t.Fatalf("key %x, want %x", a.Key(), want)
	}
	if (BlockID{}).Key() != "" {
		t.Fatalf("zero key %x", BlockID{}.Key())
	}
}

func TestBlockIDEncoding(t *testing.T) {
	pb := BlockID{}.ToProto()
	bz, err := pb.Marshal()
	if err != nil || hex.EncodeToString(bz) != "1200" {
		t.Fatalf("empty BlockID encodes as %x (%v), want 1200", bz, err)
	}
}

func TestBlockIDValidateBasic(t *testing.T) {
	cases := []struct {
		name string
		id   BlockID
		ok   bool
	}{
		{"zero", BlockID{}, true},
		{"complete", completeBlockID("x"), true},
		{"short hash", BlockID{Hash: sha("x")[:20]}, false},
		{"long psh hash", BlockID{PartSetHeader: PartSetHeader{Total: 1, Hash: append(sha("x"), 0)}}, false},
	}
	for _, tc := range cases {
		err := tc.id.ValidateBasic()
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidBlockID)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestBlockIDProtoRoundTrip(t *testing.T) {
	for _, id := range []BlockID{{}, completeBlockID("r")} {
		pb := id.ToProto()
		back, err := BlockIDFromProto(&pb)
		if err != nil || !back.Equals(id) {
			t.Fatalf("%v: round trip %v, %v", id, back, err)
		}
	}
	if _, err := BlockIDFromProto(nil); !errors.Is(err, ErrInvalidBlockID) {
		t.Fatal("nil proto accepted")
	}
	if _, err := BlockIDFromProto(&tmproto.BlockID{Hash: []byte{1}}); !errors.Is(err, ErrInvalidBlockID) {
		t.Fatal("bad hash accepted")
	}
	if _, err := PartSetHeaderFromProto(&tmproto.PartSetHeader{Hash: []byte{1}}); !errors.Is(err, ErrInvalidBlockID) {
		t.Fatal("bad part set header accepted")
	}
}
