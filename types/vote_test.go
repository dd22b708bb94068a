package types

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

const testChainID = "test-chain"

var testTime = time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC)

// testKey returns the deterministic ed25519 key with seed SHA-256(secret).
func testKey(secret string) ed25519.PrivKey {
	return ed25519.GenPrivKeyFromSecret([]byte(secret))
}

// signVote signs vote (and, for a non-nil precommit, its extension) with key.
func signVote(t testing.TB, key crypto.PrivKey, vote *Vote) *Vote {
	t.Helper()
	sig, err := key.Sign(vote.SignBytes(testChainID))
	if err != nil {
		t.Fatal(err)
	}
	vote.Signature = sig
	if vote.isNonNilPrecommit() {
		extSig, err := key.Sign(vote.ExtensionSignBytes(testChainID))
		if err != nil {
			t.Fatal(err)
		}
		vote.ExtensionSignature = extSig
	}
	return vote
}

// exampleVote returns a signed non-nil precommit with an extension, by testKey("a").
func exampleVote(t testing.TB) *Vote {
	key := testKey("a")
	return signVote(t, key, &Vote{
		Type:             PrecommitType,
		Height:           12,
		Round:            2,
		BlockID:          completeBlockID("block"),
		Timestamp:        testTime,
		ValidatorAddress: key.PubKey().Address(),
		ValidatorIndex:   3,
		Extension:        []byte("ext"),
	})
}

func TestVoteValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Vote)
		reason string // substring of the error; "" means valid
	}{
		{"valid precommit with extension", func(*Vote) {}, ""},
		{"valid prevote", func(v *Vote) { v.Type = PrevoteType; v.Extension, v.ExtensionSignature = nil, nil }, ""},
		{"valid nil precommit", func(v *Vote) { v.BlockID = BlockID{}; v.Extension, v.ExtensionSignature = nil, nil }, ""},
		{"valid precommit without extension", func(v *Vote) { v.Extension, v.ExtensionSignature = nil, nil }, ""},
		{"valid precommit with signed empty extension", func(v *Vote) { v.Extension = nil }, ""},
		{"unknown type", func(v *Vote) { v.Type = UnknownType }, "invalid type"},
		{"proposal type", func(v *Vote) { v.Type = ProposalType }, "invalid type"},
		{"zero height", func(v *Vote) { v.Height = 0 }, "non-positive height"},
		{"negative height", func(v *Vote) { v.Height = -1 }, "non-positive height"},
		{"negative round", func(v *Vote) { v.Round = -1 }, "negative round"},
		{"bad block hash", func(v *Vote) { v.BlockID.Hash = v.BlockID.Hash[:5] }, "block ID"},
		{"incomplete block ID", func(v *Vote) { v.BlockID.PartSetHeader = PartSetHeader{} }, "neither nil nor complete"},
		{"short address", func(v *Vote) { v.ValidatorAddress = v.ValidatorAddress[:19] }, "validator address"},
		{"negative index", func(v *Vote) { v.ValidatorIndex = -1 }, "negative validator index"},
		{"no signature", func(v *Vote) { v.Signature = nil }, "signature is missing"},
		{"oversized signature", func(v *Vote) { v.Signature = make([]byte, MaxSignatureSize+1) }, "at most 3309"},
		{"extension on prevote", func(v *Vote) { v.Type = PrevoteType; v.ExtensionSignature = nil }, "extension on a vote"},
		{"extension signature on prevote", func(v *Vote) { v.Type = PrevoteType; v.Extension = nil }, "extension signature on a vote"},
		{"extension on nil precommit", func(v *Vote) { v.BlockID = BlockID{}; v.ExtensionSignature = nil }, "extension on a vote"},
		{"oversized extension signature", func(v *Vote) { v.ExtensionSignature = make([]byte, MaxSignatureSize+1) }, "extension signature has"},
		{"extension without signature", func(v *Vote) { v.ExtensionSignature = nil }, "extension without extension signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := exampleVote(t)
			tc.modify(v)
			err := v.ValidateBasic()
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("valid vote rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidVote) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err %v, want ErrInvalidVote with %q", err, tc.reason)
			}
		})
	}
	var nilVote *Vote
	if err := nilVote.ValidateBasic(); !errors.Is(err, ErrVoteNil) {
		t.Fatalf("nil vote: %v", err)
	}
}

