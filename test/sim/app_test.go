package sim

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

func TestAppHashChainsTransactions(t *testing.T) {
	a, b := newApp(), newApp()
	h0 := bytes.Clone(a.hash)
	if got := a.apply(1, nil); !bytes.Equal(got, h0) {
		t.Fatal("an empty block changed the app hash")
	}
	h1 := bytes.Clone(a.apply(2, types.Txs{types.Tx("a=1")}))
	if bytes.Equal(h1, h0) {
		t.Fatal("a transaction did not change the app hash")
	}
	b.apply(1, nil)
	if got := b.apply(2, types.Txs{types.Tx("a=2")}); bytes.Equal(got, h1) {
		t.Fatal("different transactions gave the same app hash")
	}
	if a.kv["a"] != "1" || a.committed["a=1"] != 2 {
		t.Fatalf("state after a=1: kv %v committed %v", a.kv, a.committed)
	}
	if err := a.checkTx(types.Tx("a=1")); !errors.Is(err, errBadTx) {
		t.Fatalf("checkTx of a committed transaction: %v", err)
	}
	for _, tx := range []string{"noequals", "=x", "x=", "a=b=c"} {
		if err := a.checkTx(types.Tx(tx)); !errors.Is(err, errBadTx) {
			t.Errorf("checkTx(%q) = %v, want errBadTx", tx, err)
		}
	}
}

func TestMempool(t *testing.T) {
	a := newApp()
	m := newMempool()
	for _, tx := range []string{"a=1", "b=2", "a=1", "bad", "c=3"} {
		m.add(types.Tx(tx), a)
	}
	if got := m.reap(10); len(got) != 3 || string(got[0]) != "a=1" || string(got[2]) != "c=3" {
		t.Fatalf("reap = %q, want a=1 b=2 c=3", got)
	}
	if got := m.reap(2); len(got) != 2 {
		t.Fatalf("reap(2) = %d txs", len(got))
	}
	m.update(types.Txs{types.Tx("b=2"), types.Tx("z=9")})
	if got := m.reap(10); len(got) != 2 || string(got[1]) != "c=3" {
		t.Fatalf("after update: %q", got)
	}
	if m.add(types.Tx("z=9"), a) {
		t.Fatal("a transaction committed elsewhere was re-admitted")
	}
}
