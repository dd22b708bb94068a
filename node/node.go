package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"golang.org/x/sync/errgroup"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/evidence"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/state/indexer"
	blockkv "github.com/ballot-bft/ballot/state/indexer/block/kv"
	blocknull "github.com/ballot-bft/ballot/state/indexer/block/null"
	"github.com/ballot-bft/ballot/state/txindex"
	txkv "github.com/ballot-bft/ballot/state/txindex/kv"
	txnull "github.com/ballot-bft/ballot/state/txindex/null"
	"github.com/ballot-bft/ballot/types"
)

// Node is a ballot node. Build it with New, run it with Run.
type Node struct {
	cfg    *config.Config
	logger log.Logger

	genDoc     *types.GenesisDoc
	state      state.State // as loaded; the handshake brings it up to the application
	stateStore *state.DBStore
	blockStore *blockstore.BlockStore
	evidence   *evidence.Pool
	privVal    *privval.FilePV
	appConns   *appconn.Conns
	apps       appConns // appConns' connections, timed when Prometheus is on
	eventBus   *types.EventBus
	metrics    *nodeMetrics
	metricsSrv *metricsServer // nil when Prometheus is off

	txIndexer    txindex.TxIndexer
	blockIndexer indexer.BlockIndexer

	closers    []func() error // run in reverse order when Run returns
	handshook  chan struct{}  // closed once the handshake with the application is done
	recordPath string         // WithConsensusRecord's file; "" when not recording
}

// New loads the genesis file, opens the databases and keys and prepares the application
// connections. Nothing runs until Run.
func New(cfg *config.Config, logger log.Logger, opts ...Option) (_ *Node, err error) {
	n := &Node{cfg: cfg, logger: logger, handshook: make(chan struct{})}
	for _, opt := range opts {
		opt(n)
	} // not the result: a failed New returns nil and closes n
	defer func() {
		if err != nil {
			n.close()
		}
	}()

	genDoc, genHash, err := types.LoadGenesisFile(cfg.GenesisFile())
	if err != nil {
		return nil, err
	}
	n.genDoc = genDoc
	n.metrics = newNodeMetrics(cfg.Instrumentation, genDoc.ChainID)
	if n.metricsSrv, err = listenMetrics(cfg.Instrumentation, n.metrics); err != nil {
		return nil, err
	}
	if n.metricsSrv != nil {
		n.closers = append(n.closers, n.metricsSrv.close)
	}

	stateDB, err := n.openDB("state")
	if err != nil {
		return nil, err
	}
	n.stateStore = state.NewStore(stateDB, state.StoreOptions{DiscardABCIResponses: cfg.Storage.DiscardABCIResponses})
	n.closers = append(n.closers, n.stateStore.Close)
	if n.state, err = state.LoadStateFromDBOrGenesisDoc(n.stateStore, genDoc, genHash); err != nil {
		return nil, err
	}

	blockDB, err := n.openDB("blockstore")
	if err != nil {
		return nil, err
	}
	if n.blockStore, err = blockstore.New(blockDB); err != nil {
		blockDB.Close()
		return nil, err
	}
	n.closers = append(n.closers, n.blockStore.Close)

	evidenceDB, err := n.openDB("evidence")
	if err != nil {
		return nil, err
	}
	if n.evidence, err = evidence.NewPool(evidenceDB, n.stateStore, n.blockStore, logger.With("module", "evidence")); err != nil {
		evidenceDB.Close()
		return nil, err
	}
	n.closers = append(n.closers, n.evidence.Close)

	if cfg.PrivValidatorListenAddr != "" {
		return nil, fmt.Errorf("priv_validator_laddr = %q: remote signers are not supported yet; use the key files", cfg.PrivValidatorListenAddr)
	}
	if n.privVal, err = privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()); err != nil {
		return nil, err
	}

	creator, closeApp, err := appCreator(cfg)
	if err != nil {
		return nil, err
	}
	if closeApp != nil {
		n.closers = append(n.closers, closeApp)
	}
	if n.appConns, err = appconn.NewConns(creator, logger.With("module", "proxy")); err != nil {
		return nil, err
	}
	n.apps = newAppConns(n.appConns, n.metrics.abci)
	n.eventBus = types.NewEventBus()
	if err := n.openIndexers(); err != nil {
		return nil, err
	}
	return n, nil
}

// openIndexers opens the transaction and block indexers that tx_index.indexer selects.
func (n *Node) openIndexers() error {
	txs, blocks, closeDB, err := OpenIndexers(n.cfg)
	if err != nil {
		return err
	}
	if closeDB != nil {
		n.closers = append(n.closers, closeDB)
	}
	n.txIndexer, n.blockIndexer = txs, blocks
	return nil
}

