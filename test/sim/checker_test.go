package sim

import (
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// committedRun runs a short calm network and returns it stopped, with blocks to replay at the
// checker.
func committedRun(t *testing.T) *Sim {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Duration, cfg.LivenessBound = 10*time.Second, 0
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := s.Run(); res.Violation != nil || res.Height < 3 {
		t.Fatalf("calm run: %v", res)
	}
	return s
}

// signedCommit returns a commit of block at height, signed by every validator of the height's
// set (as the checker's model has it) at round 0.
func signedCommit(t *testing.T, s *Sim, height int64, block *types.Block, parts *types.PartSet) *types.ExtendedCommit {
	t.Helper()
	set := s.check.sets.at(height)
	id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	votes := types.NewVoteSet(s.genesis.chainID, height, 0, types.PrecommitType, set)
	for i, val := range set.Validators {
		v := &types.Vote{Type: types.PrecommitType, Height: height, BlockID: id, Timestamp: block.Time.Add(time.Second),
			ValidatorAddress: val.Address, ValidatorIndex: int32(i)}
		for _, key := range s.keys {
			if key.PubKey().Address().String() == val.Address.String() {
				sig, err := key.Sign(v.SignBytes(s.genesis.chainID))
				if err != nil {
					t.Fatal(err)
				}
				v.Signature = sig
			}
		}
		if _, err := votes.AddVote(v); err != nil {
			t.Fatal(err)
		}
	}
	return votes.MakeExtendedCommit(false)
}

func commitOf(s *Sim, height int64) core.Commit {
	b := s.nodes[0].chain.blocks[height]
	return core.Commit{Height: height, Block: b.block, Parts: b.parts, SeenCommit: b.seenCommit}
}

func TestCheckerCatchesDoubleSign(t *testing.T) {
	s := committedRun(t)
	n := s.nodes[1]
	a := testVote(types.PrecommitType, 90, 0, 0xAA, genesisTime)
	a.ValidatorAddress = n.address
	b := *a
	b.BlockID = types.BlockID{}
	s.check.onSign(n, a)
	s.check.onSign(n, a.Copy()) // the same vote again is fine
	if s.violation != nil {
		t.Fatalf("violation for one vote: %v", s.violation)
	}
	s.check.onSign(n, &b)
	if s.violation == nil || s.violation.Kind != ViolationDoubleSign {
		t.Fatalf("violation = %v, want double-sign", s.violation)
	}
}

func TestCheckerIgnoresByzantineSigners(t *testing.T) {
	s := committedRun(t)
	n := s.nodes[1]
	n.behaviour = Twin
	a := testVote(types.PrevoteType, 90, 0, 0xAA, genesisTime)
	b := testVote(types.PrevoteType, 90, 0, 0xBB, genesisTime)
	s.check.onSign(n, a)
	s.check.onSign(n, b)
	if s.violation != nil {
		t.Fatalf("a twin's double sign is a violation: %v", s.violation)
	}
}

func TestCheckerCatchesAgreementAndAppHash(t *testing.T) {
	s := committedRun(t)
	// Another block at height 2: agreement.
	c := commitOf(s, 2)
	other := commitOf(s, 3)
	c.Block, c.Parts = other.Block, other.Parts
	s.check.onCommit(s.nodes[1], c)
	if s.violation == nil || s.violation.Kind != ViolationAgreement {
		t.Fatalf("violation = %v, want agreement", s.violation)
	}

	s = committedRun(t)
	n := s.nodes[1]
	n.chain.appHash = []byte("forked state")
	s.check.onCommit(n, commitOf(s, 2))
	if s.violation == nil || s.violation.Kind != ViolationAppHash {
		t.Fatalf("violation = %v, want app-hash", s.violation)
	}
}

func TestCheckerCatchesInvalidAndDuplicateBlocks(t *testing.T) {
	s := committedRun(t)
	h := s.check.maxHeight
	// A next block that repeats a transaction of the chain, built on the real chain state.
	var dup types.Tx
	for height := int64(1); height <= h && dup == nil; height++ {
		if txs := s.check.chain[height].block.Txs; len(txs) > 0 {
			dup = txs[0]
		}
	}
	if dup == nil {
		t.Fatal("no transaction in the chain")
	}
	n := s.nodes[0]
	block, parts, err := n.chain.makeBlock(types.Txs{dup}, n.chain.blocks[h].seenCommit.ToCommit(), n.address)
	if err != nil {
		t.Fatal(err)
	}
	s.check.onCommit(n, core.Commit{Height: h + 1, Block: block, Parts: parts, SeenCommit: signedCommit(t, s, h+1, block, parts)})
	if s.violation == nil || s.violation.Kind != ViolationTxTwice {
		t.Fatalf("violation = %v, want tx-twice", s.violation)
	}

	// A next block with a wrong time: validity.
	s = committedRun(t)
	h = s.check.maxHeight
	n = s.nodes[0]
	block, parts, err = n.chain.makeBlock(nil, n.chain.blocks[h].seenCommit.ToCommit(), n.address)
	if err != nil {
		t.Fatal(err)
	}
	block.Time = block.Time.Add(time.Second)
	s.check.onCommit(n, core.Commit{Height: h + 1, Block: block, Parts: parts, SeenCommit: n.chain.blocks[h].seenCommit})
	if s.violation == nil || s.violation.Kind != ViolationValidity {
		t.Fatalf("violation = %v, want validity", s.violation)
	}
}

func TestCheckerCatchesLostTransaction(t *testing.T) {
	s := committedRun(t)
	s.check.finish(map[string]int64{"never=committed": 2})
	if s.violation == nil || s.violation.Kind != ViolationTxLost {
		t.Fatalf("violation = %v, want tx-lost", s.violation)
	}
}

func TestChainRejectsBadBlocks(t *testing.T) {
	s := committedRun(t)
	n := s.nodes[0]
	h := n.chain.height
	last := n.chain.blocks[h].seenCommit.ToCommit()
	good, _, err := n.chain.makeBlock(nil, last, n.address)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(b *types.Block) error { return n.chain.next().ValidateBlock(b, s.now()) }
	if err := validate(good); err != nil {
		t.Fatalf("a well-made block fails: %v", err)
	}
	mutations := map[string]func(b *types.Block){
		"app hash":   func(b *types.Block) { b.AppHash = []byte("other") },
		"height":     func(b *types.Block) { b.Height++ },
		"time":       func(b *types.Block) { b.Time = b.Time.Add(time.Millisecond) },
		"last block": func(b *types.Block) { b.LastBlockID = types.BlockID{} },
		"proposer":   func(b *types.Block) { b.ProposerAddress = make([]byte, 20) },
		"chain":      func(b *types.Block) { b.ChainID = "other" },
		"validators": func(b *types.Block) { b.NextValidatorsHash = make([]byte, 32) },
	}
	for name, mutate := range mutations {
		b, _, err := n.chain.makeBlock(nil, last, n.address)
		if err != nil {
			t.Fatal(err)
		}
		mutate(b)
		if err := validate(b); err == nil {
			t.Errorf("%s: a bad block passes", name)
		}
	}
	// A last commit that does not commit the last block.
	forged := last.Clone()
	forged.BlockID = types.BlockID{Hash: make([]byte, 32), PartSetHeader: types.PartSetHeader{Total: 1, Hash: make([]byte, 32)}}
	b, _, err := n.chain.makeBlock(nil, forged, n.address)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(b); err == nil {
		t.Error("a block whose last commit is for another block passes")
	}
}
