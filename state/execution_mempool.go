package state

import (
	"context"

	"github.com/ballot-bft/ballot/mempool"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// TxPreCheck returns the mempool pre-check that st's block limits impose (CometBFT's
// TxPreCheck): a transaction whose size inside a block's Data exceeds what a block without
// evidence can hold (MaxDataBytesNoEvidence of block.max_bytes, -1 meaning 100 MiB, with st's
// validator count) is refused. Params that leave no room refuse every transaction.
func TxPreCheck(st State) mempool.PreCheckFunc {
	maxDataBytes, err := types.MaxDataBytesNoEvidence(st.ConsensusParams.Block.MaxBytes, st.Validators.Size())
	if err != nil {
		return func(types.Tx) error { return err }
	}
	return mempool.PreCheckMaxBytes(maxDataBytes)
}

// TxPostCheck returns the mempool post-check that st's block gas limit imposes (CometBFT's
// TxPostCheck): gas_wanted must not exceed block.max_gas (-1: no limit).
func TxPostCheck(st State) mempool.PostCheckFunc {
	return mempool.PostCheckMaxGas(st.ConsensusParams.Block.MaxGas)
}

// NewMempoolAdapter adapts the node's mempool to the executor's Mempool. Its Update hands the
// pool the pre- and post-checks of the state after the block (TxPreCheck, TxPostCheck), so
// consensus-param changes reach the mempool as in CometBFT. The executor that uses it tells it
// that state before each Update; nothing else may call Update.
func NewMempoolAdapter(pool mempool.Mempool) Mempool {
	return &poolAdapter{pool: pool}
}

// poolAdapter is the Mempool of NewMempoolAdapter. It is used by the executor's goroutine only.
type poolAdapter struct {
	pool      mempool.Mempool
	preCheck  mempool.PreCheckFunc
	postCheck mempool.PostCheckFunc
}

// stateChecker is implemented by mempools that derive their admission checks from the chain
// state; the executor calls setState with the state after the block before Update.
type stateChecker interface {
	setState(st State)
}

var _ stateChecker = (*poolAdapter)(nil)

func (a *poolAdapter) setState(st State) {
	a.preCheck, a.postCheck = TxPreCheck(st), TxPostCheck(st)
}

func (a *poolAdapter) Lock()                                  { a.pool.Lock() }
func (a *poolAdapter) Unlock()                                { a.pool.Unlock() }
func (a *poolAdapter) FlushAppConn(ctx context.Context) error { return a.pool.FlushAppConn(ctx) }

func (a *poolAdapter) ReapMaxBytesMaxGas(maxBytes, maxGas int64) types.Txs {
	return a.pool.ReapMaxBytesMaxGas(maxBytes, maxGas)
}

func (a *poolAdapter) Update(height int64, txs types.Txs, results []*abci.ExecTxResult) error {
	return a.pool.Update(height, txs, results, a.preCheck, a.postCheck)
}
