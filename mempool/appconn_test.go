package mempool

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/abci/server"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/types"
)

// The pool over the real ABCI clients: a LocalClient calls back on the caller's goroutine (the
// pool must not hold its mutex while calling the app), a SocketClient on its reader goroutine
// with requests pipelined.

func TestPoolOverLocalClient(t *testing.T) {
	app := kvstore.NewInMemoryApplication(kvstore.Options{})
	c := client.NewLocalClient(nil, app)
	exercisePool(t, c)
}

func TestPoolOverSocketClient(t *testing.T) {
	app := kvstore.NewInMemoryApplication(kvstore.Options{})
	addr := "unix://" + filepath.Join(t.TempDir(), "app.sock")
	ln, err := server.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewSocketServer(addr, app, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(ctx, ln); err != nil {
			t.Errorf("server: %v", err)
		}
	})
	c, err := client.NewSocketClient(addr, true)
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() {
		if err := c.Run(ctx); err != nil {
			t.Errorf("client: %v", err)
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	<-c.Connected()
	exercisePool(t, c)
}

// exercisePool submits valid and invalid kvstore txs from several goroutines, commits some,
// rechecks the rest and checks the pool's contents.
func exercisePool(t *testing.T, c client.Client) {
	cfg := config.TestMempoolConfig()
	p, err := NewPool(cfg, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const workers, perWorker = 4, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				tx := types.Tx(kvstore.NewTx(fmt.Sprintf("k%d-%d", w, i), "v"))
				if res, err := p.CheckTx(ctx, tx, ""); err != nil || res.Code != 0 {
					t.Errorf("%s: (%v, %v)", tx, res, err)
				}
			}
			// kvstore rejects txs with more than one '='.
			if res, err := p.CheckTx(ctx, types.Tx(fmt.Sprintf("bad=%d=x", w)), ""); err != nil || res.Code == 0 {
				t.Errorf("invalid tx: (%v, %v)", res, err)
			}
		})
	}
	wg.Wait()
	if p.Size() != workers*perWorker {
		t.Fatalf("size %d, want %d", p.Size(), workers*perWorker)
	}
	block := p.ReapMaxTxs(120)
	if err := commit(p, 2, block); err != nil {
		t.Fatal(err)
	}
	if p.Size() != workers*perWorker-120 {
		t.Fatalf("size after commit %d, want %d", p.Size(), workers*perWorker-120)
	}
	for _, tx := range block {
		if p.Contains(tx.Key()) {
			t.Fatalf("committed %s still in the pool", tx)
		}
	}
}
