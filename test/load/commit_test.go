package load

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// TestMatcherFromSyntheticBlocks feeds hand-made committed blocks to the matcher: the run's
// transactions are matched once with their latency, repeats and strangers are counted apart.
func TestMatcherFromSyntheticBlocks(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gen, _ := NewTxGen(5, 100)
	other, _ := NewTxGen(6, 100)
	tr, st := NewTracker(origin), NewStats(origin)
	m := newMatcher(gen, tr, st)

	first, _ := tr.Reserve(4) // seqs 0..3
	for i := range int64(4) {
		tr.MarkSent(first+i, origin.Add(time.Duration(i)*100*time.Millisecond))
		tr.Resolve(first+i, true)
	}
	if tr.Pending() != 4 {
		t.Fatalf("pending %d, want 4", tr.Pending())
	}
	tx := func(g *TxGen, seq int64) []byte { return g.AppendTx(nil, seq) }

	// Block 10 at 1s: seqs 0 and 2, a stranger's tx, another run's tx, an unsent seq of ours.
	m.block(Block{Height: 10, Time: origin.Add(900 * time.Millisecond),
		Txs: [][]byte{tx(gen, 0), []byte("k=v"), tx(gen, 2), tx(other, 1), tx(gen, 99)}}, origin.Add(time.Second))
	// Block 11 at 1.5s: seq 1, seq 0 again (a duplicate commit), seq 3.
	m.block(Block{Height: 11, Time: origin.Add(1400 * time.Millisecond),
		Txs: [][]byte{tx(gen, 1), tx(gen, 0), tx(gen, 3)}}, origin.Add(1500*time.Millisecond))

	if tr.Pending() != 0 {
		t.Errorf("pending %d after all were committed", tr.Pending())
	}
	if n := tr.AcceptedUncommitted(); n != 0 {
		t.Errorf("accepted uncommitted %d", n)
	}
	sum := &Summary{}
	sum.fill(st, time.Second)
	if sum.Totals.Committed != 4 || sum.Totals.ForeignCommitted != 3 || sum.Totals.DuplicateCommits != 1 {
		t.Errorf("committed %d foreign %d dups %d, want 4/3/1", sum.Totals.Committed, sum.Totals.ForeignCommitted, sum.Totals.DuplicateCommits)
	}
	// Latencies: seq0 1000ms, seq2 800ms, seq1 1400ms, seq3 1200ms.
	want := Dist{Count: 4, Min: 800, Mean: 1100, P50: 1000, P90: 1400, P99: 1400, Max: 1400}
	if sum.Latency != want {
		t.Errorf("latency %+v, want %+v", sum.Latency, want)
	}
	b := sum.Blocks
	if b.Count != 2 || b.FirstHeight != 10 || b.LastHeight != 11 || b.Interval.P50 != 500 || b.ObservedInterval.P50 != 500 {
		t.Errorf("blocks %+v", b)
	}
	if b.TxsPerBlockMax != 5 || b.TxsPerBlockMean != 4 || b.BusyBlocks != 2 {
		t.Errorf("txs per block %+v", b)
	}
	if len(sum.Timeline) != 2 || sum.Timeline[1].Committed != 4 || sum.Timeline[1].Blocks != 2 {
		t.Errorf("timeline %+v, want both blocks in second 1", sum.Timeline)
	}
}

func TestTrackerCommitBeforeAnswer(t *testing.T) {
	origin := time.Unix(0, 0)
	tr := NewTracker(origin)
	seq, _ := tr.Reserve(2)
	tr.MarkSent(seq, origin)
	tr.MarkSent(seq+1, origin)
	if _, res := tr.Commit(seq, origin.Add(time.Second)); res != CommitFirst {
		t.Fatalf("commit result %v", res)
	}
	tr.Resolve(seq, true) // the answer arrives after the block
	tr.Resolve(seq+1, false)
	if tr.Pending() != 0 {
		t.Errorf("pending %d, want 0", tr.Pending())
	}
	if _, res := tr.Commit(seq+2, origin); res != CommitUnknown {
		t.Errorf("unreserved seq: %v", res)
	}
}

// TestWatcherFillsGaps: a NewBlock stream that skips heights is completed with `block`.
func TestWatcherFillsGaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeNode()
		dial, stop := startFake(t, f, 100*time.Millisecond)
		defer stop()
		time.Sleep(650 * time.Millisecond) // virtual: the fake commits heights 2..7
		tr := &http.Transport{DialContext: dial}
		defer tr.CloseIdleConnections()
		var got []int64
		w := &blockWatcher{endpoint: "http://node0:26657", rpc: &rpcClient{http: &http.Client{Transport: tr}, timeout: time.Second},
			sink: func(b Block, _ time.Time) { got = append(got, b.Height) }, warn: func(s string) { t.Error(s) }}
		ctx := context.Background()
		for _, h := range []int64{3, 3, 2, 6, 7} {
			if err := w.emit(ctx, Block{Height: h}); err != nil {
				t.Fatal(err)
			}
		}
		if want := []int64{3, 4, 5, 6, 7}; !equalInts(got, want) {
			t.Errorf("reported heights %v, want %v", got, want)
		}
	})
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
