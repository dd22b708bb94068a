package evidence

import (
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

func TestVerifyDuplicateVoteAcceptsSignedConflict(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	for _, typ := range []types.SignedMsgType{types.PrevoteType, types.PrecommitType} {
		v1 := c.vote(2, 5, "one")
		v2 := c.vote(2, 5, "two")
		for _, v := range []*types.Vote{v1, v2} {
			v.Type = typ
			c.sign(c.key(2), v)
		}
		ev, err := types.NewDuplicateVoteEvidence(v2, v1, blockTime(5), c.vals)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyDuplicateVote(ev, testChainID, c.vals); err != nil {
			t.Fatalf("%v: %v", typ, err)
		}
	}
	// A vote for nil conflicts with a vote for a block.
	nilVote := c.vote(1, 5, "x")
	nilVote.BlockID = types.BlockID{}
	c.sign(c.key(1), nilVote)
	ev, err := types.NewDuplicateVoteEvidence(nilVote, c.vote(1, 5, "one"), blockTime(5), c.vals)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyDuplicateVote(ev, testChainID, c.vals); err != nil {
		t.Fatalf("nil vs block: %v", err)
	}
}

func TestVerifyDuplicateVoteRejects(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	outsider := keyOf("outsider")
	// resign re-signs vote after a change, by the key of its validator address.
	resign := func(v *types.Vote) *types.Vote {
		if string(v.ValidatorAddress) == string(outsider.PubKey().Address()) {
			return c.sign(outsider, v)
		}
		return c.sign(c.keys[string(v.ValidatorAddress)], v)
	}
	cases := []struct {
		name   string
		mutate func(ev *types.DuplicateVoteEvidence)
		vals   *types.ValidatorSet
		chain  string
		reason error
		text   string
	}{
		{name: "same block ID", reason: ErrNotConflicting, text: "both votes are for block",
			mutate: func(ev *types.DuplicateVoteEvidence) {
				ev.VoteB.BlockID = ev.VoteA.BlockID
				resign(ev.VoteB)
			}},
		{name: "different heights", reason: ErrNotConflicting, text: "height/round/type differ",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteB.Height++; resign(ev.VoteB) }},
		{name: "different rounds", reason: ErrNotConflicting, text: "height/round/type differ",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteB.Round = 1; resign(ev.VoteB) }},
		{name: "different types", reason: ErrNotConflicting, text: "height/round/type differ",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteB.Type = types.PrecommitType; resign(ev.VoteB) }},
		{name: "different validators", reason: ErrNotConflicting, text: "validator addresses differ",
			mutate: func(ev *types.DuplicateVoteEvidence) {
				ev.VoteB.ValidatorAddress = c.vals.Validators[3].Address
				resign(ev.VoteB)
			}},
		{name: "validator not in the set", reason: ErrUnknownValidator, text: "was not a validator at height 5",
			mutate: func(ev *types.DuplicateVoteEvidence) {
				for _, v := range []*types.Vote{ev.VoteA, ev.VoteB} {
					v.ValidatorAddress = outsider.PubKey().Address()
					resign(v)
				}
			}},
		{name: "bad signature of vote A", reason: ErrBadSignature, text: "vote A",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteA.Signature[0] ^= 1 }},
		{name: "bad signature of vote B", reason: ErrBadSignature, text: "vote B",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteB.Signature[10] ^= 1 }},
		{name: "signed for another chain", reason: ErrBadSignature, chain: "other-chain", text: "vote A"},
		{name: "wrong validator power", reason: ErrPowerMismatch, text: "validator power 11 in the evidence, 10 in the set",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.ValidatorPower = 11 }},
		{name: "wrong total power", reason: ErrPowerMismatch, text: "total voting power 30 in the evidence, 40 in the set",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.TotalVotingPower = 30 }},
		{name: "power of another set", reason: ErrPowerMismatch, text: "total voting power 40 in the evidence, 30 in the set",
			vals: mustValidatorSet(t, c.vals.Validators[:3])},
		{name: "votes out of order", reason: ErrMalformed, text: "not in block ID order",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteA, ev.VoteB = ev.VoteB, ev.VoteA }},
		{name: "missing vote", reason: ErrMalformed, text: "misses a vote",
			mutate: func(ev *types.DuplicateVoteEvidence) { ev.VoteB = nil }},
		{name: "invalid vote", reason: ErrMalformed, text: "vote A",
			mutate: func(ev *types.DuplicateVoteEvidence) {
				ev.VoteA.Signature = nil
				ev.VoteB.Signature = nil
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := c.duplicateVote(1, 5)
			if tc.mutate != nil {
				tc.mutate(ev)
			}
			vals, chain := c.vals, testChainID
			if tc.vals != nil {
				vals = tc.vals
			}
			if tc.chain != "" {
				chain = tc.chain
			}
			err := VerifyDuplicateVote(ev, chain, vals)
			if !errors.Is(err, types.ErrInvalidEvidence) || !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want %v wrapped in ErrInvalidEvidence", err, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q does not say %q", err, tc.text)
			}
		})
	}
}

func TestVerifyDuplicateVoteBadSignatureWrapsVoteError(t *testing.T) {
	c := newTestChain(t, "a", "b")
	ev := c.duplicateVote(0, 3)
	ev.VoteB.Signature[0] ^= 1
	if err := VerifyDuplicateVote(ev, testChainID, c.vals); !errors.Is(err, types.ErrVoteInvalidSignature) {
		t.Fatalf("got %v, want types.ErrVoteInvalidSignature", err)
	}
}

func TestVerifyDuplicateVoteNilSetIsCallerError(t *testing.T) {
	c := newTestChain(t, "a")
	err := VerifyDuplicateVote(c.duplicateVote(0, 1), testChainID, nil)
	if err == nil || errors.Is(err, types.ErrInvalidEvidence) {
		t.Fatalf("got %v, want a caller error not blaming the evidence", err)
	}
}

func mustValidatorSet(t testing.TB, vals []*types.Validator) *types.ValidatorSet {
	t.Helper()
	copies := make([]*types.Validator, len(vals))
	for i, v := range vals {
		copies[i] = types.NewValidator(v.PubKey, v.VotingPower)
	}
	set, err := types.NewValidatorSet(copies)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
