package mempool

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"

	abcitypes "github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Pool is the "flood" mempool (CometBFT's CListMempool): transactions in admission order, a dedup
// cache, recheck after every block. See the package documentation for the admission rules and
// the lock discipline.
type Pool struct {
	cfg     config.MempoolConfig // read-only copy
	app     appconn.Mempool
	logger  log.Logger
	metrics *Metrics
	gate    gate // the update exclusion (Lock/Unlock)

	mtx       sync.Mutex // guards every field below; never held while calling the app
	height    int64
	seq       uint64 // sequence number of the last admitted transaction
	store     *txStore
	cache     *txCache
	preCheck  PreCheckFunc  // may be nil
	postCheck PostCheckFunc // may be nil
	recheck   *recheckRound // the running recheck, nil if none
	// pending counts the transactions (and their bytes) that passed admission and wait for the
	// app's answer: each holds its place within the limits, so a transaction the app accepts is
	// never refused for room.
	pendingTxs   int
	pendingBytes int64
	waitCh       chan struct{} // closed at the next admission; nil until someone waits
	availableCh  chan struct{} // TxsAvailable's channel (capacity 1), nil until enabled
	notified     bool          // availableCh fired at this height
	backlogTxs   int           // EnableTxsBacklog's n; 0 until enabled
	backlogCh    chan int64    // TxsBacklog's channel (capacity 1), nil until enabled
	backlogSent  bool          // backlogCh fired at this height
}

var _ Mempool = (*Pool)(nil)

// Option configures a Pool.
type Option func(*Pool)

// WithLogger sets the logger (default: none).
func WithLogger(logger log.Logger) Option { return func(p *Pool) { p.logger = logger } }

// WithMetrics sets the metrics (default: NopMetrics).
func WithMetrics(metrics *Metrics) Option { return func(p *Pool) { p.metrics = metrics } }

// WithPreCheck sets the initial pre-check (Update may replace it).
func WithPreCheck(check PreCheckFunc) Option { return func(p *Pool) { p.preCheck = check } }

// WithPostCheck sets the initial post-check (Update may replace it).
func WithPostCheck(check PostCheckFunc) Option { return func(p *Pool) { p.postCheck = check } }

// NewPool returns an empty flood mempool at height (the last committed block's height) that
// checks transactions on app. cfg is copied; it must pass ValidateBasic.
func NewPool(cfg *config.MempoolConfig, app appconn.Mempool, height int64, opts ...Option) (*Pool, error) {
	if cfg == nil || app == nil {
		return nil, errors.New("mempool: nil config or app connection")
	}
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("mempool: %w", err)
	}
	p := &Pool{
		cfg:     *cfg,
		app:     app,
		logger:  log.NewNop(),
		metrics: NopMetrics(),
		height:  height,
		store:   newTxStore(),
		cache:   newTxCache(cfg.CacheSize),
	}
	for _, opt := range opts {
		opt(p)
	}
	p.logger = p.logger.With("module", "mempool")
	return p, nil
}

// New returns the mempool cfg.Type asks for: a Pool for "flood" (or ""), a Nop for "nop".
func New(cfg *config.MempoolConfig, app appconn.Mempool, height int64, opts ...Option) (Mempool, error) {
	if cfg != nil && cfg.Type == config.MempoolTypeNop {
		return Nop{}, nil
	}
	return NewPool(cfg, app, height, opts...)
}

