package mempool

import (
	"context"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Nop is the "nop" mempool (mempool.type = "nop"): it accepts no transaction, so it is always
// empty, and its notifications never fire. The app builds blocks from its own transactions in
// PrepareProposal. The zero value is ready to use.
type Nop struct{}

var _ Mempool = Nop{}

// CheckTx fails with ErrNotAllowed.
func (Nop) CheckTx(context.Context, types.Tx, p2p.ID) (*abci.ResponseCheckTx, error) {
	return nil, ErrNotAllowed
}

// CheckTxAsync fails with ErrNotAllowed and never calls cb.
func (Nop) CheckTxAsync(context.Context, types.Tx, p2p.ID, func(*abci.ResponseCheckTx, error)) error {
	return ErrNotAllowed
}

// ReapMaxBytesMaxGas returns nothing.
func (Nop) ReapMaxBytesMaxGas(int64, int64) types.Txs { return nil }

// ReapMaxTxs returns nothing.
func (Nop) ReapMaxTxs(int) types.Txs { return nil }

// Lock does nothing: there is nothing to exclude.
func (Nop) Lock() {}

// Unlock does nothing.
func (Nop) Unlock() {}

// FlushAppConn does nothing: the nop mempool sends nothing to the app.
func (Nop) FlushAppConn(context.Context) error { return nil }

// Update does nothing.
func (Nop) Update(int64, types.Txs, []*abci.ExecTxResult, PreCheckFunc, PostCheckFunc) error {
	return nil
}

// Flush does nothing.
func (Nop) Flush() {}

// RemoveTxByKey fails with ErrTxNotFound.
func (Nop) RemoveTxByKey(types.TxKey) error { return ErrTxNotFound }

// Contains reports false.
func (Nop) Contains(types.TxKey) bool { return false }

// GetTxByHash finds nothing.
func (Nop) GetTxByHash([]byte) (types.Tx, bool) { return nil, false }

// Size returns 0.
func (Nop) Size() int { return 0 }

// SizeBytes returns 0.
func (Nop) SizeBytes() int64 { return 0 }

// EnableTxsAvailable does nothing.
func (Nop) EnableTxsAvailable() {}

// TxsAvailable returns nil: a channel that never fires.
func (Nop) TxsAvailable() <-chan struct{} { return nil }

// EnableTxsBacklog does nothing.
func (Nop) EnableTxsBacklog(int) {}

// TxsBacklog returns nil: a channel that never fires.
func (Nop) TxsBacklog() <-chan int64 { return nil }

// TxsWaitChan returns nil: a channel that never fires.
func (Nop) TxsWaitChan() <-chan struct{} { return nil }

// NextTx finds nothing.
func (Nop) NextTx(uint64) (Entry, bool) { return Entry{}, false }

// WaitNextTx waits for ctx to end and returns its error.
func (Nop) WaitNextTx(ctx context.Context, _ uint64) (Entry, error) {
	<-ctx.Done()
	return Entry{}, ctx.Err()
}
