package core

import (
	"context"
	"errors"
	"fmt"
	"testing"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	mpl "github.com/ballot-bft/ballot/mempool"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// Admission errors reach the client verbatim (rpc.md §7); a non-zero CheckTx code is a result.
func TestBroadcastTxSyncAndAsync(t *testing.T) {
	env := testEnv(t)
	pool := env.Mempool.(*fakeMempool)
	tx := types.Tx("k=v")

	pool.res = &abci.ResponseCheckTx{Code: 5, Data: []byte{0xAB}, Log: "bad tx", Codespace: "test"}
	res, err := env.BroadcastTxSync(ctx0, tx)
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := cmtjson.Marshal(res); string(js) != `{"code":5,"data":"AB","log":"bad tx","codespace":"test","hash":"`+hashHex(tx)+`"}` {
		t.Errorf("sync result: %s", js)
	}
	if res.Code != 5 || res.Log != "bad tx" || res.Codespace != "test" || res.Data.String() != "AB" || res.Hash.String() != hashHex(tx) {
		t.Errorf("sync result: %+v", res)
	}

	// The app accepted the transaction but the mempool did not keep it (post-check, or the pool
	// filled up while the app checked it): the client gets the refusal, never a code 0 for a
	// transaction that is not in the pool. (CometBFT answers code 0 and drops it.)
	for _, refusal := range []error{
		&mpl.PostCheckError{Err: errTest},
		&mpl.FullError{NumTxs: 1, MaxTxs: 1, TxsBytes: 2, MaxTxsBytes: 1073741824},
	} {
		pool.res, pool.err = &abci.ResponseCheckTx{GasWanted: 1}, refusal
		if res, err := env.BroadcastTxSync(ctx0, tx); errText(err) != refusal.Error() {
			t.Errorf("refused after the app: %+v, %v; want the error %v", res, err, refusal)
		}
		if res, err := env.BroadcastTxCommit(ctx0, tx); errText(err) != "error on broadcastTxCommit: "+refusal.Error() {
			t.Errorf("broadcast_tx_commit refused after the app: %+v, %v; want the error %v", res, err, refusal)
		}
	}
	pool.err = nil

	for _, refusal := range []error{
		&mpl.FullError{NumTxs: 1, MaxTxs: 1, TxsBytes: 2, MaxTxsBytes: 1073741824},
		&mpl.TxTooLargeError{Max: 1048576, Actual: 1048577},
		mpl.ErrTxInCache,
		mpl.ErrRecheckFull,
	} {
		pool.refuse = refusal
		if _, err := env.BroadcastTxSync(ctx0, tx); errText(err) != refusal.Error() {
			t.Errorf("sync: %v, want %v", err, refusal)
		}
		if _, err := env.BroadcastTxAsync(ctx0, tx); errText(err) != refusal.Error() {
			t.Errorf("async: %v, want %v", err, refusal)
		}
	}
	if got := (&mpl.FullError{NumTxs: 1, MaxTxs: 1, TxsBytes: 2, MaxTxsBytes: 1073741824}).Error(); got !=
		"mempool is full: number of txs 1 (max: 1), total txs bytes 2 (max: 1073741824)" {
		t.Errorf("the mempool's full text changed: %s", got)
	}

	pool.refuse = nil
	res, err = env.BroadcastTxAsync(ctx0, tx)
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := cmtjson.Marshal(res); string(js) != `{"code":0,"data":"","log":"","codespace":"","hash":"`+hashHex(tx)+`"}` {
		t.Errorf("async result: %s", js)
	}
}

var errTest = errors.New("test refusal")

func hashHex(tx types.Tx) string { return fmt.Sprintf("%X", tx.Hash()) }

// broadcast_tx_commit subscribes before CheckTx, waits for the transaction's Tx event and
// returns both results; it fails as CometBFT does on refusal, timeout and cancellation.
func TestBroadcastTxCommit(t *testing.T) {
	tx := types.Tx("abc=def")
	txEvent := types.EventDataTx{TxResult: abci.TxResult{Height: 15, Tx: tx, Result: abci.ExecTxResult{Data: []byte{1}, GasUsed: 3}}}

	t.Run("committed", func(t *testing.T) {
		env := testEnv(t)
		bus := env.EventBus.(*types.EventBus)
		env.Mempool.(*fakeMempool).res = &abci.ResponseCheckTx{GasWanted: 1}
		env.Mempool.(*fakeMempool).onCheckTx = func(types.Tx) {
			if err := bus.PublishEventTx(txEvent); err != nil {
				t.Error(err)
			}
		}
		res, err := env.BroadcastTxCommit(ctx0, tx)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := cmtjson.Marshal(res)
		want := `{"check_tx":{"code":0,"data":null,"log":"","info":"","gas_wanted":"1","gas_used":"0","events":[],"codespace":""},` +
			`"tx_result":{"code":0,"data":"AQ==","log":"","info":"","gas_wanted":"0","gas_used":"3","events":[],"codespace":""},` +
			`"hash":"` + hashHex(tx) + `","height":"15"}`
		if string(js) != want {
			t.Errorf("\n got %s\nwant %s", js, want)
		}
		if n := bus.NumClients(); n != 0 {
			t.Errorf("%d subscribers left behind", n)
		}
	})
	t.Run("rejected by CheckTx", func(t *testing.T) {
		env := testEnv(t)
		env.Mempool.(*fakeMempool).res = &abci.ResponseCheckTx{Code: 2}
		res, err := env.BroadcastTxCommit(ctx0, tx)
		if err != nil || res.CheckTx.Code != 2 || res.Height != 0 || res.TxResult.Code != 0 {
			t.Errorf("%+v, %v", res, err)
		}
	})
	t.Run("refused by the mempool", func(t *testing.T) {
		env := testEnv(t)
		env.Mempool.(*fakeMempool).refuse = mpl.ErrTxInCache
		if _, err := env.BroadcastTxCommit(ctx0, tx); errText(err) != "error on broadcastTxCommit: tx already exists in cache" {
			t.Errorf("%v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		env := testEnv(t)
		env.Config.TimeoutBroadcastTxCommit = 1 // ns: nothing commits the transaction anyway
		res, err := env.BroadcastTxCommit(ctx0, tx)
		if errText(err) != "timed out waiting for tx to be included in a block" || res == nil || string(res.Hash) != string(tx.Hash()) {
			t.Errorf("%+v, %v", res, err)
		}
	})
	t.Run("subscription canceled", func(t *testing.T) {
		env := testEnv(t)
		bus := env.EventBus.(*types.EventBus)
		env.Mempool.(*fakeMempool).onCheckTx = func(types.Tx) {
			if err := bus.UnsubscribeAll(context.Background(), ""); err != nil {
				t.Error(err)
			}
		}
		if _, err := env.BroadcastTxCommit(ctx0, tx); errText(err) != "txSub was canceled (reason: client unsubscribed)" {
			t.Errorf("%v", err)
		}
	})
	t.Run("subscription limits", func(t *testing.T) {
		env := testEnv(t)
		env.Config.MaxSubscriptionClients = 0
		if _, err := env.BroadcastTxCommit(ctx0, tx); errText(err) != "max_subscription_clients 0 reached" {
			t.Errorf("%v", err)
		}
		env.Config.MaxSubscriptionClients, env.Config.MaxSubscriptionsPerClient = 1, 0
		if _, err := env.BroadcastTxCommit(ctx0, tx); errText(err) != "max_subscriptions_per_client 0 reached" {
			t.Errorf("%v", err)
		}
	})
}

func TestMempoolRoutes(t *testing.T) {
	env := testEnv(t)
	pool := env.Mempool.(*fakeMempool)
	res, err := env.UnconfirmedTxs(ctx0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := cmtjson.Marshal(res); string(js) != `{"n_txs":"0","total":"0","total_bytes":"0","txs":[]}` {
		t.Errorf("empty unconfirmed_txs: %s", js)
	}
	for _, tx := range []string{"a=1", "b=2", "c=3"} {
		if _, err := env.BroadcastTxAsync(ctx0, types.Tx(tx)); err != nil {
			t.Fatal(err)
		}
	}
	res, err = env.UnconfirmedTxs(ctx0, ptr(2))
	if js, _ := cmtjson.Marshal(res); err != nil || string(js) != `{"n_txs":"2","total":"3","total_bytes":"9","txs":["YT0x","Yj0y"]}` {
		t.Errorf("unconfirmed_txs limit 2: %s, %v", js, err)
	}
	num, err := env.NumUnconfirmedTxs(ctx0)
	if js, _ := cmtjson.Marshal(num); err != nil || string(js) != `{"n_txs":"3","total":"3","total_bytes":"9","txs":null}` {
		t.Errorf("num_unconfirmed_txs: %s, %v", js, err)
	}
	if _, err := env.UnsafeFlushMempool(ctx0); err != nil || !pool.flushed || pool.Size() != 0 {
		t.Errorf("unsafe_flush_mempool: %v, flushed %v", err, pool.flushed)
	}

	check, err := env.CheckTx(ctx0, types.Tx("x=y"))
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := cmtjson.Marshal(check); string(js) != `{"code":0,"data":null,"log":"","info":"","gas_wanted":"1","gas_used":"0","events":[],"codespace":""}` {
		t.Errorf("check_tx: %s", js)
	}
	var back ResultCheckTx
	if js, _ := cmtjson.Marshal(check); cmtjson.Unmarshal(js, &back) != nil || back.GasWanted != 1 {
		t.Errorf("check_tx result does not decode: %+v", back)
	}
	if pool.Size() != 0 {
		t.Errorf("check_tx must not add to the mempool")
	}
}