// CheckTx submits tx and waits for the outcome; see Mempool.
func (p *Pool) CheckTx(ctx context.Context, tx types.Tx, sender p2p.ID) (*abci.ResponseCheckTx, error) {
	type outcome struct {
		res *abci.ResponseCheckTx
		err error
	}
	done := make(chan outcome, 1)
	err := p.CheckTxAsync(ctx, tx, sender, func(res *abci.ResponseCheckTx, err error) {
		done <- outcome{res, err}
	})
	if err != nil {
		return nil, err
	}
	select {
	case out := <-done:
		return out.res, out.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CheckTxAsync runs the admission checks and queues tx on the app connection; see Mempool.
func (p *Pool) CheckTxAsync(ctx context.Context, tx types.Tx, sender p2p.ID, cb func(*abci.ResponseCheckTx, error)) error {
	if err := p.gate.enter(ctx); err != nil {
		return err
	}
	defer p.gate.leave()

	key := tx.Key()
	if err := p.admit(tx, key, sender); err != nil {
		return err
	}
	req := &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New}
	_, err := p.app.CheckTxAsync(ctx, req, func(res *abci.ResponseCheckTx, err error) {
		res, err = p.onCheckTxAnswer(tx, key, sender, res, err)
		if cb != nil {
			cb(res, err)
		}
	})
	if err != nil {
		p.mtx.Lock()
		p.release(tx)
		p.cache.remove(key) // never checked: it may come again
		p.mtx.Unlock()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return &AppConnError{Err: err}
	}
	return nil
}

// admit runs the checks made before the app is asked, in CometBFT's order, and on success
// records tx in the cache.
func (p *Pool) admit(tx types.Tx, key types.TxKey, sender p2p.ID) error {
	appErr := p.app.Error()

	p.mtx.Lock()
	defer p.mtx.Unlock()
	if err := p.roomFor(len(tx)); err != nil {
		p.metrics.RejectedTxs.Add(1)
		return err
	}
	if len(tx) > p.cfg.MaxTxBytes {
		return &TxTooLargeError{Max: p.cfg.MaxTxBytes, Actual: len(tx)}
	}
	if p.preCheck != nil {
		if err := p.preCheck(tx); err != nil {
			return &PreCheckError{Err: err}
		}
	}
	if appErr != nil {
		return &AppConnError{Err: appErr}
	}
	if ptx := p.store.get(key); ptx != nil {
		ptx.addSender(sender)
		p.cache.push(key)
		p.metrics.AlreadyReceivedTxs.Add(1)
		return ErrTxInCache
	}
	if !p.cache.push(key) {
		p.metrics.AlreadyReceivedTxs.Add(1)
		return ErrTxInCache
	}
	p.pendingTxs++
	p.pendingBytes += int64(len(tx))
	return nil
}

// release gives back the place a transaction held while the app checked it. Called with mtx
// held, exactly once for each successful admit.
func (p *Pool) release(tx types.Tx) {
	p.pendingTxs--
	p.pendingBytes -= int64(len(tx))
}

// roomFor reports whether a transaction of n bytes fits in the pool now, counting the places
// held by transactions the app is still checking. Called with mtx held.
func (p *Pool) roomFor(n int) error {
	if p.recheck != nil {
		return ErrRecheckFull
	}
	return p.limitsAllow(p.store.len()+p.pendingTxs, p.store.bytes+p.pendingBytes, n)
}

// limitsAllow returns a *FullError unless a transaction of n bytes fits beside txs transactions
// of bytes in all, nil if it does.
func (p *Pool) limitsAllow(txs int, bytes int64, n int) error {
	if txs >= p.cfg.Size || bytes+int64(n) > p.cfg.MaxTxsBytes {
		return &FullError{NumTxs: txs, MaxTxs: p.cfg.Size, TxsBytes: bytes, MaxTxsBytes: p.cfg.MaxTxsBytes}
	}
	return nil
}

// onCheckTxAnswer applies the app's answer to a NEW CheckTx and returns what the submitter gets.
func (p *Pool) onCheckTxAnswer(tx types.Tx, key types.TxKey, sender p2p.ID, res *abci.ResponseCheckTx, err error) (*abci.ResponseCheckTx, error) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.release(tx)
	if err != nil {
		p.cache.remove(key)
		return nil, &AppConnError{Err: err}
	}
	if res == nil {
		res = &abci.ResponseCheckTx{} // a socket app may send an empty message; it reads as code 0
	}
	if res.Code != abcitypes.CodeTypeOK {
		p.forgetInvalid(key)
		p.metrics.FailedTxs.Add(1)
		p.logger.Debug("rejected tx", "tx", txHashLog(key), "code", res.Code, "log", res.Log)
		return res, nil
	}
	if p.postCheck != nil {
		if checkErr := p.postCheck(tx, res); checkErr != nil {
			p.forgetInvalid(key)
			p.metrics.FailedTxs.Add(1)
			return res, &PostCheckError{Err: checkErr}
		}
	}
	if ptx := p.store.get(key); ptx != nil {
		ptx.addSender(sender) // a concurrent submission of the same tx won the race
		return res, nil
	}
	// The limits again. They cannot be exceeded: tx held its place since admission (a recheck
	// started meanwhile does not keep it out; like CometBFT, its check against the state before
	// the block stands until the next recheck). The check stays as a guard of that invariant.
	if err := p.limitsAllow(p.store.len(), p.store.bytes, len(tx)); err != nil {
		p.cache.remove(key) // valid, just no room: let it be resubmitted
		p.metrics.RejectedTxs.Add(1)
		return res, err
	}
	p.seq++
	ptx := &poolTx{
		tx:        tx,
		key:       key,
		seq:       p.seq,
		height:    p.height,
		gasWanted: res.GasWanted,
		protoSize: protoSize(len(tx)),
	}
	ptx.addSender(sender)
	p.store.add(ptx)
	p.metrics.TxSizeBytes.Observe(float64(len(tx)))
	p.updateSizeMetrics()
	p.logger.Debug("added tx", "tx", txHashLog(key), "height", p.height, "size", p.store.len())
	if p.waitCh != nil {
		close(p.waitCh)
		p.waitCh = nil
	}
	p.notify()
	return res, nil
}

// forgetInvalid drops an invalid transaction from the cache unless keep-invalid-txs-in-cache.
// Called with mtx held.
func (p *Pool) forgetInvalid(key types.TxKey) {
	if !p.cfg.KeepInvalidTxsInCache {
		p.cache.remove(key)
	}
}

// notify fires TxsAvailable once per height if the pool is not empty, and TxsBacklog once per
// height if it holds the backlog's transactions. Called with mtx held.
func (p *Pool) notify() {
	if p.backlogCh != nil && !p.backlogSent && p.store.len() >= p.backlogTxs {
		p.backlogSent = true
		select {
		case p.backlogCh <- p.height + 1:
		default: // an unread notice of an earlier height: replace it
			select {
			case <-p.backlogCh:
			default:
			}
			p.backlogCh <- p.height + 1 // only the pool sends, under mtx: there is room now
		}
	}
	if p.availableCh == nil || p.notified || p.store.len() == 0 {
		return
	}
	p.notified = true
	select {
	case p.availableCh <- struct{}{}:
	default:
	}
}

// updateSizeMetrics publishes the pool's size. Called with mtx held.
func (p *Pool) updateSizeMetrics() {
	p.metrics.Size.Set(float64(p.store.len()))
	p.metrics.SizeBytes.Set(float64(p.store.bytes))
}

// txHashLog formats a key for logs.
func txHashLog(key types.TxKey) string { return fmt.Sprintf("%X", key[:]) }
