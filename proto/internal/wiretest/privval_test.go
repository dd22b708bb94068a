package wiretest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/proto/tendermint/crypto"
	"github.com/ballot-bft/ballot/proto/tendermint/privval"
	"github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Remote-signer frames. No sheet has privval byte vectors; these are derived
// by hand from the v0.38 field numbers.
func TestPrivvalMessages(t *testing.T) {
	tests := []struct {
		name  string
		msg   privval.Message
		want  string
		check func(t *testing.T, m *privval.Message)
	}{
		{"PubKeyRequest",
			privval.Message{Sum: &privval.Message_PubKeyRequest{PubKeyRequest: &privval.PubKeyRequest{ChainId: "c"}}},
			"0a 03 0a 01 63",
			func(t *testing.T, m *privval.Message) {
				if m.GetPubKeyRequest().GetChainId() != "c" {
					t.Fatalf("decoded %+v", m.Sum)
				}
			}},
		{"PubKeyResponse",
			privval.Message{Sum: &privval.Message_PubKeyResponse{PubKeyResponse: &privval.PubKeyResponse{
				PubKey: crypto.PublicKey{Sum: &crypto.PublicKey_Ed25519{Ed25519: filled(32, 0x01)}},
			}}},
			"12 24 0a 22 0a 20 " + strings.Repeat("01", 32),
			func(t *testing.T, m *privval.Message) {
				r := m.GetPubKeyResponse()
				if r == nil || !bytes.Equal(r.PubKey.GetEd25519(), filled(32, 0x01)) || r.Error != nil {
					t.Fatalf("decoded %+v", r)
				}
			}},
		{"SignVoteRequest",
			privval.Message{Sum: &privval.Message_SignVoteRequest{SignVoteRequest: &privval.SignVoteRequest{
				Vote:    &types.Vote{Type: types.PrevoteType, Height: 1},
				ChainId: "c",
			}}},
			"1a 1a 0a 15 08 01 10 01 22 02 12 00 2a 0b " + zeroTimeHex + " 12 01 63",
			func(t *testing.T, m *privval.Message) {
				r := m.GetSignVoteRequest()
				if r == nil || r.ChainId != "c" || r.Vote.Height != 1 || r.Vote.Type != types.PrevoteType {
					t.Fatalf("decoded %+v", r)
				}
			}},
		{"SignedVoteResponse with error",
			privval.Message{Sum: &privval.Message_SignedVoteResponse{SignedVoteResponse: &privval.SignedVoteResponse{
				Error: &privval.RemoteSignerError{Code: int32(privval.Errors_ERRORS_NO_CONNECTION), Description: "no"},
			}}},
			"22 1b 0a 11 22 02 12 00 2a 0b " + zeroTimeHex + " 12 06 08 02 12 02 6e 6f",
			func(t *testing.T, m *privval.Message) {
				r := m.GetSignedVoteResponse()
				if r == nil || r.Error.GetCode() != 2 || r.Error.GetDescription() != "no" {
					t.Fatalf("decoded %+v", r)
				}
			}},
		{"SignProposalRequest",
			privval.Message{Sum: &privval.Message_SignProposalRequest{SignProposalRequest: &privval.SignProposalRequest{
				Proposal: &types.Proposal{Type: types.ProposalType, Height: 1, PolRound: -1},
				ChainId:  "c",
			}}},
			"2a 25 0a 20 08 20 10 01 20 ff ff ff ff ff ff ff ff ff 01 2a 02 12 00 32 0b " + zeroTimeHex + " 12 01 63",
			func(t *testing.T, m *privval.Message) {
				r := m.GetSignProposalRequest()
				if r == nil || r.Proposal.PolRound != -1 || r.Proposal.Type != types.ProposalType {
					t.Fatalf("decoded %+v", r)
				}
			}},
		{"SignedProposalResponse",
			privval.Message{Sum: &privval.Message_SignedProposalResponse{SignedProposalResponse: &privval.SignedProposalResponse{
				Proposal: types.Proposal{Height: 4, Signature: []byte{9}},
			}}},
			"32 18 0a 16 10 04 2a 02 12 00 32 0b " + zeroTimeHex + " 3a 01 09",
			func(t *testing.T, m *privval.Message) {
				r := m.GetSignedProposalResponse()
				if r == nil || r.Proposal.Height != 4 || !bytes.Equal(r.Proposal.Signature, []byte{9}) {
					t.Fatalf("decoded %+v", r)
				}
			}},
		{"PingRequest", privval.Message{Sum: &privval.Message_PingRequest{PingRequest: &privval.PingRequest{}}}, "3a 00",
			func(t *testing.T, m *privval.Message) {
				if m.GetPingRequest() == nil {
					t.Fatalf("decoded %T", m.Sum)
				}
			}},
		{"PingResponse", privval.Message{Sum: &privval.Message_PingResponse{PingResponse: &privval.PingResponse{}}}, "42 00",
			func(t *testing.T, m *privval.Message) {
				if m.GetPingResponse() == nil {
					t.Fatalf("decoded %T", m.Sum)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.want)
			if got := encode(t, &tc.msg); !bytes.Equal(got, want) {
				t.Fatalf("encoding\n got %x\nwant %x", got, want)
			}
			tc.check(t, roundTrip[privval.Message](t, want))
		})
	}
}
