package evidence

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// lunatic returns a light client attack: a forged block at height, signed by the chain's
// validators signers (indexes into the set) as its whole validator set, attacking from common.
// Its time is the chain's time at height unless at is non-zero.
func (c *testChain) lunatic(common, height int64, signers ...int) *types.LightClientAttackEvidence {
	c.t.Helper()
	vals := make([]*types.Validator, len(signers))
	for i, s := range signers {
		vals[i] = c.vals.Validators[s]
	}
	forgedSet := mustValidatorSet(c.t, vals)
	header := c.header(height)
	header.ValidatorsHash, header.NextValidatorsHash = forgedSet.Hash(), forgedSet.Hash()
	header.AppHash = hashOf("forged app state")
	ev := c.attack(header, forgedSet, 0, common)
	for _, s := range signers {
		ev.ByzantineValidators = append(ev.ByzantineValidators, c.vals.Validators[s])
	}
	ev.ByzantineValidators = sortedValidators(ev.ByzantineValidators)
	return ev
}

// equivocation returns a light client attack at height: a second block derived from the same
// state as the chain's (different data), signed by every validator in round.
func (c *testChain) equivocation(height int64, round int32) *types.LightClientAttackEvidence {
	c.t.Helper()
	header := c.header(height)
	header.DataHash = hashOf("other transactions")
	ev := c.attack(header, c.vals, round, height)
	if round == 0 { // the chain's own commits are of round 0: equivocation, else amnesia
		ev.ByzantineValidators = c.vals.Validators
	}
	return ev
}

// attack signs header with vals in round and wraps it as evidence from common, without
// byzantine validators.
func (c *testChain) attack(header *types.Header, vals *types.ValidatorSet, round int32, common int64) *types.LightClientAttackEvidence {
	id := types.BlockID{Hash: header.Hash(), PartSetHeader: types.PartSetHeader{Total: 1, Hash: hashOf("forged parts")}}
	commit := c.signCommit(vals, header.Height, round, id)
	return &types.LightClientAttackEvidence{
		ConflictingBlock: &types.LightBlock{SignedHeader: &types.SignedHeader{Header: header, Commit: commit}, ValidatorSet: vals},
		CommonHeight:     common,
		TotalVotingPower: c.vals.TotalVotingPower(),
		Timestamp:        blockTime(common),
	}
}

func sortedValidators(vals []*types.Validator) []*types.Validator {
	out := append([]*types.Validator(nil), vals...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if byPowerThenAddress(out[j], out[i]) < 0 {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestLightClientAttacksVerify(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	forward := c.lunatic(2, 10, 0, 1)
	forward.ConflictingBlock.Time = blockTime(5) // not after the latest block: breaks monotonic time
	forward = resignAttack(c, forward)
	cases := map[string]*types.LightClientAttackEvidence{
		"lunatic":             c.lunatic(2, 4, 0, 1),
		"lunatic by all":      c.lunatic(3, 5, 0, 1, 2, 3),
		"forward lunatic":     forward,
		"equivocation":        c.equivocation(3, 0),
		"amnesia":             c.equivocation(4, 1),
		"equivocation at top": c.equivocation(6, 0), // trusted commit is the seen commit
	}
	for name, ev := range cases {
		t.Run(name, func(t *testing.T) {
			p := c.newPool(dbm.NewMemDB())
			if err := p.AddEvidence(ev); err != nil {
				t.Fatalf("AddEvidence: %v", err)
			}
			if err := p.CheckEvidence(types.EvidenceList{ev}); err != nil {
				t.Fatalf("CheckEvidence of pending attack: %v", err)
			}
			if p.Size() != 1 {
				t.Fatalf("pending size %d, want 1", p.Size())
			}
		})
	}
	if n := len(cases["amnesia"].ByzantineValidators); n != 0 {
		t.Fatalf("amnesia names %d validators", n)
	}
}

// resignAttack re-signs the conflicting block of ev after its header changed.
func resignAttack(c *testChain, ev *types.LightClientAttackEvidence) *types.LightClientAttackEvidence {
	cb := ev.ConflictingBlock
	out := c.attack(cb.Header, cb.ValidatorSet, cb.Commit.Round, ev.CommonHeight)
	out.ByzantineValidators = ev.ByzantineValidators
	return out
}

func TestLightClientAttacksRejected(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	own := func() *types.LightClientAttackEvidence {
		// The chain's own block 3 presented as an attack.
		meta, _ := c.blocks.LoadBlockMeta(3)
		commit, _ := c.blocks.LoadBlockCommit(3)
		header := meta.Header
		return &types.LightClientAttackEvidence{
			ConflictingBlock: &types.LightBlock{SignedHeader: &types.SignedHeader{Header: &header, Commit: commit}, ValidatorSet: c.vals},
			CommonHeight:     3, ByzantineValidators: c.vals.Validators,
			TotalVotingPower: 40, Timestamp: blockTime(3),
		}
	}
	cases := []struct {
		name   string
		ev     func() *types.LightClientAttackEvidence
		reason error
		text   string
	}{
		{"byzantine validator missing", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			ev.ByzantineValidators = ev.ByzantineValidators[:1]
			return ev
		}, ErrByzantineValidators, "expected 2 byzantine validators, evidence names 1"},
		{"byzantine validator extra", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			ev.ByzantineValidators = append(ev.ByzantineValidators, c.vals.Validators[3])
			return ev
		}, ErrByzantineValidators, "expected 2 byzantine validators, evidence names 3"},
		{"byzantine validators out of order", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			ev.ByzantineValidators[0], ev.ByzantineValidators[1] = ev.ByzantineValidators[1], ev.ByzantineValidators[0]
			return ev
		}, ErrByzantineValidators, "byzantine validator 0 is"},
		{"byzantine validator power", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			v := ev.ByzantineValidators[1].Copy()
			v.VotingPower = 7
			ev.ByzantineValidators[1] = v
			return ev
		}, ErrByzantineValidators, "has power 7, expected 10"},
		{"amnesia naming validators", func() *types.LightClientAttackEvidence {
			ev := c.equivocation(4, 1)
			ev.ByzantineValidators = c.vals.Validators[:1]
			return ev
		}, ErrByzantineValidators, "expected 0 byzantine validators"},
		{"too little trusted power", func() *types.LightClientAttackEvidence { return c.lunatic(2, 4, 0) },
			ErrConflictingBlock, "skipping verification from the common height 2 failed"},
		{"wrong total power", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			ev.TotalVotingPower = 30
			return ev
		}, ErrPowerMismatch, "total voting power 30 in the evidence, 40 at the common height"},
		{"forged header at the common height", func() *types.LightClientAttackEvidence { return c.lunatic(4, 4, 0, 1, 2) },
			ErrConflictingBlock, "not correctly derived"},
		{"the chain's own block", own, ErrConflictingBlock, "is the trusted block"},
		{"forward lunatic keeping time monotonic", func() *types.LightClientAttackEvidence { return c.lunatic(2, 10, 0, 1) },
			ErrConflictingBlock, "before the conflicting block time"},
		{"commit of another block", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			sig := &ev.ConflictingBlock.Commit.Signatures[0]
			sig.Signature = append([]byte(nil), sig.Signature...)
			sig.Signature[0] ^= 1
			return ev
		}, ErrConflictingBlock, ""},
		{"wrong timestamp", func() *types.LightClientAttackEvidence {
			ev := c.lunatic(2, 4, 0, 1)
			ev.Timestamp = blockTime(3)
			return ev
		}, ErrTimeMismatch, "block 2 time"},
		{"common height from the future", func() *types.LightClientAttackEvidence { return c.lunatic(7, 8, 0, 1) },
			ErrFromFuture, "above the last committed height 6"},
	}
	p := c.newPool(dbm.NewMemDB())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := p.AddEvidence(tc.ev())
			if !errors.Is(err, types.ErrInvalidEvidence) || !errors.Is(err, tc.reason) {
				t.Fatalf("got %v, want %v wrapped in ErrInvalidEvidence", err, tc.reason)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error %q does not say %q", err, tc.text)
			}
			if p.Size() != 0 {
				t.Fatal("invalid attack became pending")
			}
		})
	}
}

