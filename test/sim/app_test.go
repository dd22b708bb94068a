package sim

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

func TestAppHashChainsTransactions(t *testing.T) {
	a, b := newApp(nil), newApp(nil)
	h0 := bytes.Clone(a.hash)
	if got, _ := a.apply(1, nil); !bytes.Equal(got, h0) {
		t.Fatal("an empty block changed the app hash")
	}
	h1, _ := a.apply(2, types.Txs{types.Tx("a=1")})
	h1 = bytes.Clone(h1)
	if bytes.Equal(h1, h0) {
		t.Fatal("a transaction did not change the app hash")
	}
	b.apply(1, nil)
	if got, _ := b.apply(2, types.Txs{types.Tx("a=2")}); bytes.Equal(got, h1) {
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
	a := newApp(nil)
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

func TestAppValidatorUpdates(t *testing.T) {
	key := func(i int) crypto.PubKey {
		return ed25519.GenPrivKeyFromSecret([]byte{byte(i)}).PubKey()
	}
	valTx := func(i int, power int64) types.Tx {
		return types.Tx(kvstore.NewValidatorTx(ed25519.KeyType, key(i).Bytes(), power))
	}
	genesis := []*types.Validator{types.NewValidator(key(0), 10), types.NewValidator(key(1), 10)}
	a := newApp(genesis)
	for _, tx := range []types.Tx{valTx(2, 5), valTx(0, 0)} {
		if err := a.checkTx(tx); err != nil {
			t.Fatalf("checkTx(%q): %v", tx, err)
		}
	}
	for _, tx := range []string{"val=ed25519!AAAA!5", "val=secp256k1!" + strings.Repeat("A", 44) + "!1", "val=ed25519!x!1", "val=" + string(valTx(2, 5)[4:]) + "!9"} {
		if err := a.checkTx(types.Tx(tx)); !errors.Is(err, errBadTx) {
			t.Errorf("checkTx(%q) = %v, want errBadTx", tx, err)
		}
	}
	neg := types.Tx(strings.Replace(string(valTx(2, 5)), "!5", "!-5", 1))
	if err := a.checkTx(neg); !errors.Is(err, errBadTx) {
		t.Errorf("checkTx of a negative power = %v", err)
	}

	// Add 2 (twice: the last wins), change 1, remove 0, remove the unknown 3 (fails).
	_, updates := a.apply(1, types.Txs{valTx(2, 5), valTx(1, 7), valTx(0, 0), valTx(3, 0), valTx(2, 6), types.Tx("k=v")})
	want := map[string]int64{key(0).Address().String(): 0, key(1).Address().String(): 7, key(2).Address().String(): 6}
	if len(updates) != len(want) {
		t.Fatalf("updates %v, want %v", updates, want)
	}
	for i, u := range updates {
		if p, ok := want[u.Address.String()]; !ok || p != u.VotingPower {
			t.Errorf("update %v, want %v", u, want)
		}
		if i > 0 && string(updates[i-1].PubKey.Bytes()) > string(u.PubKey.Bytes()) {
			t.Errorf("updates not in key order: %v", updates)
		}
	}
	if a.kv["k"] != "v" || len(a.validators) != 2 {
		t.Fatalf("kv %v, validators %v", a.kv, a.validators)
	}
	// A validator added and removed in one block, or set back to its power, is no change.
	if _, updates = a.apply(2, types.Txs{valTx(4, 9), valTx(4, 0), valTx(1, 8), valTx(1, 7)}); len(updates) != 0 {
		t.Fatalf("net no-op block: updates %v", updates)
	}
	// The last validators cannot all go.
	_, updates = a.apply(3, types.Txs{valTx(1, 0), valTx(2, 0)})
	if len(updates) != 1 || len(a.validators) != 1 {
		t.Fatalf("removing every validator: updates %v, app set %v", updates, a.validators)
	}
}
