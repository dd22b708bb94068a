package reactor

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/evidence"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
)

// allAt is a PeerHeights that reports every peer at one height.
type allAt int64

func (h allAt) PeerHeight(p2p.ID) (int64, <-chan struct{}) { return int64(h), nil }

// waitForPending blocks until pool holds n pending evidence.
func waitForPending(pool *evidence.Pool, n int) {
	for {
		arrived := pool.EvidenceWaitChan()
		if pool.Size() >= n {
			return
		}
		<-arrived
	}
}

// TestGossipOverSwitches: evidence reported at node 0 reaches nodes 1 and 2 (through node 0
// directly and through each other) over real switches, verified by each node's own pool, and no
// peer is stopped.
func TestGossipOverSwitches(t *testing.T) {
	c := newChain(t, 8)
	ev1, ev2 := c.duplicateVote(0, 4), c.duplicateVote(2, 6)
	synctest.Test(t, func(t *testing.T) {
		const n = 3
		pools := make([]*evidence.Pool, n)
		reactors := make([]*Reactor, n)
		init := func(i int, sw *p2p.PeerSwitch) {
			pools[i] = c.newPool()
			r, err := New(pools[i], sw, allAt(9))
			if err != nil {
				t.Fatal(err)
			}
			reactors[i] = r
			sw.AddReactor("EVIDENCE", r)
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
		if err := pools[0].AddEvidence(ev1); err != nil {
			t.Fatal(err)
		}
		if err := pools[1].AddEvidence(ev2); err != nil {
			t.Fatal(err)
		}
		for _, pool := range pools {
			waitForPending(pool, 2)
		}
		synctest.Wait()
		for i, sw := range sws {
			if got := len(sw.Peers()); got != n-1 {
				t.Fatalf("node %d has %d peers: one was stopped", i, got)
			}
		}
	})
}
