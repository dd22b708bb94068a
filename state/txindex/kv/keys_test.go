package kv

import (
	"bytes"
	"crypto/sha256"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// TestKeyLayout checks the exact keys and values written for one transaction against
// CometBFT v0.38's layout.
func TestKeyLayout(t *testing.T) {
	db := dbm.NewMemDB()
	idx := New(db)
	r := result(15, 2, "abc=def", 0,
		event("", attr("skipped", "x")),                         // seq 1, empty type: skipped
		event("app", attr("key", "abc"), plain("noindex", "v")), // seq 2
		event("transfer", attr("", "empty key"), attr("amount", "10/3")),
	)
	if err := idx.Index(r); err != nil {
		t.Fatal(err)
	}
	hash := sha256.Sum256([]byte("abc=def"))
	want := map[string][]byte{
		"app.key/abc/15/2$es$2":          hash[:],
		"transfer.amount/10/3/15/2$es$3": hash[:],
		"tx.height/15/15/2$es$0":         hash[:],
	}
	raw, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want[string(hash[:])] = raw

	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	got := map[string][]byte{}
	for ; it.Valid(); it.Next() {
		got[string(it.Key())] = append([]byte(nil), it.Value()...)
	}
	if len(got) != len(want) {
		t.Errorf("stored %d keys, want %d: %q", len(got), len(want), keys(got))
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Errorf("key %q = %x, want %x", k, got[k], v)
		}
	}
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestKeyParsing checks how values, heights and instances are read back from keys, including
// values that contain the separator and keys written before event sequences existed.
func TestKeyParsing(t *testing.T) {
	cases := []struct {
		key      string
		value    string
		height   int64
		heightOK bool
		instance string
		tagKey   bool
	}{
		{"app.key/abc/15/2$es$7", "abc", 15, true, "15/2$es$7", true},
		{"app.key/a/b/c/15/2$es$7", "a/b/c", 15, true, "15/2$es$7", true},
		{"app.key/  padded  /3/0$es$1", "padded", 3, true, "3/0$es$1", true},
		{"app.key/old/9/4", "old", 9, true, "9/4", true},
		{"tx.height/5/5/0$es$0", "5", 5, true, "5/0$es$0", true},
		{"app.key/v/notanumber/1$es$1", "v", 0, false, "notanumber/1$es$1", true},
		{"app.key/x/1", "", 0, false, "x/1", false},
		{"app.key//5/0$es$1", "", 5, true, "5/0$es$1", true},
		{"a//x", "", 0, false, "a//x", false},
	}
	for _, c := range cases {
		key := []byte(c.key)
		if got := keyValue(key); got != c.value {
			t.Errorf("keyValue(%q) = %q, want %q", c.key, got, c.value)
		}
		h, ok := keyHeight(key)
		if ok != c.heightOK || (ok && h != c.height) {
			t.Errorf("keyHeight(%q) = %d, %v; want %d, %v", c.key, h, ok, c.height, c.heightOK)
		}
		if got := keyInstance(key); got != c.instance {
			t.Errorf("keyInstance(%q) = %q, want %q", c.key, got, c.instance)
		}
		if got := isTagKey(key); got != c.tagKey {
			t.Errorf("isTagKey(%q) = %v, want %v", c.key, got, c.tagKey)
		}
	}
}
