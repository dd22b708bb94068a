package kv

import (
	"crypto/sha256"
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/state/txindex"
)

func TestGet(t *testing.T) {
	idx := fixture(t)
	hash := sha256.Sum256([]byte("c"))
	got, err := idx.Get(hash[:])
	if err != nil || got == nil {
		t.Fatalf("Get: %v, %v", got, err)
	}
	if got.Height != 2 || got.Index != 0 || string(got.Tx) != "c" || len(got.Result.Events) != 2 {
		t.Errorf("Get = %+v", got)
	}
	unknown := sha256.Sum256([]byte("unknown"))
	if got, err := idx.Get(unknown[:]); got != nil || err != nil {
		t.Errorf("Get(unknown) = %v, %v; want nil, nil", got, err)
	}
	if _, err := idx.Get(nil); !errors.Is(err, txindex.ErrEmptyHash) || err.Error() != "transaction hash cannot be empty" {
		t.Errorf("Get(nil) error %v", err)
	}
}

func TestGetCorrupt(t *testing.T) {
	db := dbm.NewMemDB()
	hash := sha256.Sum256([]byte("x"))
	if err := db.Set(hash[:], []byte{0x0a, 0xff}); err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("app.key/v/1/0$es$1"), hash[:]); err != nil {
		t.Fatal(err)
	}
	idx := New(db)
	if _, err := idx.Get(hash[:]); err == nil {
		t.Error("Get of corrupt bytes succeeded")
	}
	err := searchErr(t, idx, "app.key = 'v'")
	want := "failed to get Tx{" + hashOf("x") + "}: error reading TxResult: "
	if err == nil || len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
		t.Errorf("search over corrupt result: %v, want prefix %q", err, want)
	}
}

// TestReservedKeys checks that an event composing to tx.hash or tx.height fails the whole
// batch with CometBFT's text, indexed or not, and writes nothing.
func TestReservedKeys(t *testing.T) {
	for _, key := range []string{"hash", "height"} {
		db := dbm.NewMemDB()
		idx := New(db)
		b := txindex.NewBatch(2)
		b.Ops[0] = result(1, 0, "ok", 0, event("app", attr("key", "v")))
		b.Ops[1] = result(1, 1, "bad", 0, event("tx", plain(key, "x")))
		err := idx.AddBatch(b)
		want := `event type and attribute key "tx.` + key + `" is reserved; please use a different key`
		var reserved *eventquery.ReservedKeyError
		if !errors.As(err, &reserved) || err.Error() != want {
			t.Errorf("AddBatch error %v, want %q", err, want)
		}
		it, err := db.Iterator(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if it.Valid() {
			t.Errorf("reserved key %s: batch partly written (%q)", key, it.Key())
		}
		it.Close()
		if err := idx.Index(b.Ops[1]); err == nil || err.Error() != want {
			t.Errorf("Index error %v, want %q", err, want)
		}
	}
}

// TestIndexKeepsSuccess checks Index's rule: a failed result does not replace a successful one
// under the same hash, while a success replaces anything; AddBatch always replaces.
func TestIndexKeepsSuccess(t *testing.T) {
	idx := New(dbm.NewMemDB())
	hash := sha256.Sum256([]byte("tx"))
	mustIndex := func(height int64, code uint32) {
		t.Helper()
		if err := idx.Index(result(height, 0, "tx", code)); err != nil {
			t.Fatal(err)
		}
	}
	heightOf := func() int64 {
		t.Helper()
		r, err := idx.Get(hash[:])
		if err != nil || r == nil {
			t.Fatalf("Get: %v, %v", r, err)
		}
		return r.Height
	}
	mustIndex(1, 3) // failed, nothing before: stored
	if h := heightOf(); h != 1 {
		t.Errorf("failed result not stored: height %d", h)
	}
	mustIndex(2, 0) // success replaces a failure
	if h := heightOf(); h != 2 {
		t.Errorf("success did not replace failure: height %d", h)
	}
	mustIndex(3, 1) // failure does not replace a success
	if h := heightOf(); h != 2 {
		t.Errorf("failure replaced success: height %d", h)
	}
	mustIndex(4, 0) // success replaces success
	if h := heightOf(); h != 4 {
		t.Errorf("success did not replace success: height %d", h)
	}
	b := txindex.NewBatch(1)
	b.Ops[0] = result(5, 0, "tx", 7)
	if err := idx.AddBatch(b); err != nil {
		t.Fatal(err)
	}
	if h := heightOf(); h != 5 {
		t.Errorf("AddBatch did not replace: height %d", h)
	}
}

func TestBatch(t *testing.T) {
	b := txindex.NewBatch(2)
	if err := b.Add(result(1, 1, "x", 0)); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(result(1, 2, "y", 0)); err == nil {
		t.Error("Add beyond the batch succeeded")
	}
	if b.Size() != 2 || b.Ops[1] == nil || b.Ops[0] != nil {
		t.Errorf("batch %+v", b.Ops)
	}
	idx := New(dbm.NewMemDB())
	if err := idx.AddBatch(b); err == nil {
		t.Error("AddBatch with an unset position succeeded")
	}
}