// OpenIndexers opens the transaction and block indexers that tx_index.indexer selects (null ones
// for "null"). closeDB, if not nil, closes their database.
func OpenIndexers(cfg *config.Config) (txs txindex.TxIndexer, blocks indexer.BlockIndexer, closeDB func() error, err error) {
	switch cfg.TxIndex.Indexer {
	case "kv":
		db, err := openIndexDB(cfg)
		if err != nil {
			return nil, nil, nil, err
		}
		return txkv.New(db), blockkv.New(dbm.NewPrefixDB(db, []byte(blockkv.StorePrefix))), db.Close, nil
	case "null", "":
		return txnull.TxIndex{}, blocknull.Indexer{}, nil, nil
	default:
		return nil, nil, nil, fmt.Errorf("tx_index.indexer = %q is not supported (use \"kv\" or \"null\")", cfg.TxIndex.Indexer)
	}
}

// TxIndexer and BlockIndexer are the node's indexers (null ones when indexing is off).
func (n *Node) TxIndexer() txindex.TxIndexer       { return n.txIndexer }
func (n *Node) BlockIndexer() indexer.BlockIndexer { return n.blockIndexer }

// EventBus is the node's event bus; subscribe to it before or while the node runs.
func (n *Node) EventBus() *types.EventBus { return n.eventBus }

// BlockStore is the node's block store; it may be read while the node runs.
func (n *Node) BlockStore() *blockstore.BlockStore { return n.blockStore }

func (n *Node) openDB(name string) (dbm.DB, error) {
	db, err := dbm.NewDB(name, dbm.BackendType(n.cfg.DBBackend), n.cfg.DBDir())
	if err != nil {
		return nil, fmt.Errorf("opening %s database in %s: %w", name, n.cfg.DBDir(), err)
	}
	return db, nil
}

// close releases what New opened, last opened first.
func (n *Node) close() error {
	var errs []error
	for i := len(n.closers) - 1; i >= 0; i-- {
		errs = append(errs, n.closers[i]())
	}
	n.closers = nil
	return errors.Join(errs...)
}

