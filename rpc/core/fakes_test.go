package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/p2p"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/types"
)

// Test doubles of the Environment's parts. They are safe for concurrent use.

var errNotStored = errors.New("not stored")

// chain is a block store of heights base..height holding simple blocks.
type chain struct {
	base, height int64
	blocks       map[int64]*types.Block
	metas        map[int64]*types.BlockMeta
}

func newChain(t testing.TB, base, height int64) *chain {
	t.Helper()
	c := &chain{base: base, height: height, blocks: map[int64]*types.Block{}, metas: map[int64]*types.BlockMeta{}}
	for h := base; h <= height; h++ {
		b := types.MakeBlock(h, types.Txs{types.Tx(fmt.Sprintf("k%d=v", h))}, &types.Commit{Height: h - 1}, nil)
		b.ChainID = "rpc-test"
		b.Time = time.Date(2026, 1, 1, 0, 0, int(h), 0, time.UTC)
		b.ValidatorsHash = make([]byte, 32) // populated enough to have a hash
		b.ProposerAddress = make([]byte, 20)
		ps, err := b.MakePartSet(types.BlockPartSizeBytes)
		if err != nil {
			t.Fatal(err)
		}
		c.blocks[h], c.metas[h] = b, types.NewBlockMeta(b, ps)
	}
	return c
}

func (c *chain) Base() int64   { return c.base }
func (c *chain) Height() int64 { return c.height }
func (c *chain) LoadBlockMeta(h int64) (*types.BlockMeta, error) {
	if m, ok := c.metas[h]; ok {
		return m, nil
	}
	return nil, errNotStored
}
func (c *chain) LoadBlockMetaByHash(hash []byte) (*types.BlockMeta, error) {
	for _, m := range c.metas {
		if string(m.BlockID.Hash) == string(hash) {
			return m, nil
		}
	}
	return nil, errNotStored
}
func (c *chain) LoadBlock(h int64) (*types.Block, error) {
	if b, ok := c.blocks[h]; ok {
		return b, nil
	}
	return nil, errNotStored
}
func (c *chain) LoadBlockByHash(hash []byte) (*types.Block, error) {
	m, err := c.LoadBlockMetaByHash(hash)
	if err != nil {
		return nil, err
	}
	return c.blocks[m.Header.Height], nil
}
func (c *chain) LoadBlockCommit(h int64) (*types.Commit, error) {
	if b, ok := c.blocks[h+1]; ok {
		return b.LastCommit, nil
	}
	return nil, errNotStored
}
func (c *chain) LoadSeenCommit(h int64) (*types.Commit, error) {
	if _, ok := c.blocks[h]; ok {
		return &types.Commit{Height: h, Signatures: []types.CommitSig{}}, nil
	}
	return nil, errNotStored
}

// stateStore serves one validator set and the default params at every height up to max, and
// FinalizeBlock responses from results (an error value is returned as the load error).
type stateStore struct {
	max     int64
	vals    *types.ValidatorSet
	results map[int64]any
}

func (s *stateStore) LoadValidators(h int64) (*types.ValidatorSet, error) {
	if h > s.max {
		return nil, fmt.Errorf("%w: no validator set for height %d", state.ErrNotFound, h)
	}
	return s.vals, nil
}
func (s *stateStore) LoadConsensusParams(h int64) (types.ConsensusParams, error) {
	if h > s.max {
		return types.ConsensusParams{}, fmt.Errorf("%w: no consensus params for height %d", state.ErrNotFound, h)
	}
	return *types.DefaultConsensusParams(), nil
}
func (s *stateStore) LoadFinalizeBlockResponse(h int64) (*abci.ResponseFinalizeBlock, error) {
	switch r := s.results[h].(type) {
	case *abci.ResponseFinalizeBlock:
		return r, nil
	case error:
		return nil, r
	}
	return nil, fmt.Errorf("%w: no finalize block response for height %d", state.ErrNotFound, h)
}

// fakeMempool answers CheckTx with res and err, or refuses with refuse; it records what it got.
type fakeMempool struct {
	mu      sync.Mutex
	res     *abci.ResponseCheckTx
	err     error
	refuse  error
	txs     types.Txs
	flushed bool
	// onCheckTx, if set, runs when CheckTx admits a transaction (broadcast_tx_commit has
	// subscribed by then).
	onCheckTx func(types.Tx)
}

