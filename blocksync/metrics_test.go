package blocksync

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
)

// gaugeLog keeps every value a gauge was set to, and the running sum of what was added.
type gaugeLog struct {
	mu     sync.Mutex
	values []float64
}

func (g *gaugeLog) Set(v float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.values = append(g.values, v)
}

func (g *gaugeLog) Add(d float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	last := 0.0
	if n := len(g.values); n > 0 {
		last = g.values[n-1]
	}
	g.values = append(g.values, last+d)
}

func (g *gaugeLog) history() []float64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.values)
}

func (g *gaugeLog) last() float64 {
	h := g.history()
	if len(h) == 0 {
		return -1
	}
	return h[len(h)-1]
}

// A sync reports that it runs, then that it ended, and describes every block it applied.
func TestSyncUpdatesMetrics(t *testing.T) {
	source := sourceChain(t, 4, 12, 0)
	synctest.Test(t, func(t *testing.T) {
		syncing, numTxs, totalTxs, size, height := &gaugeLog{}, &gaugeLog{}, &gaugeLog{}, &gaugeLog{}, &gaugeLog{}
		m := &Metrics{Syncing: syncing, NumTxs: numTxs, TotalTxs: totalTxs, BlockSizeBytes: size, LatestBlockHeight: height}

		sink := newChainNode(t, source.genDoc, 0)
		sw := newFakeSwitch()
		r, err := New(DefaultConfig(), sink.st, true, Deps{Switch: sw, BlockStore: sink.blocks, StateStore: sink.states, Executor: sink.exec, Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		sw.reactor = r
		ctx, cancel := context.WithCancel(context.Background())
		e := &syncEnv{t: t, sink: sink, sw: sw, r: r, ctx: ctx, cancel: cancel, runErr: make(chan error, 1)}
		go func() { e.runErr <- r.Run(ctx) }()
		e.addRemote("a", sourceStatus(source), honest(t, source))
		res := e.waitDone()
		e.mustStop()

		if got := syncing.history(); !slices.Equal(got, []float64{1, 0}) {
			t.Fatalf("syncing went %v, want [1 0]", got)
		}
		synced := res.State.LastBlockHeight
		if got := height.history(); len(got) != int(synced) || got[len(got)-1] != float64(synced) {
			t.Fatalf("latest_block_height went %v, want 1..%d", got, synced)
		}
		var txs float64
		for h := int64(1); h <= synced; h++ {
			block, err := source.blocks.LoadBlock(h)
			if err != nil {
				t.Fatal(err)
			}
			txs += float64(len(block.Txs))
		}
		if totalTxs.last() != txs {
			t.Fatalf("total_txs %v, want %v", totalTxs.last(), txs)
		}
		last, err := source.blocks.LoadBlock(synced)
		if err != nil {
			t.Fatal(err)
		}
		if numTxs.last() != float64(len(last.Txs)) || size.last() != float64(last.Size()) {
			t.Fatalf("last block: num_txs %v, size %v; want %d, %d", numTxs.last(), size.last(), len(last.Txs), last.Size())
		}
	})
}
