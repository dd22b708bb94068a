package evidence

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

const testChainID = "evidence-chain"

var genesisTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// blockTime is the time of the test chains' block at height: one block a minute.
func blockTime(h int64) time.Time { return genesisTime.Add(time.Duration(h) * time.Minute) }

func keyOf(secret string) ed25519.PrivKey { return ed25519.GenPrivKeyFromSecret([]byte(secret)) }

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// blockIDOf returns a complete block ID named after s.
func blockIDOf(s string) types.BlockID {
	return types.BlockID{Hash: hashOf(s), PartSetHeader: types.PartSetHeader{Total: 1, Hash: hashOf("parts " + s)}}
}

// testChain is a chain of empty blocks validated by a fixed set, kept in fake stores. It is not
// safe for concurrent mutation (advance), but its stores are safe for concurrent reads.
type testChain struct {
	t      testing.TB
	keys   map[string]ed25519.PrivKey // by address
	vals   *types.ValidatorSet
	params types.EvidenceParams
	blocks *fakeBlockStore
	states *fakeStateStore
}

// newTestChain returns a chain at height 0 validated by the keys of secrets with power 10 each.
func newTestChain(t testing.TB, secrets ...string) *testChain {
	t.Helper()
	c := &testChain{
		t:      t,
		keys:   make(map[string]ed25519.PrivKey),
		params: types.EvidenceParams{MaxAgeNumBlocks: 10, MaxAgeDuration: 30 * time.Minute, MaxBytes: 1 << 20},
		blocks: newFakeBlockStore(),
	}
	vals := make([]*types.Validator, len(secrets))
	for i, s := range secrets {
		k := keyOf(s)
		c.keys[string(k.PubKey().Address())] = k
		vals[i] = types.NewValidator(k.PubKey(), 10)
	}
	set, err := types.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	c.vals = set
	c.states = &fakeStateStore{chain: c}
	return c
}

// key returns the key of the validator at index i of the set.
func (c *testChain) key(i int) ed25519.PrivKey { return c.keys[string(c.vals.Validators[i].Address)] }

func (c *testChain) height() int64 { return c.blocks.Height() }

// state returns the state after the chain's last block.
func (c *testChain) state() state.State {
	h := c.height()
	params := *types.DefaultConsensusParams()
	params.Evidence = c.params
	st := state.State{
		ChainID: testChainID, InitialHeight: 1,
		LastBlockHeight: h, LastBlockTime: blockTime(h),
		Validators: c.vals, NextValidators: c.vals, LastValidators: c.vals,
		ConsensusParams: params,
	}
	if h == 0 {
		st.LastValidators = nil
		st.LastBlockTime = genesisTime
	} else {
		meta, _ := c.blocks.LoadBlockMeta(h)
		st.LastBlockID = meta.BlockID
	}
	return st
}

// header returns the header the chain has (or would have) at height.
func (c *testChain) header(height int64) *types.Header {
	return &types.Header{
		Version: tmversion.Consensus{Block: 11}, ChainID: testChainID, Height: height, Time: blockTime(height),
		ValidatorsHash: c.vals.Hash(), NextValidatorsHash: c.vals.Hash(),
		ConsensusHash: hashOf("consensus"), AppHash: hashOf(fmt.Sprint("app ", height-1)),
		LastResultsHash: hashOf("results"), DataHash: hashOf("data"),
		ProposerAddress: c.vals.Validators[0].Address,
	}
}

// advance appends a block carrying evidence and returns the state after it. The block's commit
// is signed by every validator in round 0; it becomes the canonical commit when the next block
// is added.
func (c *testChain) advance(evidence ...types.Evidence) state.State {
	c.t.Helper()
	h := c.height() + 1
	header := c.header(h)
	header.EvidenceHash = types.EvidenceList(evidence).Hash()
	id := types.BlockID{Hash: header.Hash(), PartSetHeader: types.PartSetHeader{Total: 1, Hash: hashOf(fmt.Sprint("parts ", h))}}
	commit := c.signCommit(c.vals, h, 0, id)
	block := &types.Block{Header: *header, Evidence: types.EvidenceData{Evidence: evidence}}
	c.blocks.add(block, &types.BlockMeta{BlockID: id, Header: *header}, commit)
	return c.state()
}

// advanceTo appends empty blocks until the chain is at height.
func (c *testChain) advanceTo(height int64) state.State {
	for c.height() < height {
		c.advance()
	}
	return c.state()
}

// signCommit returns a commit of id at height and round signed by every validator of vals whose
// key the chain knows (the others are absent).
func (c *testChain) signCommit(vals *types.ValidatorSet, height int64, round int32, id types.BlockID) *types.Commit {
	c.t.Helper()
	commit := &types.Commit{Height: height, Round: round, BlockID: id, Signatures: make([]types.CommitSig, vals.Size())}
	for i, v := range vals.Validators {
		key, ok := c.keys[string(v.Address)]
		if !ok {
			commit.Signatures[i] = types.NewCommitSigAbsent()
			continue
		}
		vote := c.sign(key, &types.Vote{
			Type: types.PrecommitType, Height: height, Round: round, BlockID: id,
			Timestamp: blockTime(height).Add(time.Second), ValidatorAddress: v.Address, ValidatorIndex: int32(i),
		})
		commit.Signatures[i] = vote.CommitSig()
	}
	return commit
}