func TestVoteVerify(t *testing.T) {
	key := testKey("a")
	other := testKey("b")
	v := exampleVote(t)
	if err := v.Verify(testChainID, key.PubKey()); err != nil {
		t.Fatalf("valid vote: %v", err)
	}
	if err := v.VerifyVoteAndExtension(testChainID, key.PubKey()); err != nil {
		t.Fatalf("valid vote and extension: %v", err)
	}
	if err := v.Verify(testChainID, other.PubKey()); !errors.Is(err, ErrVoteInvalidValidatorAddress) {
		t.Fatalf("other key: %v", err)
	}
	if err := v.Verify("other-chain", key.PubKey()); !errors.Is(err, ErrVoteInvalidSignature) {
		t.Fatalf("other chain: %v", err)
	}
	tampered := v.Copy()
	tampered.Timestamp = tampered.Timestamp.Add(time.Nanosecond)
	if err := tampered.Verify(testChainID, key.PubKey()); !errors.Is(err, ErrVoteInvalidSignature) {
		t.Fatalf("tampered time: %v", err)
	}
	// The extension is not covered by the vote signature, only by the extension signature.
	extTampered := v.Copy()
	extTampered.Extension = []byte("other")
	if err := extTampered.Verify(testChainID, key.PubKey()); err != nil {
		t.Fatalf("extension change broke the vote signature: %v", err)
	}
	if err := extTampered.VerifyExtension(testChainID, key.PubKey()); !errors.Is(err, ErrVoteInvalidSignature) {
		t.Fatalf("tampered extension: %v", err)
	}
	if err := extTampered.VerifyVoteAndExtension(testChainID, key.PubKey()); !errors.Is(err, ErrVoteInvalidSignature) {
		t.Fatalf("tampered extension, full check: %v", err)
	}
	noExt := v.Copy()
	noExt.Extension, noExt.ExtensionSignature = nil, nil
	if err := noExt.VerifyVoteAndExtension(testChainID, key.PubKey()); !errors.Is(err, ErrVoteExtensionAbsent) {
		t.Fatalf("missing extension signature: %v", err)
	}
	if err := noExt.EnsureExtension(); !errors.Is(err, ErrVoteExtensionAbsent) {
		t.Fatalf("EnsureExtension: %v", err)
	}
	prevote := signVote(t, key, &Vote{Type: PrevoteType, Height: 1, BlockID: completeBlockID("x"),
		Timestamp: testTime, ValidatorAddress: key.PubKey().Address()})
	if err := prevote.VerifyVoteAndExtension(testChainID, key.PubKey()); err != nil {
		t.Fatalf("prevote needs no extension: %v", err)
	}
	if err := prevote.EnsureExtension(); err != nil {
		t.Fatalf("prevote EnsureExtension: %v", err)
	}
}

func TestVoteSignBytesMatchCanonical(t *testing.T) {
	v := exampleVote(t)
	if !bytes.Equal(v.SignBytes(testChainID), VoteSignBytes(testChainID, v.ToProto())) {
		t.Fatal("SignBytes differs from VoteSignBytes")
	}
	if !bytes.Equal(v.ExtensionSignBytes(testChainID), VoteExtensionSignBytes(testChainID, v.ToProto())) {
		t.Fatal("ExtensionSignBytes differs from VoteExtensionSignBytes")
	}
}

func TestVoteProtoRoundTrip(t *testing.T) {
	v := exampleVote(t)
	wire, err := v.ToProto().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var pb tmproto.Vote
	if err := pb.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := VoteFromProto(&pb)
	if err != nil {
		t.Fatal(err)
	}
	if back.String() != v.String() || !back.Timestamp.Equal(v.Timestamp) || !back.BlockID.Equals(v.BlockID) ||
		!bytes.Equal(back.Signature, v.Signature) || !bytes.Equal(back.ExtensionSignature, v.ExtensionSignature) ||
		!bytes.Equal(back.Extension, v.Extension) {
		t.Fatalf("round trip changed the vote:\n%v\n%v", v, back)
	}
	if _, err := VoteFromProto(nil); !errors.Is(err, ErrInvalidVote) {
		t.Fatalf("nil proto: %v", err)
	}
	bad := v.ToProto()
	bad.Height = 0
	if _, err := VoteFromProto(bad); !errors.Is(err, ErrInvalidVote) {
		t.Fatalf("invalid proto accepted: %v", err)
	}
	var nilVote *Vote
	if nilVote.ToProto() != nil {
		t.Fatal("nil vote must encode as nil")
	}
}

func TestVoteCommitSig(t *testing.T) {
	v := exampleVote(t)
	cs := v.CommitSig()
	if cs.BlockIDFlag != BlockIDFlagCommit || !bytes.Equal(cs.Signature, v.Signature) || !cs.Timestamp.Equal(v.Timestamp) {
		t.Fatalf("commit sig %v", cs)
	}
	ecs := v.ExtendedCommitSig()
	if !bytes.Equal(ecs.Extension, v.Extension) || !bytes.Equal(ecs.ExtensionSignature, v.ExtensionSignature) {
		t.Fatalf("extended commit sig %v", ecs)
	}
	nilVote := v.Copy()
	nilVote.BlockID = BlockID{}
	if nilVote.CommitSig().BlockIDFlag != BlockIDFlagNil {
		t.Fatal("nil precommit must give a NIL entry")
	}
	var missing *Vote
	if !missing.CommitSig().Absent() || !missing.ExtendedCommitSig().Absent() {
		t.Fatal("missing vote must give an ABSENT entry")
	}
}

func TestVoteCopyIsDeep(t *testing.T) {
	v := exampleVote(t)
	c := v.Copy()
	c.Signature[0] ^= 1
	c.BlockID.Hash[0] ^= 1
	c.ValidatorAddress[0] ^= 1
	if bytes.Equal(c.Signature, v.Signature) || bytes.Equal(c.BlockID.Hash, v.BlockID.Hash) ||
		bytes.Equal(c.ValidatorAddress, v.ValidatorAddress) {
		t.Fatal("copy shares memory with the original")
	}
}

func FuzzVoteFromProto(f *testing.F) {
	wire, _ := exampleVote(f).ToProto().Marshal()
	f.Add(wire)
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x01, 0x10, 0x01, 0x22, 0x02, 0x12, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.Vote
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		v, err := VoteFromProto(&pb)
		if err != nil {
			return
		}
		_ = v.SignBytes(testChainID)
		_ = v.String()
		if v.Type == PrecommitType {
			_ = v.ExtendedCommitSig()
		}
		back, err := VoteFromProto(v.ToProto())
		if err != nil || !back.BlockID.Equals(v.BlockID) {
			t.Fatalf("re-decoding a valid vote failed: %v", err)
		}
	})
}