func TestByzantineValidatorsOrder(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d", "e")
	ev := c.lunatic(1, 2, 4, 2, 0)
	trusted := &types.SignedHeader{Header: c.header(2), Commit: &types.Commit{Height: 2}}
	got := ByzantineValidators(ev, c.vals, trusted)
	want := []*types.Validator{c.vals.Validators[0], c.vals.Validators[2], c.vals.Validators[4]}
	if len(got) != len(want) {
		t.Fatalf("got %d validators, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i].Address) != string(want[i].Address) {
			t.Fatalf("validator %d is %X, want %X", i, got[i].Address, want[i].Address)
		}
	}
}

func TestVerifyLightClientAttackCallerErrors(t *testing.T) {
	c := newTestChain(t, "a", "b")
	ev := c.lunatic(1, 2, 0, 1)
	if err := VerifyLightClientAttack(ev, nil, nil, c.vals); err == nil || errors.Is(err, types.ErrInvalidEvidence) {
		t.Fatalf("missing headers: %v, want a caller error", err)
	}
	if err := VerifyLightClientAttack(nil, nil, nil, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("nil evidence: %v, want ErrMalformed", err)
	}
}

// The block executor hands committed evidence to the application as Misbehavior
// (state.MisbehaviorFromEvidence); evidence made by this pool converts as abci.md §4.2 says.
func TestPoolEvidenceAsMisbehavior(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	dve := c.duplicateVote(2, 5)
	lca := c.lunatic(2, 4, 0, 1)
	got, err := state.MisbehaviorFromEvidence(types.EvidenceList{dve, lca})
	if err != nil {
		t.Fatal(err)
	}
	want := []abci.Misbehavior{
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: c.vals.Validators[2].Address, Power: 10},
			Height: 5, Time: blockTime(5), TotalVotingPower: 40},
		{Type: abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, Validator: abci.Validator{Address: c.vals.Validators[0].Address, Power: 10},
			Height: 2, Time: blockTime(2), TotalVotingPower: 40},
		{Type: abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, Validator: abci.Validator{Address: c.vals.Validators[1].Address, Power: 10},
			Height: 2, Time: blockTime(2), TotalVotingPower: 40},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d misbehaviors, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("misbehavior %d = %v, want %v", i, got[i], want[i])
		}
	}
}

// A light client attack's hash covers only the conflicting block and the common height, so a
// block may carry a variant of pending evidence with the same hash: it is verified again.
func TestCheckEvidenceReverifiesPendingAttack(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	p := c.newPool(dbm.NewMemDB())
	ev := c.lunatic(2, 4, 0, 1)
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	variant := *ev
	variant.ByzantineValidators = ev.ByzantineValidators[:1]
	if string(variant.Hash()) != string(ev.Hash()) {
		t.Fatal("test assumes the variant has the same hash")
	}
	if err := p.CheckEvidence(types.EvidenceList{&variant}); !errors.Is(err, ErrByzantineValidators) {
		t.Fatalf("variant of pending attack: %v, want ErrByzantineValidators", err)
	}
}
