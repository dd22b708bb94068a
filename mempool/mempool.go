package mempool

import (
	"context"
	"slices"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Mempool is what the node uses of a mempool: RPC and the gossip reactor submit transactions,
// the proposer reaps them, the block executor updates the pool after each Commit, and the gossip
// reactor walks the pool in admission order. Implementations are safe for concurrent use.
type Mempool interface {
	// CheckTx submits tx (from sender; "" for this node, e.g. RPC) and waits for the outcome.
	// The pool keeps tx: the caller must not modify it afterwards. It returns:
	//   - (nil, err) when tx was refused before the app was asked: *FullError, ErrRecheckFull,
	//     *TxTooLargeError, *PreCheckError, *AppConnError, ErrTxInCache; or ctx's error (while
	//     waiting for the update exclusion or for room on the app connection);
	//   - (res, nil) when the app answered: res.Code == 0 means tx is in the pool (admitted now,
	//     or already there from a concurrent submission); any other code means it was rejected;
	//   - (res, err) when the app answered code 0 but tx was not admitted: *PostCheckError (a
	//     *FullError there would break the Pool's invariant that admitted txs hold their place);
	//   - (nil, *AppConnError) when the connection broke while the app had tx;
	//   - (nil, ctx.Err()) when ctx ended before the answer: the outcome is then unknown (the app's
	//     answer is still applied when it arrives).
	CheckTx(ctx context.Context, tx types.Tx, sender p2p.ID) (*abci.ResponseCheckTx, error)
	// CheckTxAsync runs the admission checks of CheckTx and queues tx on the app connection
	// without waiting for the answer. A non-nil error is a refusal as in CheckTx's first case,
	// and then cb is never called. Otherwise cb, if not nil, is called exactly once with what
	// CheckTx would return, on the app client's goroutine (or the caller's, for an in-process
	// app): it must not block and must not call the mempool's Lock or Update.
	CheckTxAsync(ctx context.Context, tx types.Tx, sender p2p.ID, cb func(*abci.ResponseCheckTx, error)) error

	// ReapMaxBytesMaxGas returns transactions from the front of the pool (admission order) for as
	// long as their total proto size inside a block's Data stays ≤ maxBytes and their total
	// gas_wanted ≤ maxGas; it stops at the first that does not fit. A negative limit is no limit.
	// The transactions stay in the pool; their bytes are shared and must not be modified.
	ReapMaxBytesMaxGas(maxBytes, maxGas int64) types.Txs
	// ReapMaxTxs returns the first max transactions in admission order (all for max < 0).
	ReapMaxTxs(max int) types.Txs

	// Lock starts the update exclusion around the app's Commit: it waits until no other holder
	// has it, stops new CheckTx calls from reaching the app (they wait) and waits until those
	// already past the checks have queued their requests. The block executor calls Lock,
	// FlushAppConn, the app's Commit, Update, Unlock — in that order, from one goroutine.
	Lock()
	// Unlock ends the update exclusion. Calling it without holding Lock panics.
	Unlock()
	// FlushAppConn waits until the app has answered every request sent on the mempool
	// connection (wrapped in *FlushAppConnError on failure).
	FlushAppConn(ctx context.Context) error
	// Update records that the block at height committed txs with txResults (same length): it
	// removes them from the pool, keeps the valid ones in the cache, drops the invalid ones from
	// it (unless keep-invalid-txs-in-cache), replaces the pre- and post-check when non-nil, and
	// with recheck enabled rechecks every remaining transaction, waiting at most recheck_timeout.
	// The caller must hold Lock (else ErrNotLocked). An error means the app connection broke.
	Update(height int64, txs types.Txs, txResults []*abci.ExecTxResult, preCheck PreCheckFunc, postCheck PostCheckFunc) error

	// Flush removes every transaction and empties the cache (RPC unsafe_flush_mempool).
	Flush()
	// RemoveTxByKey removes one transaction (ErrTxNotFound if it is not in the pool). The
	// transaction stays in the cache, so it is not accepted again right away.
	RemoveTxByKey(key types.TxKey) error
	// Contains reports whether the transaction with key is in the pool.
	Contains(key types.TxKey) bool
	// GetTxByHash returns the pool's transaction whose SHA-256 is hash.
	GetTxByHash(hash []byte) (types.Tx, bool)
	// Size returns the number of transactions in the pool.
	Size() int
	// SizeBytes returns the total raw size of the transactions in the pool.
	SizeBytes() int64

	// EnableTxsAvailable turns on the TxsAvailable notifications.
	EnableTxsAvailable()
	// TxsAvailable returns a channel that receives once per height, after EnableTxsAvailable, as
	// soon as the pool holds a transaction (right after Update if some remain valid). It is nil
	// before EnableTxsAvailable.
	TxsAvailable() <-chan struct{}
	// EnableTxsBacklog turns on the TxsBacklog notifications, for n > 0 transactions.
	EnableTxsBacklog(n int)
	// TxsBacklog returns a channel that receives once per height, after EnableTxsBacklog(n), the
	// height of the next block, as soon as the pool holds n transactions. It is nil before
	// EnableTxsBacklog.
	TxsBacklog() <-chan int64

	// TxsWaitChan returns a channel that is closed when the next transaction is admitted. Take
	// the channel before looking for a transaction (NextTx) so that no admission is missed.
	TxsWaitChan() <-chan struct{}
	// NextTx returns the first transaction in the pool admitted after the one numbered after
	// (0: the first transaction), whether or not that one is still in the pool.
	NextTx(after uint64) (Entry, bool)
	// WaitNextTx is NextTx that waits for such a transaction, or fails with ctx's error.
	WaitNextTx(ctx context.Context, after uint64) (Entry, error)
}

// Entry is a snapshot of one pool transaction for the gossip reactor.
type Entry struct {
	Tx        types.Tx // shared; must not be modified
	Key       types.TxKey
	Seq       uint64 // admission number; pass it to NextTx to get the following transaction
	Height    int64  // pool height when it was admitted
	GasWanted int64
	Senders   []p2p.ID // peers it was received from, as of the snapshot; owned by the caller
}

// SentBy reports whether peer sent the transaction to this node (so it need not be sent back).
func (e Entry) SentBy(peer p2p.ID) bool { return slices.Contains(e.Senders, peer) }

func (ptx *poolTx) entry() Entry {
	return Entry{
		Tx:        ptx.tx,
		Key:       ptx.key,
		Seq:       ptx.seq,
		Height:    ptx.height,
		GasWanted: ptx.gasWanted,
		Senders:   slices.Clone(ptx.senders),
	}
}
