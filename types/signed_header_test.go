package types

import (
	"errors"
	"strings"
	"testing"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func TestSignedHeaderValidateBasic(t *testing.T) {
	cases := []struct {
		name    string
		modify  func(*SignedHeader)
		chainID string
		reason  string
	}{
		{"valid", func(*SignedHeader) {}, testChainID, ""},
		{"missing header", func(sh *SignedHeader) { sh.Header = nil }, testChainID, "missing header"},
		{"missing commit", func(sh *SignedHeader) { sh.Commit = nil }, testChainID, "missing commit"},
		{"invalid header", func(sh *SignedHeader) { sh.ProposerAddress = nil }, testChainID, "proposer address"},
		{"invalid commit", func(sh *SignedHeader) { sh.Commit.Signatures = nil }, testChainID, "no signatures"},
		{"other chain", func(*SignedHeader) {}, "other-chain", "not \"other-chain\""},
		{"height mismatch", func(sh *SignedHeader) { sh.Commit.Height = 11 }, testChainID, "commit height 11"},
		{"commit for another block", func(sh *SignedHeader) { sh.Commit.BlockID.Hash = sha("x") }, testChainID, "commit signs block"},
	}
	for _, tc := range cases {
		sh := lightClientAttack(t).ConflictingBlock.SignedHeader
		tc.modify(sh)
		err := sh.ValidateBasic(tc.chainID)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%s: valid signed header rejected: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidSignedHeader) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.reason)
		}
	}
}

func TestLightBlockProtoRoundTrip(t *testing.T) {
	lb := lightClientAttack(t).ConflictingBlock
	pb, err := lb.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := pb.Marshal()
	var decoded tmproto.LightBlock
	if err := decoded.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := LightBlockFromProto(&decoded)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.ValidateBasic(testChainID); err != nil {
		t.Fatal(err)
	}
	if back.Hash().String() != lb.Hash().String() {
		t.Fatal("round trip changed the light block")
	}
	// Absent parts decode to nil and are reported by ValidateBasic, not by decoding.
	partial, err := LightBlockFromProto(&tmproto.LightBlock{})
	if err != nil {
		t.Fatal(err)
	}
	if err := partial.ValidateBasic(testChainID); !errors.Is(err, ErrInvalidSignedHeader) {
		t.Fatalf("empty light block: %v", err)
	}
	sh, err := SignedHeaderFromProto(&tmproto.SignedHeader{})
	if err != nil || sh.ValidateBasic(testChainID) == nil {
		t.Fatalf("empty signed header: %v", err)
	}
	if _, err := SignedHeaderFromProto(&tmproto.SignedHeader{Header: &tmproto.Header{}}); !errors.Is(err, ErrInvalidSignedHeader) {
		t.Fatal("invalid header accepted")
	}
}
