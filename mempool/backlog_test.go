package mempool

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// TxsBacklog fires once per height, with the next block's height, when the pool reaches n txs.
func TestTxsBacklog(t *testing.T) {
	p := newPool(t, newFakeApp(true), noRecheck)
	if p.TxsBacklog() != nil {
		t.Fatal("TxsBacklog before EnableTxsBacklog")
	}
	p.EnableTxsBacklog(2)
	ch := p.TxsBacklog()
	next := func() (int64, bool) {
		select {
		case h := <-ch:
			return h, true
		default:
			return 0, false
		}
	}
	mustAdd(t, p, types.Tx("a"))
	if h, ok := next(); ok {
		t.Fatalf("fired for height %d with 1 of 2 txs", h)
	}
	mustAdd(t, p, types.Tx("b"))
	if h, ok := next(); !ok || h != 2 {
		t.Fatalf("got (%d, %v) at 2 txs, want height 2", h, ok)
	}
	mustAdd(t, p, types.Tx("c"))
	if _, ok := next(); ok {
		t.Fatal("second notification at the same height")
	}
	if err := commit(p, 2, types.Txs{types.Tx("a")}); err != nil {
		t.Fatal(err)
	}
	if h, ok := next(); !ok || h != 3 {
		t.Fatalf("got (%d, %v) after an update that left 2 txs, want height 3", h, ok)
	}
	if err := commit(p, 3, types.Txs{types.Tx("b")}); err != nil {
		t.Fatal(err)
	}
	if h, ok := next(); ok {
		t.Fatalf("fired for height %d with 1 tx left", h)
	}
	mustAdd(t, p, types.Tx("d"))
	if h, ok := next(); !ok || h != 4 {
		t.Fatalf("got (%d, %v) at 2 txs, want height 4", h, ok)
	}
}

func TestEnableTxsBacklogNeedsAPositiveCount(t *testing.T) {
	p := newPool(t, newFakeApp(true), noRecheck)
	defer func() {
		if recover() == nil {
			t.Fatal("EnableTxsBacklog(0) did not panic")
		}
	}()
	p.EnableTxsBacklog(0)
}

// Enabling the notice on a pool that already holds the backlog fires it at once.
func TestTxsBacklogEnabledOnAFullEnoughPool(t *testing.T) {
	p := newPool(t, newFakeApp(true), noRecheck)
	mustAdd(t, p, types.Tx("a"), types.Tx("b"))
	p.EnableTxsBacklog(2)
	select {
	case h := <-p.TxsBacklog():
		if h != 2 {
			t.Fatalf("notice for height %d, want 2", h)
		}
	default:
		t.Fatal("no notice for a pool that already holds 2 txs")
	}
}

// An unread notice of an earlier height gives way to the current height's.
func TestTxsBacklogReplacesAnUnreadNotice(t *testing.T) {
	p := newPool(t, newFakeApp(true), noRecheck)
	p.EnableTxsBacklog(1)
	mustAdd(t, p, types.Tx("a"), types.Tx("b"))
	if err := commit(p, 2, types.Txs{types.Tx("a")}); err != nil { // notice for 2 unread
		t.Fatal(err)
	}
	if h := <-p.TxsBacklog(); h != 3 {
		t.Fatalf("notice for height %d after the update, want 3", h)
	}
}
