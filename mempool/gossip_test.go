package mempool

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/types"
)

// TestNextTx: a gossip routine walks the pool in admission order and keeps its place when the tx
// it stands on is removed.
func TestNextTx(t *testing.T) {
	p := newPool(t, newFakeApp(true), noRecheck)
	if _, ok := p.NextTx(0); ok {
		t.Fatal("NextTx on an empty pool")
	}
	mustAdd(t, p, types.Tx("a"), types.Tx("b"), types.Tx("c"))
	a, ok := p.NextTx(0)
	if !ok || string(a.Tx) != "a" || a.Height != 1 || a.GasWanted != 1 || a.Key != types.Tx("a").Key() {
		t.Fatalf("first entry = %+v", a)
	}
	b, _ := p.NextTx(a.Seq)
	if string(b.Tx) != "b" || b.Seq <= a.Seq {
		t.Fatalf("second entry = %+v", b)
	}
	// The routine stands on b; b is committed, a is removed.
	if err := commit(p, 2, types.Txs{types.Tx("b")}); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveTxByKey(types.Tx("a").Key()); err != nil {
		t.Fatal(err)
	}
	c, ok := p.NextTx(b.Seq)
	if !ok || string(c.Tx) != "c" {
		t.Fatalf("after removing b: %+v, %v", c, ok)
	}
	if _, ok := p.NextTx(c.Seq); ok {
		t.Fatal("entry after the last")
	}
	mustAdd(t, p, types.Tx("d"))
	d, _ := p.NextTx(c.Seq)
	if string(d.Tx) != "d" || d.Height != 2 {
		t.Fatalf("entry after c = %+v, want d admitted at height 2", d)
	}
}

// TestWaitNextTx: a routine that has sent everything waits — without polling — for the next
// admission, and gives up when its context ends.
func TestWaitNextTx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPool(t, newFakeApp(true), nil)
		mustAdd(t, p, types.Tx("a"))
		a, err := p.WaitNextTx(context.Background(), 0)
		if err != nil || string(a.Tx) != "a" {
			t.Fatalf("WaitNextTx with a tx present: %+v, %v", a, err)
		}
		got := make(chan Entry, 1)
		go func() {
			e, err := p.WaitNextTx(context.Background(), a.Seq)
			if err != nil {
				t.Error(err)
			}
			got <- e
		}()
		synctest.Wait()
		select {
		case e := <-got:
			t.Fatalf("WaitNextTx returned %q before any admission", e.Tx)
		default:
		}
		mustAdd(t, p, types.Tx("b"))
		if e := <-got; string(e.Tx) != "b" {
			t.Fatalf("woke with %q, want b", e.Tx)
		}

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := p.WaitNextTx(ctx, ^uint64(0))
			done <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("WaitNextTx after cancel: %v", err)
		}
	})
}

// TestTxsWaitChan: the channel closes at the next admission, not before, and a new one is armed.
func TestTxsWaitChan(t *testing.T) {
	app := newFakeApp(true)
	app.setScript(rejectScript(types.Tx("bad")))
	p := newPool(t, app, nil)
	ch := p.TxsWaitChan()
	if _, err := p.CheckTx(context.Background(), types.Tx("bad"), ""); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("closed by a rejected tx")
	default:
	}
	mustAdd(t, p, types.Tx("a"))
	select {
	case <-ch:
	default:
		t.Fatal("not closed by an admission")
	}
	next := p.TxsWaitChan()
	select {
	case <-next:
		t.Fatal("re-armed channel already closed")
	default:
	}
}

func TestLookups(t *testing.T) {
	p := newPool(t, newFakeApp(true), nil)
	mustAdd(t, p, types.Tx("a"))
	if tx, ok := p.GetTxByHash(types.Tx("a").Hash()); !ok || string(tx) != "a" {
		t.Fatalf("GetTxByHash = %q, %v", tx, ok)
	}
	for _, hash := range [][]byte{types.Tx("b").Hash(), nil, {1, 2, 3}} {
		if _, ok := p.GetTxByHash(hash); ok {
			t.Errorf("GetTxByHash(%X) found a tx", hash)
		}
	}
	if !p.Contains(types.Tx("a").Key()) || p.Contains(types.Tx("b").Key()) {
		t.Fatal("Contains")
	}
	if err := p.RemoveTxByKey(types.Tx("b").Key()); !errors.Is(err, ErrTxNotFound) || err.Error() != "transaction not found in mempool" {
		t.Fatalf("RemoveTxByKey of a missing tx: %v", err)
	}
	if err := p.RemoveTxByKey(types.Tx("a").Key()); err != nil || p.Size() != 0 {
		t.Fatalf("RemoveTxByKey: %v, size %d", err, p.Size())
	}
	// Removed, but still cached: not accepted again right away.
	if _, err := p.CheckTx(context.Background(), types.Tx("a"), ""); !errors.Is(err, ErrTxInCache) {
		t.Fatalf("resubmitting a removed tx: %v", err)
	}
}

// TestFlush: Flush empties the pool and the cache.
func TestFlush(t *testing.T) {
	app := newFakeApp(true)
	rec, metrics := newRecordingMetrics()
	p := newPool(t, app, nil, WithMetrics(metrics))
	mustAdd(t, p, types.Tx("a"), types.Tx("b"))
	p.Flush()
	if p.Size() != 0 || p.SizeBytes() != 0 || len(p.ReapMaxTxs(-1)) != 0 {
		t.Fatal("Flush left txs")
	}
	if rec.gauge("size") != 0 || rec.gauge("size_bytes") != 0 {
		t.Fatal("size gauges not reset")
	}
	if _, ok := p.NextTx(0); ok {
		t.Fatal("NextTx found a flushed tx")
	}
	mustAdd(t, p, types.Tx("a")) // the cache forgot it
	if app.count(0) != 3 {
		t.Fatalf("app got %d requests, want 3", app.count(0))
	}
}

func TestNop(t *testing.T) {
	var m Mempool = Nop{}
	_, err := m.CheckTx(context.Background(), types.Tx("a"), "")
	if !errors.Is(err, ErrNotAllowed) || err.Error() != "not allowed with `nop` mempool" {
		t.Fatalf("CheckTx: %v", err)
	}
	if err := m.CheckTxAsync(context.Background(), types.Tx("a"), "", nil); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("CheckTxAsync: %v", err)
	}
	if len(m.ReapMaxBytesMaxGas(-1, -1)) != 0 || len(m.ReapMaxTxs(-1)) != 0 || m.Size() != 0 || m.SizeBytes() != 0 {
		t.Fatal("nop mempool is not empty")
	}
	if err := commit(m, 2, types.Txs{types.Tx("a")}); err != nil {
		t.Fatal(err)
	}
	m.EnableTxsAvailable()
	if m.TxsAvailable() != nil || m.TxsWaitChan() != nil {
		t.Fatal("nop notifications can fire")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.WaitNextTx(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitNextTx: %v", err)
	}
}
