package state

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/mempool"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestTxPreCheckUsesBlockLimits(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	st := n.state
	st.ConsensusParams.Block.MaxBytes = types.MaxOverheadForBlock + types.MaxHeaderBytes + types.MaxCommitBytes(4) + 100
	check := TxPreCheck(st)
	if err := check(make(types.Tx, 98)); err != nil { // 100 bytes inside Data
		t.Fatalf("a fitting tx was refused: %v", err)
	}
	if err := check(make(types.Tx, 99)); err == nil {
		t.Fatal("a tx one byte too large was accepted")
	}
	st.ConsensusParams.Block.MaxBytes = 100
	if err := TxPreCheck(st)(types.Tx("x")); !errors.Is(err, types.ErrBlockTooSmall) {
		t.Fatalf("params without room: %v", err)
	}
	st.ConsensusParams.Block.MaxBytes = -1
	if err := TxPreCheck(st)(make(types.Tx, 1<<20)); err != nil {
		t.Fatalf("max_bytes -1 refused a 1 MiB tx: %v", err)
	}
}

// The real mempool behind NewMempoolAdapter takes the limits of the state after each block:
// a max_gas lowered to 0 at height 1 evicts the remaining transactions on recheck and refuses
// new ones.
func TestMempoolAdapterAdoptsNewLimits(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	pool, err := mempool.NewPool(config.TestMempoolConfig(), n.conns.Mempool(), 0,
		mempool.WithPreCheck(TxPreCheck(n.state)), mempool.WithPostCheck(TxPostCheck(n.state)))
	if err != nil {
		t.Fatal(err)
	}
	n.exec.mempool = NewMempoolAdapter(pool)
	ctx := context.Background()
	for _, tx := range txsOf(1, 3) {
		if res, err := pool.CheckTx(ctx, tx, ""); err != nil || res.Code != 0 {
			t.Fatalf("CheckTx %s: %v %v", tx, res, err)
		}
	}
	n.app.prepare = func(req *abci.RequestPrepareProposal, _ *abci.ResponsePrepareProposal) *abci.ResponsePrepareProposal {
		return &abci.ResponsePrepareProposal{Txs: req.Txs[:1]}
	}
	n.app.finalize = func(req *abci.RequestFinalizeBlock, resp *abci.ResponseFinalizeBlock) {
		if req.Height == 1 {
			resp.ConsensusParamUpdates = &tmproto.ConsensusParams{Block: &tmproto.BlockParams{MaxBytes: 22020096, MaxGas: 0}}
		}
	}
	b := n.commitBlock()
	if len(b.Txs) != 1 {
		t.Fatalf("block 1 has %d txs", len(b.Txs))
	}
	if size := pool.Size(); size != 0 {
		t.Fatalf("%d txs survived the recheck under max_gas 0", size)
	}
	_, err = pool.CheckTx(ctx, types.Tx("late=1"), "")
	var post *mempool.PostCheckError
	if !errors.As(err, &post) || !strings.Contains(err.Error(), "greater than max gas 0") {
		t.Fatalf("CheckTx under max_gas 0: %v", err)
	}
}
