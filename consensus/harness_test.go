package consensus

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// testChain is one node's durable world — stores, application, signer files and WAL — for a
// chain of equal-power validators whose first key is the node's; the test plays the others. A
// driver runs on it with start and stops with stop; a new driver started after a stop finds
// everything the old one left, as after a restart. Use it inside a synctest bubble, so that
// consensus timeouts pass on the bubble's clock.
type testChain struct {
	t       *testing.T
	cfg     Config
	gen     *types.GenesisDoc
	genHash []byte
	keys    []ed25519.PrivKey // keys[0] is the node's
	dir     string

	stateStore *state.DBStore
	blocks     *blockstore.BlockStore
	conns      *appconn.Conns

	// wrapExec and wrapBlocks, if set, wrap the executor and the block store of the drivers
	// started next; started, if set, is called with each driver before it runs.
	wrapExec   func(Executor) Executor
	wrapBlocks func(BlockStore) BlockStore
	// wrapSigner, if set, wraps the signer of the drivers started next.
	wrapSigner func(*privval.FilePV) privval.PrivValidator
	started    func(*runningDriver)
	// metrics, if set, are the metrics of the drivers started next.
	metrics *Metrics
	// logger, if set, is the logger of the drivers started next.
	logger log.Logger
	// backlog and txs, if set, are the mempool's TxsBacklog and TxsAvailable notices of the
	// drivers started next.
	backlog <-chan int64
	txs     <-chan struct{}
}

func newTestChain(t *testing.T, validators int, cfg core.Config) *testChain {
	t.Helper()
	c := &testChain{t: t, cfg: Config{Core: cfg, BlockTimeTolerance: time.Minute}, dir: t.TempDir()}
	var gvals []types.GenesisValidator
	for i := range validators {
		key := ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "driver-test-%d", i))
		c.keys = append(c.keys, key)
		gvals = append(gvals, types.GenesisValidator{Address: key.PubKey().Address(), PubKey: key.PubKey(), Power: 10})
	}
	c.gen = &types.GenesisDoc{
		ChainID:         "driver-test",
		GenesisTime:     time.Now(), // the bubble's clock
		ConsensusParams: types.DefaultConsensusParams(),
		Validators:      gvals,
	}
	if err := c.gen.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	c.genHash = types.GenesisHash([]byte("genesis of driver-test"))
	c.stateStore = state.NewStore(dbm.NewMemDB(), state.StoreOptions{})
	var err error
	if c.blocks, err = blockstore.New(dbm.NewMemDB()); err != nil {
		t.Fatal(err)
	}
	if c.conns, err = appconn.NewConns(appconn.NewLocalCreator(kvstore.NewInMemoryApplication(kvstore.Options{})), log.NewNop()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.conns.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	<-c.conns.Connected()
	return c
}

// runningDriver is a driver started by testChain.start.
type runningDriver struct {
	*Driver
	cancel context.CancelFunc
	done   chan error
	wal    WAL
	once   sync.Once
	err    error
}

