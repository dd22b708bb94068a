package client_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func TestLocalClientAllCalls(t *testing.T) {
	app := &recordingApp{}
	c := client.NewLocalClient(nil, app)
	run(t, c)
	checkAllCalls(t, c, app)
}

func TestLocalClientAppErrorBreaksClient(t *testing.T) {
	app := &recordingApp{fail: map[string]error{"FinalizeBlock": errBoom}}
	c := client.NewLocalClient(nil, app, client.WithConnName("consensus"))
	done := run(t, c)
	_, err := c.FinalizeBlock(t.Context(), &abci.RequestFinalizeBlock{})
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v does not wrap the app's error", err)
	}
	var ex *client.ExceptionError
	if !errors.As(err, &ex) {
		t.Fatalf("err = %v is not an ExceptionError", err)
	}
	expectBroken(t, c, done, err, errBoom, "consensus connection: app returned exception: boom: the app fell over")
}

type nilApp struct{ types.BaseApplication }

func (nilApp) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) { return nil, nil }

func TestLocalClientNilResponseBreaksClient(t *testing.T) {
	c := client.NewLocalClient(nil, nilApp{}, client.WithConnName("query"))
	done := run(t, c)
	_, err := c.Info(t.Context(), &abci.RequestInfo{})
	expectBroken(t, c, done, err, client.ErrNilResponse, "query connection: app returned a nil response")
}

func TestLocalClientCheckTxAsync(t *testing.T) {
	app := &recordingApp{fail: map[string]error{}}
	c := client.NewLocalClient(nil, app, client.WithConnName("mempool"))
	var got *abci.ResponseCheckTx
	rr, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{Tx: []byte("xy")}, func(res *abci.ResponseCheckTx, err error) {
		if err != nil {
			t.Errorf("callback: %v", err)
		}
		got = res
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-rr.Done():
	default:
		t.Fatal("local CheckTxAsync returned before completing")
	}
	if got == nil || got.GasWanted != 2 {
		t.Fatalf("callback got %v", got)
	}

	// An app failure inside CheckTxAsync reaches the callback; afterwards calls are refused.
	app.mtx.Lock()
	app.fail["CheckTx"] = errBoom
	app.mtx.Unlock()
	var cbErr error
	if _, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{}, func(_ *abci.ResponseCheckTx, err error) { cbErr = err }); err != nil {
		t.Fatalf("CheckTxAsync: %v", err)
	}
	if !errors.Is(cbErr, errBoom) {
		t.Fatalf("callback error %v", cbErr)
	}
	if _, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{}, nil); !errors.Is(err, errBoom) {
		t.Fatalf("CheckTxAsync on a broken client: %v", err)
	}
}

func TestLocalClientLifecycle(t *testing.T) {
	c := client.NewLocalClient(nil, types.BaseApplication{}, client.WithConnName("snapshot"))
	select {
	case <-c.Connected():
	default:
		t.Fatal("a local client is connected from the start")
	}
	if _, err := c.ListSnapshots(t.Context(), &abci.RequestListSnapshots{}); err != nil {
		t.Fatalf("call before Run: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := c.Run(t.Context()); !errors.Is(err, client.ErrAlreadyStarted) {
		t.Fatalf("second Run: %v", err)
	}
	if _, err := c.ListSnapshots(t.Context(), &abci.RequestListSnapshots{}); !errors.Is(err, client.ErrClientClosed) {
		t.Fatalf("call after close: %v", err)
	}
}

// overlapApp counts how many of its CheckTx/Commit calls run at once, holding each call until
// release is closed.
type overlapApp struct {
	types.BaseApplication
	running, maxRunning atomic.Int32
	entered             chan struct{}
	release             chan struct{}
}

func (a *overlapApp) enter() {
	n := a.running.Add(1)
	for {
		m := a.maxRunning.Load()
		if n <= m || a.maxRunning.CompareAndSwap(m, n) {
			break
		}
	}
	a.entered <- struct{}{}
	<-a.release
	a.running.Add(-1)
}

func (a *overlapApp) CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.enter()
	return &abci.ResponseCheckTx{}, nil
}

func (a *overlapApp) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.enter()
	return &abci.ResponseCommit{}, nil
}

// TestLocalClientMutex: clients sharing a mutex never run the app concurrently; clients with a
// mutex each do.
func TestLocalClientMutex(t *testing.T) {
	for _, shared := range []bool{true, false} {
		app := &overlapApp{entered: make(chan struct{}, 2), release: make(chan struct{})}
		var mempoolMtx, consensusMtx *sync.Mutex
		if shared {
			mempoolMtx = new(sync.Mutex)
			consensusMtx = mempoolMtx
		}
		mempool := client.NewLocalClient(mempoolMtx, app)
		consensus := client.NewLocalClient(consensusMtx, app)
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = mempool.CheckTx(t.Context(), &abci.RequestCheckTx{}) })
		<-app.entered // CheckTx holds its mutex
		wg.Go(func() { _, _ = consensus.Commit(t.Context(), &abci.RequestCommit{}) })
		if !shared {
			<-app.entered // Commit runs alongside CheckTx
		}
		close(app.release)
		wg.Wait()
		want := int32(1)
		if !shared {
			want = 2
		}
		if got := app.maxRunning.Load(); got != want {
			t.Fatalf("shared=%v: %d calls ran at once, want %d", shared, got, want)
		}
	}
}
