package blocksync

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
)

// TestSyncOverSwitches runs the whole path over real switches (SecretConnection, MConnection,
// the switch's decoding) on an in-memory network: node 0 and 1 serve a chain, node 2 starts
// from genesis and syncs from both.
func TestSyncOverSwitches(t *testing.T) {
	source := sourceChain(t, 4, 25, 3)
	synctest.Test(t, func(t *testing.T) {
		sink := newChainNode(t, source.genDoc, 0)
		reactors := make([]*Reactor, 3)
		init := func(i int, sw *p2p.PeerSwitch) {
			node, syncing := source, false
			if i == 2 {
				node, syncing = sink, true
			}
			var exec Executor
			if syncing {
				exec = node.exec
			}
			r, err := New(DefaultConfig(), node.st, syncing, Deps{Switch: sw, BlockStore: node.blocks, StateStore: node.states, Executor: exec})
			if err != nil {
				t.Fatal(err)
			}
			reactors[i] = r
			sw.AddReactor("BLOCKSYNC", r)
		}
		ctx, cancel := context.WithCancel(context.Background())
		runErrs := make(chan error, 3)
		defer func() {
			cancel()
			for range 3 {
				if err := <-runErrs; err != nil {
					t.Errorf("Run: %v", err)
				}
			}
		}()
		mem := p2ptest.NewMemNetwork()
		sws := make([]*p2p.PeerSwitch, 3)
		for i := range sws {
			sws[i] = p2ptest.MakeSwitch(t, i, init, p2ptest.WithMemNetwork(mem), p2ptest.WithNetwork(testChainID))
			go func() { runErrs <- reactors[i].Run(ctx) }() // reactors run before their switch connects peers
			p2ptest.Start(t, sws[i])
		}
		p2ptest.Connect(t, sws[0], sws[1])
		p2ptest.Connect(t, sws[2], sws[0])
		p2ptest.Connect(t, sws[2], sws[1])

		<-reactors[2].Done()
		res, _ := reactors[2].Result()
		if h := res.State.LastBlockHeight; h < 23 {
			t.Fatalf("synced to %d of 25", h)
		}
		checkSynced(t, source, sink, res.State)
		for _, sw := range sws {
			if n := len(sw.Peers()); n != 2 {
				t.Fatalf("switch %s has %d peers: someone was stopped", sw.NodeInfo().ID, n)
			}
		}
	})
}