// sign signs vote for the test chain with key and returns it.
func (c *testChain) sign(key ed25519.PrivKey, vote *types.Vote) *types.Vote {
	c.t.Helper()
	sig, err := key.Sign(vote.SignBytes(testChainID))
	if err != nil {
		c.t.Fatal(err)
	}
	vote.Signature = sig
	return vote
}

// vote returns a prevote of validator i at height and round 0 for the block named block.
func (c *testChain) vote(i int, height int64, block string) *types.Vote {
	return c.sign(c.key(i), &types.Vote{
		Type: types.PrevoteType, Height: height, BlockID: blockIDOf(block),
		Timestamp: blockTime(height).Add(time.Second), ValidatorAddress: c.vals.Validators[i].Address,
		ValidatorIndex: int32(i),
	})
}

// duplicateVote returns valid evidence that validator i voted twice at height (which must be
// committed or about to be, for the block time).
func (c *testChain) duplicateVote(i int, height int64) *types.DuplicateVoteEvidence {
	c.t.Helper()
	ev, err := types.NewDuplicateVoteEvidence(c.vote(i, height, "one"), c.vote(i, height, "two"), blockTime(height), c.vals)
	if err != nil {
		c.t.Fatal(err)
	}
	return ev
}

// newPool opens a pool on db over the chain's stores.
func (c *testChain) newPool(db dbm.DB) *Pool {
	c.t.Helper()
	p, err := NewPool(db, c.states, c.blocks, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// fakeStateStore serves the test chain's state and its (fixed) validator set.
type fakeStateStore struct{ chain *testChain }

func (s *fakeStateStore) Load() (state.State, error) { return s.chain.state(), nil }

func (s *fakeStateStore) LoadValidators(height int64) (*types.ValidatorSet, error) {
	if height < 1 || height > s.chain.height()+2 {
		return nil, fmt.Errorf("no validators at height %d", height)
	}
	return s.chain.vals, nil
}

// fakeBlockStore keeps blocks, metas and commits in memory.
type fakeBlockStore struct {
	mtx     sync.Mutex
	base    int64
	blocks  map[int64]*types.Block
	metas   map[int64]*types.BlockMeta
	seen    map[int64]*types.Commit
	commits map[int64]*types.Commit // canonical: the seen commit of height once height+1 exists
	height  int64
}

func newFakeBlockStore() *fakeBlockStore {
	return &fakeBlockStore{
		blocks: make(map[int64]*types.Block), metas: make(map[int64]*types.BlockMeta),
		seen: make(map[int64]*types.Commit), commits: make(map[int64]*types.Commit),
	}
}

func (s *fakeBlockStore) add(block *types.Block, meta *types.BlockMeta, seen *types.Commit) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	h := block.Height
	s.blocks[h], s.metas[h], s.seen[h] = block, meta, seen
	if prev, ok := s.seen[h-1]; ok {
		s.commits[h-1] = prev
	}
	if s.base == 0 {
		s.base = h
	}
	s.height = h
}

// prune forgets the blocks and metas below height, keeping nothing for evidence.
func (s *fakeBlockStore) prune(height int64) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	for h := s.base; h < height; h++ {
		delete(s.blocks, h)
		delete(s.metas, h)
		delete(s.seen, h)
		delete(s.commits, h)
	}
	s.base = height
}

func (s *fakeBlockStore) Base() int64 {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	return s.base
}

func (s *fakeBlockStore) Height() int64 {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	return s.height
}

func lookup[T any](s *fakeBlockStore, m map[int64]T, what string, height int64) (T, error) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	v, ok := m[height]
	if !ok {
		var zero T
		return zero, fmt.Errorf("no %s at height %d", what, height)
	}
	return v, nil
}

func (s *fakeBlockStore) LoadBlockMeta(h int64) (*types.BlockMeta, error) {
	return lookup(s, s.metas, "block meta", h)
}
func (s *fakeBlockStore) LoadBlock(h int64) (*types.Block, error) {
	return lookup(s, s.blocks, "block", h)
}
func (s *fakeBlockStore) LoadBlockCommit(h int64) (*types.Commit, error) {
	return lookup(s, s.commits, "commit", h)
}
func (s *fakeBlockStore) LoadSeenCommit(h int64) (*types.Commit, error) {
	return lookup(s, s.seen, "seen commit", h)
}

// pendingHashes returns the hashes of the pool's pending evidence, oldest first.
func pendingHashes(p *Pool) []string {
	evs, _ := p.PendingEvidence(-1)
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%X", ev.Hash())
	}
	return out
}

func hashesOf(evs ...types.Evidence) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%X", ev.Hash())
	}
	return out
}
