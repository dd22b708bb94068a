package reactor

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	"github.com/ballot-bft/ballot/types"
)

// countingReactor counts, per sending peer and transaction, what its reactor receives.
type countingReactor struct {
	*Reactor
	mtx    sync.Mutex
	counts map[string]int // "peer tx"
}

func (c *countingReactor) Receive(e p2p.Envelope) {
	c.mtx.Lock()
	for _, tx := range e.Message.(*mempoolpb.Message).GetTxs().GetTxs() {
		c.counts[fmt.Sprintf("%s %s", e.Src.ID(), tx)]++
	}
	c.mtx.Unlock()
	c.Reactor.Receive(e)
}

// waitForSize blocks until pool holds n transactions.
func waitForSize(pool *mempool.Pool, n int) {
	for {
		admitted := pool.TxsWaitChan()
		if pool.Size() >= n {
			return
		}
		<-admitted
	}
}

// TestGossipOverSwitches connects three nodes with real switches on an in-memory network:
// transactions submitted at any node reach every pool, and no node receives a transaction twice
// from the same peer.
func TestGossipOverSwitches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 3
		cfg := config.TestMempoolConfig()
		pools := make([]*mempool.Pool, n)
		reactors := make([]*countingReactor, n)
		init := func(i int, sw *p2p.PeerSwitch) {
			app := client.NewLocalClient(nil, kvstore.NewInMemoryApplication(kvstore.Options{}))
			pool, err := mempool.NewPool(cfg, app, 1)
			if err != nil {
				t.Fatal(err)
			}
			pools[i] = pool
			reactors[i] = &countingReactor{Reactor: New(cfg, pool, sw), counts: map[string]int{}}
			sw.AddReactor("MEMPOOL", reactors[i])
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		mem := p2ptest.NewMemNetwork()
		sws := make([]*p2p.PeerSwitch, n)
		for i := range sws {
			sws[i] = p2ptest.MakeSwitch(t, i, init, p2ptest.WithMemNetwork(mem))
			wg.Go(func() { reactors[i].Run(ctx) })
			p2ptest.Start(t, sws[i])
		}
		for i := range n {
			for j := i + 1; j < n; j++ {
				p2ptest.Connect(t, sws[i], sws[j])
			}
		}

		var all []string
		for i, pool := range pools {
			for k := range 20 {
				tx := fmt.Sprintf("node%d-%d=v", i, k)
				all = append(all, tx)
				if res, err := pool.CheckTx(context.Background(), types.Tx(tx), ""); err != nil || res.Code != 0 {
					t.Fatalf("CheckTx: %v %v", res, err)
				}
			}
		}
		for _, pool := range pools {
			waitForSize(pool, len(all))
		}
		synctest.Wait()
		for i, r := range reactors {
			r.mtx.Lock()
			for key, c := range r.counts {
				if c > 1 {
					t.Errorf("node %d received %q %d times", i, key, c)
				}
			}
			// Each node's own 20 come back from nobody; the 40 others arrive at least once.
			if len(r.counts) < 2*20 {
				t.Errorf("node %d received %d (peer, tx) pairs, want at least 40", i, len(r.counts))
			}
			r.mtx.Unlock()
		}
		for i, pool := range pools {
			for _, tx := range all {
				if !pool.Contains(types.Tx(tx).Key()) {
					t.Fatalf("node %d lacks %q", i, tx)
				}
			}
		}
	})
}
