package privval

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestSignaturesVerifyAgainstSignBytes(t *testing.T) {
	pv := newTestPV(t)
	pub, err := pv.PubKey()
	if err != nil {
		t.Fatal(err)
	}
	p := newProposal(3, 1, 9)
	if err := pv.SignProposal(testChainID, p); err != nil {
		t.Fatal(err)
	}
	if !pub.VerifySignature(types.ProposalSignBytes(testChainID, p), p.Signature) {
		t.Fatal("proposal signature does not verify against ProposalSignBytes")
	}
	for _, v := range []*tmproto.Vote{prevote(3, 1, 9), precommit(3, 1, 9), newVote(tmproto.PrevoteType, 3, 2, tmproto.BlockID{})} {
		if err := pv.SignVote(testChainID, v, true); err != nil {
			t.Fatal(err)
		}
		if !pub.VerifySignature(types.VoteSignBytes(testChainID, v), v.Signature) {
			t.Fatalf("%v signature does not verify against VoteSignBytes", v.Type)
		}
		if pub.VerifySignature(types.VoteSignBytes("other-chain", v), v.Signature) {
			t.Fatalf("%v signature verifies for another chain", v.Type)
		}
	}
}

func TestExtensionSignatureAlwaysFresh(t *testing.T) {
	pv := newTestPV(t)
	pub, _ := pv.PubKey()

	first := precommit(4, 0, 1)
	first.Extension = []byte("first extension")
	if err := pv.SignVote(testChainID, first, true); err != nil {
		t.Fatal(err)
	}
	if !pub.VerifySignature(types.VoteExtensionSignBytes(testChainID, first), first.ExtensionSignature) {
		t.Fatal("extension signature does not verify against VoteExtensionSignBytes")
	}

	// Same height, round and step, a different extension (the application
	// may produce one after a restart) and a later timestamp: the vote
	// signature is the stored one, the extension signature is new.
	again := precommit(4, 0, 1)
	again.Extension = []byte("second extension")
	again.Timestamp = baseTime.Add(time.Second)
	if err := pv.SignVote(testChainID, again, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Signature, first.Signature) {
		t.Fatal("vote signature not reused")
	}
	if bytes.Equal(again.ExtensionSignature, first.ExtensionSignature) {
		t.Fatal("extension signature reused for a different extension")
	}
	if !pub.VerifySignature(types.VoteExtensionSignBytes(testChainID, again), again.ExtensionSignature) {
		t.Fatal("fresh extension signature does not verify against VoteExtensionSignBytes")
	}
	// The extension is not part of the state.
	if got := pv.LastSignState().SignBytes; !bytes.Equal(got, types.VoteSignBytes(testChainID, first)) {
		t.Fatal("stored sign bytes are not the vote sign bytes")
	}
}

func TestExtensionSignedEvenWhenEmpty(t *testing.T) {
	pv := newTestPV(t)
	pub, _ := pv.PubKey()
	v := precommit(4, 0, 1)
	if err := pv.SignVote(testChainID, v, true); err != nil {
		t.Fatal(err)
	}
	if !pub.VerifySignature(types.VoteExtensionSignBytes(testChainID, v), v.ExtensionSignature) {
		t.Fatal("a non-nil precommit without extension must still get an extension signature")
	}
}

func TestExtensionNotSignedWhenDisabledOrNotANonNilPrecommit(t *testing.T) {
	tests := []struct {
		name          string
		vote          *tmproto.Vote
		signExtension bool
	}{
		{"precommit with extension signing disabled", precommit(4, 0, 1), false},
		{"prevote", prevote(4, 0, 1), true},
		{"nil precommit", newVote(tmproto.PrecommitType, 4, 0, tmproto.BlockID{}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pv := newTestPV(t)
			tt.vote.ExtensionSignature = []byte("stale")
			if err := pv.SignVote(testChainID, tt.vote, tt.signExtension); err != nil {
				t.Fatal(err)
			}
			if tt.vote.ExtensionSignature != nil {
				t.Fatalf("extension signature = %X, want none", tt.vote.ExtensionSignature)
			}
			if len(tt.vote.Signature) != ed25519.SignatureSize {
				t.Fatal("vote not signed")
			}
		})
	}
}

func TestUnexpectedExtensionRefused(t *testing.T) {
	withExt := func(v *tmproto.Vote) *tmproto.Vote { v.Extension = []byte("ext"); return v }
	runRefusals(t, []refusalCase{
		{"prevote", nil, signed{vote: withExt(prevote(4, 0, 1))}, ErrUnexpectedExtension},
		{"nil precommit", nil, signed{vote: withExt(newVote(tmproto.PrecommitType, 4, 0, tmproto.BlockID{}))}, ErrUnexpectedExtension},
	})
}

func TestUnknownVoteTypeRefused(t *testing.T) {
	runRefusals(t, []refusalCase{
		{"unknown", nil, signed{vote: newVote(tmproto.UnknownType, 4, 0, blockID(1))}, ErrUnknownVoteType},
		{"proposal type", nil, signed{vote: newVote(tmproto.ProposalType, 4, 0, blockID(1))}, ErrUnknownVoteType},
	})
}

