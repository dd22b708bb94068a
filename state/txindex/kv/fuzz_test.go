package kv

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/txindex"
)

// FuzzDecodeResult feeds arbitrary stored bytes to the result decoder: it must not panic, and
// what it accepts must re-encode to bytes that decode to the same result.
func FuzzDecodeResult(f *testing.F) {
	good, err := result(7, 3, "k=v", 2, event("app", attr("key", "v"))).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff})
	f.Add([]byte{0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := decodeResult(raw)
		if err != nil {
			return
		}
		again, err := r.Marshal()
		if err != nil {
			t.Fatalf("re-encoding a decoded result: %v", err)
		}
		r2, err := decodeResult(again)
		if err != nil {
			t.Fatalf("decoding a re-encoded result: %v", err)
		}
		third, err := r2.Marshal()
		if err != nil || !bytes.Equal(again, third) {
			t.Fatalf("re-encoding is not stable: %x vs %x (%v)", again, third, err)
		}
	})
}

// FuzzKeys checks the key readers on arbitrary keys (no panics) and on keys the indexer
// writes (the parts come back).
func FuzzKeys(f *testing.F) {
	f.Add("app.key", "abc", int64(15), uint32(2), 3, []byte("app.key/abc/15/2$es$3"))
	f.Add("t", "a/b/", int64(0), uint32(0), 1, []byte("//"))
	f.Add("x", " padded ", int64(-4), uint32(9), 0, []byte("a//5/x"))
	f.Fuzz(func(t *testing.T, tag, value string, height int64, index uint32, seq int, raw []byte) {
		keyHeight(raw)
		keyValue(raw)
		keyInstance(raw)
		isTagKey(raw)

		if tag == "" || strings.ContainsRune(tag, tagSep) || seq < 0 {
			return
		}
		key := eventKey(tag, value, height, index, seq)
		if h, ok := keyHeight(key); !ok || h != height {
			t.Errorf("keyHeight(%q) = %d, %v; want %d", key, h, ok, height)
		}
		if got, want := keyValue(key), strings.TrimSpace(value); got != want {
			t.Errorf("keyValue(%q) = %q, want %q", key, got, want)
		}
		wantInstance := strconv.FormatInt(height, 10) + "/" + strconv.FormatUint(uint64(index), 10) + eventSeqSep + strconv.Itoa(seq)
		if got := keyInstance(key); got != wantInstance {
			t.Errorf("keyInstance(%q) = %q, want %q", key, got, wantInstance)
		}
		if !bytes.HasPrefix(key, prefix(tag, value)) {
			t.Errorf("key %q lacks prefix %q", key, prefix(tag, value))
		}
	})
}

// FuzzSearchStored searches a database holding arbitrary entries next to well-formed ones: no
// query may panic, and every result returned must be one that decodes.
func FuzzSearchStored(f *testing.F) {
	f.Add([]byte("app.key/v/1/0$es$1"), []byte("short hash"), "app.key = 'v'")
	f.Add([]byte("app.key/v/x/0$es$1"), []byte{1, 2}, "app.key EXISTS")
	f.Add([]byte("app.key//"), []byte{}, "app.key CONTAINS ''")
	f.Add([]byte("app.amount/5/9/9$es$9"), []byte("x"), "app.amount > 1 AND tx.height < 20")
	f.Add([]byte("tx.height/1/1/0$es$0"), []byte("garbage"), "tx.height >= 1")
	f.Fuzz(func(t *testing.T, key, value []byte, q string) {
		parsed, err := query.Parse(q)
		if err != nil || len(key) == 0 {
			return
		}
		db := dbm.NewMemDB()
		idx := New(db)
		b := txindex.NewBatch(1)
		b.Ops[0] = result(1, 0, "v", 0, event("app", attr("key", "v"), attr("amount", "5")))
		if err := idx.AddBatch(b); err != nil {
			t.Fatal(err)
		}
		if err := db.Set(key, append([]byte{}, value...)); err != nil {
			t.Fatal(err)
		}
		results, total, err := idx.Search(context.Background(), parsed, txindex.SearchOptions{Window: txindex.Pages(nil, 30)})
		if err != nil {
			return
		}
		if total < len(results) {
			t.Errorf("total %d < %d results", total, len(results))
		}
		for _, r := range results {
			if r == nil {
				t.Error("nil result")
			}
		}
	})
}