func (m *fakeMempool) CheckTx(ctx context.Context, tx types.Tx, _ p2p.ID) (*abci.ResponseCheckTx, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return nil, m.refuse
	}
	m.txs = append(m.txs, tx)
	if m.onCheckTx != nil {
		m.onCheckTx(tx)
	}
	return m.res, m.err
}
func (m *fakeMempool) CheckTxAsync(ctx context.Context, tx types.Tx, _ p2p.ID, cb func(*abci.ResponseCheckTx, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return m.refuse
	}
	m.txs = append(m.txs, tx)
	return nil
}
func (m *fakeMempool) ReapMaxTxs(max int) types.Txs {
	m.mu.Lock()
	defer m.mu.Unlock()
	if max < 0 || max > len(m.txs) {
		max = len(m.txs)
	}
	return m.txs[:max:max]
}
func (m *fakeMempool) Size() int { m.mu.Lock(); defer m.mu.Unlock(); return len(m.txs) }
func (m *fakeMempool) SizeBytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, tx := range m.txs {
		n += int64(len(tx))
	}
	return n
}
func (m *fakeMempool) Flush() { m.mu.Lock(); defer m.mu.Unlock(); m.txs, m.flushed = nil, true }

// app answers Info, Query and CheckTx.
type app struct{ err error }

func (a app) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	return &abci.ResponseInfo{Version: "1.0", LastBlockHeight: 3}, a.err
}
func (a app) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if a.err != nil {
		return nil, a.err
	}
	return &abci.ResponseQuery{Key: req.Data, Height: req.Height}, nil
}
func (a app) CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if a.err != nil {
		return nil, a.err
	}
	return &abci.ResponseCheckTx{GasWanted: 1}, nil
}

type evidencePool struct{ err error }

func (p evidencePool) AddEvidence(types.Evidence) error { return p.err }

// txIndexer finds the results it holds by hash; Search returns them all.
type txIndexer struct{ results []*abci.TxResult }

func (x txIndexer) Get(hash []byte) (*abci.TxResult, error) {
	if len(hash) == 0 {
		return nil, txindex.ErrEmptyHash
	}
	for _, r := range x.results {
		if string(types.Tx(r.Tx).Hash()) == string(hash) {
			return r, nil
		}
	}
	return nil, nil
}
func (x txIndexer) Search(_ context.Context, _ *query.Query, opts txindex.SearchOptions) ([]*abci.TxResult, int, error) {
	from, to, err := txindex.Cut(opts.Window, len(x.results))
	if err != nil {
		return nil, 0, err
	}
	return x.results[from:to], len(x.results), nil
}

type blockIndexer struct{ heights []int64 }

func (x blockIndexer) Search(context.Context, *query.Query) ([]int64, error) { return x.heights, nil }

// consensusState publishes a fixed round state.
type consensusState struct{ rs *RoundState }

func (c consensusState) Height() int64           { return c.rs.Height }
func (c consensusState) RoundState() *RoundState { return c.rs }

// testEnv returns an environment over a chain of heights 1..5 whose consensus decides height 6,
// with a running event bus. Fields can be replaced before Routes.
func testEnv(t testing.TB) *Environment {
	t.Helper()
	key := ed25519.GenPrivKeyFromSecret([]byte("rpc core test"))
	val := types.NewValidator(key.PubKey(), 10)
	vals, err := types.NewValidatorSet([]*types.Validator{val})
	if err != nil {
		t.Fatal(err)
	}
	bus := types.NewEventBus()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- bus.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	cfg := config.TestRPCConfig()
	chain := newChain(t, 1, 5)
	return &Environment{
		Config:       cfg,
		BlockStore:   chain,
		StateStore:   &stateStore{max: 6, vals: vals, results: map[int64]any{}},
		Consensus:    consensusState{rs: &RoundState{Height: 6, Validators: vals, LockedRound: -1, ValidRound: -1, CommitRound: -1}},
		Mempool:      &fakeMempool{res: &abci.ResponseCheckTx{}},
		AppQuery:     app{},
		AppMempool:   app{},
		Evidence:     evidencePool{},
		TxIndexer:    txIndexer{},
		BlockIndexer: blockIndexer{},
		EventBus:     bus,
		GenesisDoc: &types.GenesisDoc{ChainID: "rpc-test", GenesisTime: time.Unix(0, 0).UTC(), InitialHeight: 1,
			ConsensusParams: types.DefaultConsensusParams()},
		PubKey: key.PubKey(),
	}
}