// start loads the chain state, does the handshake and runs a driver on the chain's stores, WAL
// and signer files. The driver is stopped when the test ends, if not before.
func (c *testChain) start() *runningDriver {
	c.t.Helper()
	st, err := state.LoadStateFromDBOrGenesisDoc(c.stateStore, c.gen, c.genHash)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if st, err = state.NewHandshaker(c.stateStore, st, c.blocks, c.gen, nil, log.NewNop()).Handshake(ctx, c.conns); err != nil {
		cancel()
		c.t.Fatal(err)
	}
	walLog, err := wal.Open(filepath.Join(c.dir, "cs.wal", "wal"), wal.Options{})
	if err != nil {
		cancel()
		c.t.Fatal(err)
	}
	signer, err := privval.LoadFilePV(filepath.Join(c.dir, "key.json"), filepath.Join(c.dir, "state.json"))
	if err != nil { // the first start: the files don't exist yet
		pv := privval.NewFilePV(c.keys[0], filepath.Join(c.dir, "key.json"), filepath.Join(c.dir, "state.json"))
		if err := pv.Save(); err != nil {
			cancel()
			c.t.Fatal(err)
		}
		signer = pv
	}
	var pv privval.PrivValidator = signer
	if c.wrapSigner != nil {
		pv = c.wrapSigner(signer)
	}
	var exec Executor = state.NewBlockExecutor(c.stateStore, nil, c.conns.Consensus(), nil, nil, c.blocks)
	if c.wrapExec != nil {
		exec = c.wrapExec(exec)
	}
	var blocks BlockStore = c.blocks
	if c.wrapBlocks != nil {
		blocks = c.wrapBlocks(blocks)
	}
	d := NewDriver(c.cfg, st, Deps{Signer: pv, Executor: exec, BlockStore: blocks, WAL: walLog, Metrics: c.metrics, Logger: c.logger,
		TxsBacklog: c.backlog, TxsAvailable: c.txs})
	r := &runningDriver{Driver: d, cancel: cancel, done: make(chan error, 1), wal: walLog}
	if c.started != nil {
		c.started(r)
	}
	go func() { r.done <- d.Run(ctx) }()
	c.t.Cleanup(func() { _ = r.stop() })
	return r
}

// stop stops the driver, waits for Run to return and closes the WAL (as a clean stop of the
// node does). It returns Run's error.
func (r *runningDriver) stop() error {
	r.once.Do(func() {
		r.cancel()
		r.err = <-r.done
		if err := r.wal.Close(); err != nil && r.err == nil {
			r.err = err
		}
	})
	return r.err
}

// restart stops d and starts a new driver on the chain, as after a restart of the node, and
// returns the first view it publishes: where the replay of the WAL brought the machine back to.
func (c *testChain) restart(t *testing.T, d *runningDriver) *Snapshot {
	t.Helper()
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	return c.start().waitView(t, time.Second, "a view after the restart", func(*Snapshot) bool { return true })
}

// waitView waits, on the driver's snapshots, for a published view that satisfies cond and
// returns it; the test fails if none does within bound on the bubble's clock, or if Run
// returns first.
func (r *runningDriver) waitView(t *testing.T, bound time.Duration, what string, cond func(*Snapshot) bool) *Snapshot {
	t.Helper()
	deadline := time.After(bound)
	for {
		snap := r.Snapshot()
		if snap.View != nil && cond(snap) {
			return snap
		}
		select {
		case <-snap.Changed:
		case err := <-r.done:
			r.done <- err
			t.Fatalf("waiting for %s: the driver stopped: %v", what, err)
		case <-deadline:
			t.Fatalf("no view with %s within %v; the last is at %v", what, bound, r.Snapshot().HRS)
		}
	}
}

// signedVote returns validator i's vote, signed with its key.
func (c *testChain) signedVote(i int, typ types.SignedMsgType, height int64, round int32, id types.BlockID, vals *types.ValidatorSet) *types.Vote {
	c.t.Helper()
	key := c.keys[i]
	index, _ := vals.GetByAddress(key.PubKey().Address())
	v := &types.Vote{
		Type: typ, Height: height, Round: round, BlockID: id, Timestamp: time.Now(),
		ValidatorAddress: key.PubKey().Address(), ValidatorIndex: index,
	}
	sig, err := key.Sign(v.SignBytes(c.gen.ChainID))
	if err != nil {
		c.t.Fatal(err)
	}
	v.Signature = sig
	return v
}

// testConfig has CometBFT's default timeouts.
func testConfig() core.Config {
	return core.Config{
		TimeoutPropose: 3 * time.Second, TimeoutProposeDelta: 500 * time.Millisecond,
		TimeoutPrevote: time.Second, TimeoutPrevoteDelta: 500 * time.Millisecond,
		TimeoutPrecommit: time.Second, TimeoutPrecommitDelta: 500 * time.Millisecond,
		TimeoutCommit: time.Second, CreateEmptyBlocks: true,
	}
}
