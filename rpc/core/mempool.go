package core

import (
	"errors"
	"fmt"
	"time"

	abcitypes "github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/types"
)

// rpcSender is the mempool sender of transactions submitted over RPC: this node itself.
const rpcSender = ""

// BroadcastTxAsync runs the mempool's admission checks and queues tx for CheckTx without
// waiting for the application. Admission errors (rpc.md §7) are returned as they are.
func (env *Environment) BroadcastTxAsync(ctx *rpctypes.Context, tx types.Tx) (*ResultBroadcastTx, error) {
	if err := env.Mempool.CheckTxAsync(ctx.Context(), tx, rpcSender, nil); err != nil {
		return nil, err
	}
	return &ResultBroadcastTx{Hash: tx.Hash()}, nil
}

// BroadcastTxSync submits tx to the mempool and returns the application's CheckTx answer. A
// non-zero code is a result, not an error.
func (env *Environment) BroadcastTxSync(ctx *rpctypes.Context, tx types.Tx) (*ResultBroadcastTx, error) {
	res, err := env.checkTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	return &ResultBroadcastTx{
		Code:      res.Code,
		Data:      res.Data,
		Log:       res.Log,
		Codespace: res.Codespace,
		Hash:      tx.Hash(),
	}, nil
}

// checkTx submits tx and waits for the application's answer. When the app accepted tx but the
// mempool did not keep it (the pool filled up meanwhile, or the post-check refused it), the
// caller gets the mempool's error, not the app's code 0: CometBFT answers code 0 there and then
// drops the transaction, which a client cannot tell from success.
func (env *Environment) checkTx(ctx *rpctypes.Context, tx types.Tx) (*abci.ResponseCheckTx, error) {
	res, err := env.Mempool.CheckTx(ctx.Context(), tx, rpcSender)
	switch {
	case res != nil && err != nil:
		return nil, err
	case res != nil:
		return res, nil
	case err != nil && ctx.Context().Err() != nil:
		return nil, fmt.Errorf("broadcast confirmation not received: %w", ctx.Context().Err())
	case err != nil:
		return nil, err
	}
	return nil, errors.New("mempool returned neither a response nor an error")
}

// BroadcastTxCommit submits tx and waits until it is committed in a block (at most
// timeout_broadcast_tx_commit), returning both its CheckTx and its FinalizeBlock results. A tx
// rejected by CheckTx returns at once with height 0 and an empty tx_result.
func (env *Environment) BroadcastTxCommit(ctx *rpctypes.Context, tx types.Tx) (*ResultBroadcastTxCommit, error) {
	subscriber := ctx.RemoteAddr()
	if err := env.checkSubscriptionLimits(subscriber); err != nil {
		return nil, err
	}
	q := types.EventQueryTxFor(tx)
	sub, err := env.EventBus.Subscribe(ctx.Context(), subscriber, q, 1)
	if err != nil {
		return nil, fmt.Errorf("failed to subscribe to tx: %w", err)
	}
	defer func() {
		if err := env.EventBus.Unsubscribe(ctx.Context(), subscriber, q); err != nil && ctx.Context().Err() == nil {
			env.logger().Error("Error unsubscribing from eventBus", "err", err)
		}
	}()

	checkRes, err := env.Mempool.CheckTx(ctx.Context(), tx, rpcSender)
	if checkRes == nil {
		if ctx.Context().Err() != nil {
			return nil, fmt.Errorf("broadcast confirmation not received: %w", ctx.Context().Err())
		}
		env.logger().Error("Error on broadcastTxCommit", "err", err)
		return nil, fmt.Errorf("error on broadcastTxCommit: %w", err)
	}
	if err != nil { // the app accepted tx, the mempool did not keep it (see checkTx)
		return nil, fmt.Errorf("error on broadcastTxCommit: %w", err)
	}
	result := &ResultBroadcastTxCommit{CheckTx: *checkRes, Hash: tx.Hash()}
	if checkRes.Code != abcitypes.CodeTypeOK {
		return result, nil
	}

	timer := time.NewTimer(env.Config.TimeoutBroadcastTxCommit)
	defer timer.Stop()
	select {
	case msg := <-sub.Out():
		data, ok := msg.Data().(types.EventDataTx)
		if !ok {
			return result, fmt.Errorf("unexpected %T event on the tx subscription", msg.Data())
		}
		result.TxResult = data.TxResult.Result
		result.Height = data.TxResult.Height
		return result, nil
	case <-sub.Canceled():
		reason := "CometBFT exited"
		if err := sub.Err(); err != nil {
			reason = err.Error()
		}
		err := fmt.Errorf("txSub was canceled (reason: %s)", reason)
		env.logger().Error("Error on broadcastTxCommit", "err", err)
		return result, err
	case <-timer.C:
		err := errors.New("timed out waiting for tx to be included in a block")
		env.logger().Error("Error on broadcastTxCommit", "err", err)
		return result, err
	case <-ctx.Context().Done():
		return result, fmt.Errorf("broadcast confirmation not received: %w", ctx.Context().Err())
	}
}

// CheckTx asks the application to check tx without adding it to the mempool.
func (env *Environment) CheckTx(ctx *rpctypes.Context, tx types.Tx) (*ResultCheckTx, error) {
	res, err := env.AppMempool.CheckTx(ctx.Context(), &abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	if err != nil {
		return nil, err
	}
	return &ResultCheckTx{ResponseCheckTx: *res}, nil
}

// UnconfirmedTxs returns up to limit (default 30, at most 100) mempool transactions in
// admission order, with the pool's size.
func (env *Environment) UnconfirmedTxs(_ *rpctypes.Context, limit *int) (*ResultUnconfirmedTxs, error) {
	txs := env.Mempool.ReapMaxTxs(perPage(limit))
	if txs == nil {
		txs = types.Txs{}
	}
	return &ResultUnconfirmedTxs{
		Count:      len(txs),
		Total:      env.Mempool.Size(),
		TotalBytes: env.Mempool.SizeBytes(),
		Txs:        txs,
	}, nil
}

// NumUnconfirmedTxs returns the mempool's size.
func (env *Environment) NumUnconfirmedTxs(*rpctypes.Context) (*ResultUnconfirmedTxs, error) {
	return &ResultUnconfirmedTxs{
		Count:      env.Mempool.Size(),
		Total:      env.Mempool.Size(),
		TotalBytes: env.Mempool.SizeBytes(),
	}, nil
}
