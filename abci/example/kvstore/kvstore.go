package kvstore

import (
	"context"
	"fmt"
	"sync"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/libs/log"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/version"
)

// AppVersion is the application protocol version reported by Info (CometBFT's kvstore: 1).
const AppVersion uint64 = 1

// Options tune an Application. The zero value is valid: no logging, no snapshots, no block
// pruning.
type Options struct {
	// Logger receives the application's log lines; nil discards them.
	Logger log.Logger
	// SnapshotInterval takes a state-sync snapshot after committing every height that is a
	// multiple of it; 0 takes none.
	SnapshotInterval uint64
	// SnapshotKeepRecent is how many snapshots are kept (older ones are deleted); 0 means 2.
	SnapshotKeepRecent int
	// SnapshotChunkSize is the size of a snapshot chunk in bytes; 0 means 64 KiB.
	SnapshotChunkSize int
	// RetainBlocks, when positive, asks the node to keep only the last RetainBlocks blocks
	// (ResponseCommit.RetainHeight), as CometBFT's kvstore field of the same name does.
	RetainBlocks int64
}

const (
	defaultSnapshotKeepRecent = 2
	defaultSnapshotChunkSize  = 64 << 10
)

// Application is the kvstore. It is safe for concurrent use: every method takes one lock, so
// calls from the node's four connections are serialized.
type Application struct {
	types.BaseApplication

	mu      sync.Mutex
	db      dbm.DB
	opts    Options
	logger  log.Logger
	state   appState      // committed state
	pending *pendingBlock // the finalized block awaiting Commit, or nil
	restore *restoreState // the snapshot being restored, or nil
}

var _ types.Application = (*Application)(nil)

// NewApplication opens the kvstore on db, which it owns from now on (Close closes it).
// It fails if the stored state record is unreadable.
func NewApplication(db dbm.DB, opts Options) (*Application, error) {
	st, err := loadState(db)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = log.NewNop()
	}
	if opts.SnapshotKeepRecent <= 0 {
		opts.SnapshotKeepRecent = defaultSnapshotKeepRecent
	}
	if opts.SnapshotChunkSize <= 0 {
		opts.SnapshotChunkSize = defaultSnapshotChunkSize
	}
	return &Application{db: db, opts: opts, logger: opts.Logger, state: st}, nil
}

// NewPersistentApplication opens (or creates) the goleveldb database "kvstore" in dir.
func NewPersistentApplication(dir string, opts Options) (*Application, error) {
	db, err := dbm.NewDB("kvstore", dbm.GoLevelDBBackend, dir)
	if err != nil {
		return nil, fmt.Errorf("kvstore: open database in %s: %w", dir, err)
	}
	app, err := NewApplication(db, opts)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("kvstore: %s: %w", dir, err)
	}
	return app, nil
}

// NewInMemoryApplication returns a kvstore on a fresh in-memory database; nothing persists.
func NewInMemoryApplication(opts Options) *Application {
	app, err := NewApplication(dbm.NewMemDB(), opts)
	if err != nil {
		panic(fmt.Sprintf("kvstore: empty database: %v", err)) // an empty MemDB has no state record
	}
	return app
}

// Close closes the database. The application must not be used afterwards.
func (app *Application) Close() error {
	app.mu.Lock()
	defer app.mu.Unlock()
	return app.db.Close()
}

// Info reports the last committed height and app hash, with data {"size":N}.
func (app *Application) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	return &abci.ResponseInfo{
		Data:             fmt.Sprintf(`{"size":%d}`, app.state.Size),
		Version:          version.ABCI,
		AppVersion:       AppVersion,
		LastBlockHeight:  app.state.Height,
		LastBlockAppHash: app.state.AppHash(),
	}, nil
}

// InitChain stores the genesis validators (durably, before returning) and returns the app
// hash of the current state. app_state_bytes is ignored, as CometBFT's kvstore does. An
// unusable validator key is an error.
func (app *Application) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	batch := app.db.NewBatch()
	defer batch.Close()
	for _, v := range req.Validators {
		if err := stageValidator(app.db, batch, v, app.logger); err != nil {
			return nil, fmt.Errorf("init chain: genesis validator: %w", err)
		}
	}
	if err := batch.WriteSync(); err != nil {
		return nil, fmt.Errorf("init chain: %w", err)
	}
	return &abci.ResponseInitChain{AppHash: app.state.AppHash()}, nil
}

// CheckTx accepts (code 0, gas_wanted 1) every transaction parseTx accepts and rejects the
// rest with CodeTypeInvalidTxFormat. It reads no state: New and Recheck are the same.
func (app *Application) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	if parseTx(req.Tx).kind == kindInvalid {
		return &abci.ResponseCheckTx{Code: CodeTypeInvalidTxFormat}, nil // no log, as CometBFT's
	}
	return &abci.ResponseCheckTx{Code: CodeTypeOK, GasWanted: 1}, nil
}

// PrepareProposal keeps the transactions CheckTx accepts, in order, rewriting the first ':'
// of each into '=' (so "k:v" is proposed as "k=v"), as CometBFT's kvstore does; get and cas
// operations are kept verbatim. When MaxTxBytes is positive, transactions past that total
// size are dropped.
func (app *Application) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	txs := make([][]byte, 0, len(req.Txs))
	var total int64
	for _, tx := range req.Txs {
		p := parseTx(tx)
		if p.kind == kindInvalid {
			continue
		}
		if req.MaxTxBytes > 0 {
			total += int64(len(tx))
			if total > req.MaxTxBytes {
				break
			}
		}
		if p.kind == kindSet || p.kind == kindValidator {
			tx = replaceFirstColon(tx)
		}
		txs = append(txs, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}

func replaceFirstColon(tx []byte) []byte {
	for i, b := range tx {
		if b == ':' {
			out := append([]byte(nil), tx...)
			out[i] = '='
			return out
		}
	}
	return tx
}

// ProcessProposal accepts a block iff CheckTx accepts every transaction in it.
func (app *Application) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	for _, tx := range req.Txs {
		if parseTx(tx).kind == kindInvalid {
			return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}, nil
		}
	}
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}
