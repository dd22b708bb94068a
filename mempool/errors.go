package mempool

import (
	"errors"
	"fmt"
)

// Admission errors. The texts are CometBFT's (rpc.md §7): the RPC hands them to clients verbatim.
var (
	// ErrTxInCache means the transaction was seen recently: it is in the dedup cache (it was
	// checked, is in the pool or was committed) or, with the cache disabled, in the pool.
	ErrTxInCache = errors.New("tx already exists in cache")

	// ErrRecheckFull means the recheck after the last block is still waiting for answers (it
	// outlived recheck_timeout); until it ends the pool accepts nothing.
	ErrRecheckFull = errors.New("mempool is still rechecking after a new committed block, so it is considered as full")

	// ErrTxNotFound is returned by RemoveTxByKey for a transaction that is not in the pool.
	ErrTxNotFound = errors.New("transaction not found in mempool")

	// ErrNotAllowed is the error of every CheckTx on the nop mempool.
	ErrNotAllowed = errors.New("not allowed with `nop` mempool")

	// ErrNotLocked is returned by Update when the caller does not hold the mempool Lock.
	ErrNotLocked = errors.New("mempool: Update called without holding Lock")

	// ErrFull matches every *FullError (errors.Is).
	ErrFull = errors.New("mempool is full")

	// ErrTxTooLarge matches every *TxTooLargeError (errors.Is).
	ErrTxTooLarge = errors.New("tx too large")
)

// FullError means the pool holds Size transactions, or the transaction's bytes would take it past
// MaxTxsBytes. NumTxs and TxsBytes are the pool's contents when the check failed, not counting the
// refused transaction. CheckTx returns it before asking the app, or together with the app's
// code-0 response when the pool filled up while the app was checking.
type FullError struct {
	NumTxs      int
	MaxTxs      int
	TxsBytes    int64
	MaxTxsBytes int64
}

func (e *FullError) Error() string {
	return fmt.Sprintf("mempool is full: number of txs %d (max: %d), total txs bytes %d (max: %d)",
		e.NumTxs, e.MaxTxs, e.TxsBytes, e.MaxTxsBytes)
}

// Is reports whether target is ErrFull.
func (e *FullError) Is(target error) bool { return target == ErrFull }

// TxTooLargeError means the transaction is longer than max_tx_bytes.
type TxTooLargeError struct {
	Max    int
	Actual int
}

func (e *TxTooLargeError) Error() string {
	return fmt.Sprintf("Tx too large. Max size is %d, but got %d", e.Max, e.Actual)
}

// Is reports whether target is ErrTxTooLarge.
func (e *TxTooLargeError) Is(target error) bool { return target == ErrTxTooLarge }

// PreCheckError means the pre-check (see PreCheckFunc) refused the transaction; the app was not
// asked.
type PreCheckError struct{ Err error }

func (e *PreCheckError) Error() string { return fmt.Sprintf("tx pre check: %v", e.Err) }

// Unwrap returns the pre-check's error.
func (e *PreCheckError) Unwrap() error { return e.Err }

// PostCheckError means the app accepted the transaction (code 0) but the post-check (see
// PostCheckFunc) refused it, so it was not admitted. CheckTx returns it with the app's response.
type PostCheckError struct{ Err error }

func (e *PostCheckError) Error() string { return fmt.Sprintf("tx post check: %v", e.Err) }

// Unwrap returns the post-check's error.
func (e *PostCheckError) Unwrap() error { return e.Err }

// AppConnError means the mempool's application connection is broken (or broke while the request
// was in flight); the node is stopping.
type AppConnError struct{ Err error }

func (e *AppConnError) Error() string { return fmt.Sprintf("appConn mempool: %v", e.Err) }

// Unwrap returns the connection's error.
func (e *AppConnError) Unwrap() error { return e.Err }

// FlushAppConnError is the error of FlushAppConn.
type FlushAppConnError struct{ Err error }

func (e *FlushAppConnError) Error() string { return fmt.Sprintf("flush appConn mempool: %v", e.Err) }

// Unwrap returns the connection's error.
func (e *FlushAppConnError) Unwrap() error { return e.Err }
