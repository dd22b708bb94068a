package sim

import (
	"errors"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

func testVote(t types.SignedMsgType, h int64, r int32, hash byte, ts time.Time) *types.Vote {
	key := ed25519.GenPrivKeyFromSecret([]byte("signer-test"))
	id := types.BlockID{}
	if hash != 0 {
		id = types.BlockID{Hash: bytesOf(hash, 32), PartSetHeader: types.PartSetHeader{Total: 1, Hash: bytesOf(hash, 32)}}
	}
	return &types.Vote{Type: t, Height: h, Round: r, BlockID: id, Timestamp: ts,
		ValidatorAddress: key.PubKey().Address(), ValidatorIndex: 0}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestSignerGuard(t *testing.T) {
	key := ed25519.GenPrivKeyFromSecret([]byte("signer-test"))
	s := newSigner(key, "chain")
	t0 := genesisTime

	v := testVote(types.PrevoteType, 5, 1, 0xAA, t0)
	if fresh, err := s.signVote(v); err != nil || !fresh {
		t.Fatalf("first prevote: fresh=%v err=%v", fresh, err)
	}
	if err := v.Verify("chain", key.PubKey()); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	stored := v.Signature

	// The same vote again: the stored signature.
	again := testVote(types.PrevoteType, 5, 1, 0xAA, t0)
	if fresh, err := s.signVote(again); err != nil || fresh || string(again.Signature) != string(stored) {
		t.Fatalf("same vote: fresh=%v err=%v", fresh, err)
	}
	// Only the timestamp differs: the stored signature and timestamp.
	later := testVote(types.PrevoteType, 5, 1, 0xAA, t0.Add(time.Second))
	if fresh, err := s.signVote(later); err != nil || fresh || !later.Timestamp.Equal(t0) {
		t.Fatalf("timestamp-only change: fresh=%v err=%v ts=%v", fresh, err, later.Timestamp)
	}
	if err := later.Verify("chain", key.PubKey()); err != nil {
		t.Fatalf("reused signature does not verify with the stored timestamp: %v", err)
	}

	refused := []struct {
		name string
		vote *types.Vote
	}{
		{"another block at the same HRS", testVote(types.PrevoteType, 5, 1, 0xBB, t0)},
		{"nil at the same HRS", testVote(types.PrevoteType, 5, 1, 0, t0)},
		{"height regression", testVote(types.PrecommitType, 4, 9, 0xAA, t0)},
		{"round regression", testVote(types.PrecommitType, 5, 0, 0xAA, t0)},
	}
	for _, tc := range refused {
		if _, err := s.signVote(tc.vote); !errors.Is(err, errSignRefused) {
			t.Errorf("%s: err = %v, want a refusal", tc.name, err)
		}
	}

	// A precommit is a later step; then a prevote of the same round is a step regression.
	if fresh, err := s.signVote(testVote(types.PrecommitType, 5, 1, 0xAA, t0)); err != nil || !fresh {
		t.Fatalf("precommit: fresh=%v err=%v", fresh, err)
	}
	if _, err := s.signVote(testVote(types.PrevoteType, 5, 1, 0xAA, t0)); !errors.Is(err, errSignRefused) {
		t.Fatalf("prevote after precommit: err = %v, want a step regression", err)
	}

	// A proposal of a later round is fresh; a different one at that round is refused, the
	// same one with another timestamp gets the stored signature.
	p := types.NewProposal(5, 2, -1, testVote(types.PrevoteType, 5, 2, 0xCC, t0).BlockID, t0)
	if err := s.signProposal(p); err != nil {
		t.Fatalf("proposal: %v", err)
	}
	other := types.NewProposal(5, 2, -1, testVote(types.PrevoteType, 5, 2, 0xDD, t0).BlockID, t0)
	if err := s.signProposal(other); !errors.Is(err, errSignRefused) {
		t.Fatalf("conflicting proposal: err = %v", err)
	}
	retimed := types.NewProposal(5, 2, -1, p.BlockID, t0.Add(time.Minute))
	if err := s.signProposal(retimed); err != nil || !retimed.Timestamp.Equal(t0) || string(retimed.Signature) != string(p.Signature) {
		t.Fatalf("retimed proposal: err=%v ts=%v", err, retimed.Timestamp)
	}
	// The equivocator's bypass signs anyway.
	if err := s.signUnguarded(other); err != nil || other.Verify("chain", key.PubKey()) != nil {
		t.Fatalf("unguarded signature: %v", err)
	}
}