func TestStateDurableWhenSignReturns(t *testing.T) {
	pv := newTestPV(t)
	v := precommit(8, 2, 1)
	if err := pv.SignVote(testChainID, v, true); err != nil {
		t.Fatal(err)
	}
	onDisk, err := loadLastSignState(pv.LastSignState().FilePath())
	if err != nil {
		t.Fatal(err)
	}
	want := FilePVLastSignState{Height: 8, Round: 2, Step: StepPrecommit, Signature: v.Signature, SignBytes: types.VoteSignBytes(testChainID, v)}
	assertStateEqual(t, onDisk, want)
}

// TestGenesisVectorSignatures checks the end-to-end vector of types.md §7.4:
// the key with seed SHA256("a") signs the height-1 proposal and precommit
// with exactly CometBFT's signatures.
func TestGenesisVectorSignatures(t *testing.T) {
	dir := t.TempDir()
	pv := NewFilePV(ed25519.GenPrivKeyFromSecret([]byte("a")), dir+"/k.json", dir+"/s.json")
	if err := pv.Save(); err != nil {
		t.Fatal(err)
	}
	if got, want := pv.Address().String(), "2C4E4D1DE6FBFC05D950FC7E6461BE3007DD16E4"; got != want {
		t.Fatalf("address = %s, want %s", got, want)
	}
	id := tmproto.BlockID{
		Hash:          mustHex(t, "551273a9d8467bbf2b8adf02cfbfb1287d72a69df987edce670d0eedd28795fa"),
		PartSetHeader: tmproto.PartSetHeader{Total: 1, Hash: mustHex(t, "4d9e142f33c0d9798145235e68b02d46a51126017c7245d3d24e85d12fef5b0c")},
	}
	const chainID = "test-chain"

	proposal := &tmproto.Proposal{
		Type: tmproto.ProposalType, Height: 1, Round: 0, PolRound: -1, BlockID: id,
		Timestamp: time.Date(2024, 1, 1, 0, 0, 0, 500_000_000, time.UTC),
	}
	if err := pv.SignProposal(chainID, proposal); err != nil {
		t.Fatal(err)
	}
	wantProposalSig := "32203b97f86ea6e32742309050c1ab636fde35cec1b2ad0e48426f8943822fe7dca45168f5cb0b006272b981a920fd89ff8c57eee9c67c0f4c46aff01b2c570a"
	if got := hex.EncodeToString(proposal.Signature); got != wantProposalSig {
		t.Fatalf("proposal signature = %s, want %s", got, wantProposalSig)
	}

	vote := &tmproto.Vote{
		Type: tmproto.PrecommitType, Height: 1, Round: 0, BlockID: id,
		Timestamp:        time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC),
		ValidatorAddress: pv.Address(),
	}
	if err := pv.SignVote(chainID, vote, false); err != nil {
		t.Fatal(err)
	}
	wantSignBytes := "69080211010000000000000022480a20551273a9d8467bbf2b8adf02cfbfb1287d72a69df987edce670d0eedd28795fa1224080112204d9e142f33c0d9798145235e68b02d46a51126017c7245d3d24e85d12fef5b0c2a06088181c8ac06320a746573742d636861696e"
	if got := hex.EncodeToString(pv.LastSignState().SignBytes); got != wantSignBytes {
		t.Fatalf("stored sign bytes = %s, want %s", got, wantSignBytes)
	}
	wantVoteSig := "d71d36821ace9b9393935c901974d84eb5e5d1423a41addbdae3418a4d4b5da63210df162c09ad98b685ecd49af011ac1d586c01bb2c06f93ff3f0a2b0c4190c"
	if got := hex.EncodeToString(vote.Signature); got != wantVoteSig {
		t.Fatalf("precommit signature = %s, want %s", got, wantVoteSig)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignErrorsNameTheMessage(t *testing.T) {
	pv := newTestPV(t)
	mustSign(t, pv, signed{vote: precommit(10, 0, 1)})
	err := pv.SignVote(testChainID, prevote(9, 3, 1), true)
	if !errors.Is(err, ErrHeightRegression) {
		t.Fatalf("err = %v", err)
	}
	const want = "privval: signing SIGNED_MSG_TYPE_PREVOTE at height 9 round 3: height regression: got height 9, last signed height 10"
	if err.Error() != want {
		t.Fatalf("error text = %q, want %q", err, want)
	}
}

func TestConcurrentSignersGetOneSignature(t *testing.T) {
	pv := newTestPV(t)
	const n = 8
	sigs := make(chan []byte, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			v := precommit(6, 1, 1)
			if err := pv.SignVote(testChainID, v, true); err != nil {
				errs <- err
				return
			}
			sigs <- v.Signature
		}()
	}
	var first []byte
	for range n {
		select {
		case err := <-errs:
			t.Fatal(err)
		case sig := <-sigs:
			if first == nil {
				first = sig
			} else if !bytes.Equal(sig, first) {
				t.Fatal("concurrent identical requests got different signatures")
			}
		}
	}
}
