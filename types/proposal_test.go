package types

import (
	"errors"
	"strings"
	"testing"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func exampleProposal(t testing.TB) *Proposal {
	p := NewProposal(5, 1, -1, completeBlockID("proposed"), testTime)
	sig, err := testKey("a").Sign(p.SignBytes(testChainID))
	if err != nil {
		t.Fatal(err)
	}
	p.Signature = sig
	return p
}

func TestProposalValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Proposal)
		reason string
	}{
		{"valid", func(*Proposal) {}, ""},
		{"valid with POL round", func(p *Proposal) { p.POLRound = 0 }, ""},
		{"valid at height 0", func(p *Proposal) { p.Height = 0 }, ""},
		{"wrong type", func(p *Proposal) { p.Type = PrevoteType }, "invalid type"},
		{"negative height", func(p *Proposal) { p.Height = -1 }, "negative height"},
		{"negative round", func(p *Proposal) { p.Round = -1 }, "negative round"},
		{"POL round below -1", func(p *Proposal) { p.POLRound = -2 }, "POL round"},
		{"bad block hash", func(p *Proposal) { p.BlockID.Hash = []byte{1} }, "block ID"},
		{"nil block ID", func(p *Proposal) { p.BlockID = BlockID{} }, "not complete"},
		{"no signature", func(p *Proposal) { p.Signature = nil }, "signature is missing"},
		{"oversized signature", func(p *Proposal) { p.Signature = make([]byte, MaxSignatureSize+1) }, "at most"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := exampleProposal(t)
			tc.modify(p)
			err := p.ValidateBasic()
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("valid proposal rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidProposal) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err %v, want ErrInvalidProposal with %q", err, tc.reason)
			}
		})
	}
}

func TestProposalVerifyAndRoundTrip(t *testing.T) {
	p := exampleProposal(t)
	if err := p.Verify(testChainID, testKey("a").PubKey()); err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(testChainID, testKey("b").PubKey()); !errors.Is(err, ErrVoteInvalidSignature) {
		t.Fatalf("other key: %v", err)
	}
	wire, _ := p.ToProto().Marshal()
	var pb tmproto.Proposal
	if err := pb.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := ProposalFromProto(&pb)
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != p.String() || back.Verify(testChainID, testKey("a").PubKey()) != nil {
		t.Fatalf("round trip changed the proposal: %v", back)
	}
	if _, err := ProposalFromProto(nil); !errors.Is(err, ErrInvalidProposal) {
		t.Fatal("nil proto accepted")
	}
}

func FuzzProposalFromProto(f *testing.F) {
	wire, _ := exampleProposal(f).ToProto().Marshal()
	f.Add(wire)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.Proposal
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		p, err := ProposalFromProto(&pb)
		if err != nil {
			return
		}
		_ = p.SignBytes(testChainID)
		if _, err := ProposalFromProto(p.ToProto()); err != nil {
			t.Fatalf("re-decoding a valid proposal failed: %v", err)
		}
	})
}
