package evidence

import (
	"bytes"
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/types"
)

// FuzzDecodePending feeds arbitrary stored records to the pool's decoder: it must never panic,
// must report failures as ErrCorrupted, and what it accepts must sit under its own key and
// re-encode to a record that decodes to the same evidence. The pool must open over the record
// exactly when the decoder accepts it.
func FuzzDecodePending(f *testing.F) {
	c := newTestChain(f, "a", "b", "c", "d")
	c.advanceTo(6)
	dve, lca, eqv := c.duplicateVote(0, 3), c.lunatic(2, 4, 0, 1), c.equivocation(3, 0)
	for _, seed := range []struct{ key, value []byte }{
		{pendingKey(dve), mustEncode(f, dve)},
		{pendingKey(lca), mustEncode(f, lca)},
		{pendingKey(eqv), mustEncode(f, eqv)},
		{pendingKey(dve), mustEncode(f, lca)},
		{pendingKey(dve), []byte{0x0a, 0x02, 0x0a, 0x00}},
		{[]byte{0x01}, nil},
	} {
		f.Add(seed.key, seed.value)
	}
	f.Fuzz(func(t *testing.T, key, value []byte) {
		key = append([]byte{prefixPending}, bytes.TrimPrefix(key, []byte{prefixPending})...)
		ev, err := decodePending(key, value)
		if err != nil {
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("decode error %v does not wrap ErrCorrupted", err)
			}
		} else {
			if !bytes.Equal(pendingKey(ev), key) {
				t.Fatalf("accepted evidence under foreign key %q", key)
			}
			again, err := encodeEvidence(ev)
			if err != nil {
				t.Fatalf("accepted evidence does not encode: %v", err)
			}
			ev2, err := decodePending(key, again)
			if err != nil || !bytes.Equal(ev2.Hash(), ev.Hash()) {
				t.Fatalf("re-encoded evidence does not decode to itself: %v", err)
			}
		}
		db := dbm.NewMemDB()
		if err := db.Set(key, value); err != nil {
			return // empty values are refused by the database
		}
		_, openErr := NewPool(db, c.states, c.blocks, nil)
		if (openErr == nil) != (err == nil) {
			t.Fatalf("decoder says %v, pool opens with %v", err, openErr)
		}
	})
}

func mustEncode(t testing.TB, ev types.Evidence) []byte {
	t.Helper()
	bz, err := encodeEvidence(ev)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}
