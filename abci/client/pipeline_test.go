package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/abci/client"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// TestPipelinedCheckTxFIFO queues 1000 CheckTx without waiting and checks that every callback
// ran once, in request order, with the answer to its own transaction.
func TestPipelinedCheckTxFIFO(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	app := &recordingApp{}
	c := dialSocket(t, serve(t, "tcp", app), client.WithConnName("mempool"))
	run(t, c)

	const n = 1000
	var mtx sync.Mutex
	var order []int
	txs := make([][]byte, n)
	reqs := make([]*client.ReqRes, n)
	for i := range n {
		txs[i] = fmt.Appendf(nil, "tx-%d-%s", i, make([]byte, rng.IntN(300))) // some spill the 4 KiB buffer
		var err error
		reqs[i], err = c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{Tx: txs[i]}, func(res *abci.ResponseCheckTx, err error) {
			mtx.Lock()
			defer mtx.Unlock()
			if err != nil {
				t.Errorf("callback %d: %v", i, err)
				return
			}
			if string(res.Data) != string(txs[i]) || res.GasWanted != int64(len(txs[i])) {
				t.Errorf("callback %d got the answer for %q", i, res.Data)
			}
			order = append(order, i)
		})
		if err != nil {
			t.Fatalf("CheckTxAsync %d: %v", i, err)
		}
	}
	if err := c.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	mtx.Lock()
	defer mtx.Unlock()
	if len(order) != n {
		t.Fatalf("%d callbacks ran, want %d", len(order), n)
	}
	for i, got := range order {
		if got != i {
			t.Fatalf("callback %d ran at position %d", got, i)
		}
	}
	for i, rr := range reqs {
		res, err := rr.Response()
		if err != nil || string(res.GetCheckTx().Data) != string(txs[i]) {
			t.Fatalf("ReqRes %d: %v, %v", i, res, err)
		}
	}
	if got := len(app.seen()); got != n {
		t.Fatalf("app saw %d requests", got)
	}
}

// TestCheckTxAsyncIsPushedWithoutFlush checks that the client flushes queued requests by itself:
// the reference server answers only when it sees a Flush.
func TestCheckTxAsyncIsPushedWithoutFlush(t *testing.T) {
	c := dialSocket(t, serve(t, "unix", &recordingApp{}))
	run(t, c)
	rr, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{Tx: []byte("abc")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rr.Wait(t.Context())
	if err != nil || res.GetCheckTx().GasWanted != 3 {
		t.Fatalf("got %v, %v", res, err)
	}
}

// TestConcurrentCallers mixes synchronous calls and CheckTxAsync from many goroutines.
func TestConcurrentCallers(t *testing.T) {
	c := dialSocket(t, serve(t, "tcp", &recordingApp{}))
	run(t, c)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				tx := fmt.Appendf(nil, "%d/%d", g, i)
				if i%2 == 0 {
					res, err := c.CheckTx(t.Context(), &abci.RequestCheckTx{Tx: tx})
					if err != nil || string(res.Data) != string(tx) {
						t.Errorf("CheckTx %s: %v, %v", tx, res, err)
					}
					continue
				}
				rr, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{Tx: tx}, nil)
				if err != nil {
					t.Errorf("CheckTxAsync: %v", err)
					continue
				}
				if res, err := rr.Wait(t.Context()); err != nil || string(res.GetCheckTx().Data) != string(tx) {
					t.Errorf("CheckTxAsync %s: %v, %v", tx, res, err)
				}
			}
		})
	}
	wg.Wait()
}

func TestCallCancelledByContext(t *testing.T) {
	addr, accept := fakeApp(t)
	c := dialSocket(t, addr)
	run(t, c)
	_ = accept() // never answers
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Info(ctx, &abci.RequestInfo{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := c.Error(); err != nil {
		t.Fatalf("a cancelled call broke the client: %v", err)
	}
}