// Run runs the node until ctx is canceled (it then stops every part and returns nil) or a part
// fails (it stops the others and returns that failure). Consensus stops first; the application
// connections and the event bus stop after it, so that no call is cut off mid-way.
func (n *Node) Run(ctx context.Context) (err error) {
	defer func() {
		if cerr := n.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	serviceCtx, stopServices := context.WithCancel(context.Background())
	defer stopServices()
	services, failed := errgroup.WithContext(serviceCtx)
	services.Go(func() error { return n.appConns.Run(failed) })
	services.Go(func() error { return n.eventBus.Run(failed) })
	if n.metricsSrv != nil {
		services.Go(func() error { return n.metricsSrv.run(failed) })
	}
	services.Go(func() error {
		// The indexer catches up from the stores once the handshake has replayed what the
		// application missed: before, the last block's results may not be stored yet.
		select {
		case <-n.handshook:
		case <-failed.Done():
			return nil
		}
		return indexer.NewService(indexer.ServiceConfig{
			TxIndexer: n.txIndexer, BlockIndexer: n.blockIndexer, EventBus: n.eventBus,
			Blocks: n.blockStore, Results: n.stateStore, Logger: n.logger,
		}).Run(failed)
	})

	// Consensus stops when the caller cancels or a service fails.
	consensusCtx, stopConsensus := context.WithCancel(ctx)
	defer stopConsensus()
	go func() {
		select {
		case <-failed.Done():
			stopConsensus()
		case <-consensusCtx.Done():
		}
	}()

	var consensusErr error
	select {
	case <-n.appConns.Connected():
		consensusErr = n.runConsensus(consensusCtx)
	case <-consensusCtx.Done():
	}
	// Decide before stopping the services (which cancels consensusCtx) whether consensus failed
	// on its own or was stopped.
	stoppedOnPurpose := consensusCtx.Err() != nil
	stopServices()
	serviceErr := services.Wait()
	switch {
	case serviceErr != nil && !errors.Is(serviceErr, context.Canceled):
		return serviceErr // names the broken application connection
	case consensusErr != nil && !stoppedOnPurpose:
		return consensusErr
	}
	return nil
}

// runConsensus does the handshake with the application, then runs the mempool, the block
// executor, the p2p layer, the RPC and — once block sync has caught up with the peers — the
// consensus driver until ctx is done.
func (n *Node) runConsensus(ctx context.Context) error {
	handshaker := state.NewHandshaker(n.stateStore, n.state, n.blockStore, n.genDoc, n.eventBus, n.logger.With("module", "consensus"))
	st, err := handshaker.Handshake(ctx, n.apps)
	if err != nil {
		return fmt.Errorf("handshake with the application: %w", err)
	}
	close(n.handshook)

	mp, err := n.newMempool(st)
	if err != nil {
		return err
	}
	exec := state.NewBlockExecutor(n.stateStore, n.logger.With("module", "state"), n.apps.Consensus(),
		state.NewMempoolAdapter(mp), n.evidence, n.blockStore,
		state.WithEventPublisher(n.eventBus), state.WithMetrics(n.metrics.state),
		state.WithBlockTimeTolerance(time.Now, n.cfg.Consensus.BlockTimeTolerance))

	walLog, err := openWAL(n.cfg.Consensus.WalFile(), n.logger)
	if err != nil {
		return err
	}
	defer walLog.Close()

	net, err := n.newNetwork(st, mp, exec)
	if err != nil {
		return err
	}
	cons := newConsensusView(n.stateStore)
	env, err := n.rpcEnvironment(rpcParts{state: st, mempool: mp, consensus: cons, network: net})
	if err != nil {
		return err
	}
	rec, err := n.openRecorder()
	if err != nil {
		return err
	}
	pprofLn, err := n.listenPprof()
	if err != nil {
		return err
	}
	parts, partsCtx := errgroup.WithContext(ctx)
	if pprofLn != nil {
		parts.Go(func() error { return n.runPprof(partsCtx, pprofLn) })
	}
	parts.Go(func() error { return n.runRPC(partsCtx, env) })
	parts.Go(func() error { return net.run(partsCtx) })
	parts.Go(func() error {
		select {
		case <-net.blocksync.Done():
		case <-partsCtx.Done():
			return nil
		}
		synced, _ := net.blocksync.Result()
		if synced.BlocksSynced > 0 {
			if err := markSynced(walLog, synced.State.LastBlockHeight); err != nil {
				return err
			}
		}
		driver := n.newDriver(synced.State, mp, exec, walLog, net, rec)
		cons.attach(driver)
		net.consensus.SwitchToConsensus(driver)
		n.logger.With("module", "node").Info("starting consensus", "height", synced.State.LastBlockHeight+1,
			"app_hash", synced.State.AppHash, "chain_id", synced.State.ChainID, "blocks_synced", synced.BlocksSynced)
		return driver.Run(partsCtx)
	})
	return parts.Wait()
}

// newDriver builds the consensus driver that continues from st.
func (n *Node) newDriver(st state.State, mp mempool.Mempool, exec *state.BlockExecutor, walLog consensus.WAL, net *network, rec consensus.Recorder) *consensus.Driver {
	var txsAvailable <-chan struct{}
	if n.cfg.Consensus.WaitForTxs() {
		mp.EnableTxsAvailable()
		txsAvailable = mp.TxsAvailable()
	}
	var txsBacklog <-chan int64
	if txs := n.cfg.Consensus.SkipTimeoutCommitTxs; txs > 0 {
		mp.EnableTxsBacklog(txs)
		txsBacklog = mp.TxsBacklog()
	}
	return consensus.NewDriver(consensusConfig(n.cfg), st, consensus.Deps{
		Logger:       n.logger.With("module", "consensus"),
		Signer:       n.privVal,
		Executor:     exec,
		BlockStore:   n.blockStore,
		WAL:          walLog,
		Gossip:       net.consensus,
		Events:       consensusEvents{bus: n.eventBus, evidence: n.evidence, logger: n.logger.With("module", "consensus")},
		TxsAvailable: txsAvailable,
		TxsBacklog:   txsBacklog,
		Metrics:      n.metrics.consensus,
		Recorder:     rec,
	})
}

func (n *Node) newMempool(st state.State) (mempool.Mempool, error) {
	return mempool.New(n.cfg.Mempool, n.apps.Mempool(), st.LastBlockHeight,
		mempool.WithLogger(n.logger.With("module", "mempool")), mempool.WithMetrics(n.metrics.mempool),
		mempool.WithPreCheck(state.TxPreCheck(st)),
		mempool.WithPostCheck(state.TxPostCheck(st)))
}

// consensusConfig takes the consensus settings out of the node configuration.
func consensusConfig(cfg *config.Config) consensus.Config {
	c := cfg.Consensus
	return consensus.Config{
		Core: core.Config{
			TimeoutPropose:            c.TimeoutPropose,
			TimeoutProposeDelta:       c.TimeoutProposeDelta,
			TimeoutPrevote:            c.TimeoutPrevote,
			TimeoutPrevoteDelta:       c.TimeoutPrevoteDelta,
			TimeoutPrecommit:          c.TimeoutPrecommit,
			TimeoutPrecommitDelta:     c.TimeoutPrecommitDelta,
			TimeoutCommit:             c.TimeoutCommit,
			SkipTimeoutCommit:         c.SkipTimeoutCommit,
			SkipTimeoutCommitTxs:      c.SkipTimeoutCommitTxs,
			CreateEmptyBlocks:         c.CreateEmptyBlocks,
			CreateEmptyBlocksInterval: c.CreateEmptyBlocksInterval,
		},
		BlockTimeTolerance: c.BlockTimeTolerance,
	}
}
