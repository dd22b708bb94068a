package sim

import (
	"bytes"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// TestValidatorChanges runs the valchange scenario and checks that validator updates took
// effect by the H+2 rule in the nodes' chains: added spares signed commits, removed validators
// stopped signing, and every header names its height's set.
func TestValidatorChanges(t *testing.T) {
	heavy(t)
	sc, _ := LookupScenario("valchange")
	for seed := uint64(1); seed <= 2; seed++ {
		s, err := New(sc.Config(seed), nil)
		if err != nil {
			t.Fatal(err)
		}
		res := s.Run()
		if res.Violation != nil {
			t.Fatalf("%v\nreplay: %s", res.Violation, res.ReplayCommand())
		}
		if res.Stats.ValUpdates < 5 {
			t.Fatalf("seed %d: only %d validator updates: %v", seed, res.Stats.ValUpdates, res)
		}
		spareSigned, changes := false, 0
		for h := int64(1); h <= s.check.maxHeight; h++ {
			b := s.check.chain[h].block
			set := s.check.sets.at(h)
			if !bytes.Equal(b.ValidatorsHash, set.Hash()) {
				t.Fatalf("seed %d height %d: header validators hash is not the model's", seed, h)
			}
			if len(s.check.chain[h].updates) > 0 && h+2 <= s.check.maxHeight {
				changes++
				// The updates of h change neither h's nor h+1's set, and show up at h+2.
				if !bytes.Equal(s.check.chain[h+1].block.ValidatorsHash, b.NextValidatorsHash) {
					t.Fatalf("seed %d: block %d's validators are not block %d's next validators", seed, h+1, h)
				}
				if bytes.Equal(s.check.chain[h+2].block.ValidatorsHash, s.check.chain[h+1].block.ValidatorsHash) &&
					!updatesKeepSet(s.check.sets.at(h+1), s.check.chain[h].updates) {
					t.Fatalf("seed %d: the updates of height %d did not change the set of height %d", seed, h, h+2)
				}
			}
			if h == 1 {
				continue
			}
			for _, sig := range b.LastCommit.Signatures {
				if sig.BlockIDFlag != types.BlockIDFlagCommit {
					continue
				}
				if !s.check.sets.at(h - 1).HasAddress(sig.ValidatorAddress) {
					t.Fatalf("seed %d: block %d's last commit is signed by %v, not in the set of height %d", seed, h, sig.ValidatorAddress, h-1)
				}
				for k := s.cfg.Validators; k < len(s.keys); k++ {
					spareSigned = spareSigned || bytes.Equal(sig.ValidatorAddress, s.keys[k].PubKey().Address())
				}
			}
		}
		if changes == 0 || !spareSigned {
			t.Fatalf("seed %d: %d heights with updates, a spare signed a commit: %v", seed, changes, spareSigned)
		}
	}
}

// updatesKeepSet reports whether updates leave set as it is (each sets a validator's current
// power).
func updatesKeepSet(set *types.ValidatorSet, updates []*types.Validator) bool {
	for _, u := range updates {
		_, v := set.GetByAddress(u.Address)
		if v == nil || v.VotingPower != u.VotingPower {
			return false
		}
	}
	return true
}

// TestCheckerCatchesBrokenH2Rule is the negative control of the H+2 invariants: nodes that apply
// validator updates one height early are caught.
func TestCheckerCatchesBrokenH2Rule(t *testing.T) {
	sc, _ := LookupScenario("valchange")
	cfg := sc.Config(1)
	cfg.valUpdatesAtNextHeight = true
	res, err := Run(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Violation == nil || res.Violation.Kind != ViolationValSet {
		t.Fatalf("with updates applied at H+1: %v; want a validator-set violation", res)
	}
}

func TestCheckerCatchesVoteOutsideTheSet(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Spares = 1
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	spare := s.nodes[cfg.Validators]
	v := testVote(types.PrevoteType, 2, 0, 0xAA, genesisTime)
	v.ValidatorAddress = spare.address
	s.check.onSign(spare, v)
	if s.violation == nil || s.violation.Kind != ViolationValSet {
		t.Fatalf("violation = %v, want validator-set", s.violation)
	}
}

func TestValSetsModel(t *testing.T) {
	s := committedRun(t)
	set := s.genesis.state.Validators
	vs := newValSets(set)
	if vs.at(1).Hash() == nil || !bytes.Equal(vs.at(2).Hash(), set.Hash()) || vs.at(3) != nil {
		t.Fatal("the genesis set must decide heights 1 and 2, and nothing else be known")
	}
	if err := vs.update(2, nil); err == nil {
		t.Fatal("updates of height 2 before height 1")
	}
	remove := []*types.Validator{{Address: set.Validators[0].Address, PubKey: set.Validators[0].PubKey}}
	if err := vs.update(1, remove); err != nil {
		t.Fatal(err)
	}
	if vs.at(3).Size() != set.Size()-1 || vs.at(3).HasAddress(set.Validators[0].Address) {
		t.Fatalf("set of height 3 after removing a validator at height 1: %v", vs.at(3))
	}
	if err := vs.update(2, remove); err == nil {
		t.Fatal("removing a validator that is not in the set")
	}
	if sameUpdates(remove, nil) || !sameUpdates(remove, remove) {
		t.Fatal("sameUpdates")
	}
}
