package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/types"
)

func openLevelDB(t testing.TB, dir string) dbm.DB {
	t.Helper()
	db, err := dbm.NewGoLevelDB("evidence", dir)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestPersistenceAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(6)
	p := c.newPool(openLevelDB(t, dir))
	committed, kept1, kept2 := c.duplicateVote(0, 3), c.duplicateVote(1, 5), c.duplicateVote(2, 4)
	for _, ev := range []types.Evidence{committed, kept1, kept2} {
		if err := p.AddEvidence(ev); err != nil {
			t.Fatal(err)
		}
	}
	p.Update(c.advance(committed), types.EvidenceList{committed})
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	p = c.newPool(openLevelDB(t, dir))
	defer p.Close()
	if got, want := pendingHashes(p), hashesOf(kept2, kept1); !slices.Equal(got, want) {
		t.Fatalf("pending after reopen %v, want %v (oldest first)", got, want)
	}
	// Reloaded evidence is offered for gossip in height order.
	var gossiped []types.Evidence
	for e, ok := p.EvidenceFront(); ok; e, ok = p.NextEvidence(e.Seq) {
		gossiped = append(gossiped, e.Evidence)
	}
	if !slices.Equal(hashesOf(gossiped...), hashesOf(kept2, kept1)) {
		t.Fatalf("gossip after reopen %v", hashesOf(gossiped...))
	}
	if err := p.CheckEvidence(types.EvidenceList{committed}); !errors.Is(err, ErrCommitted) {
		t.Fatalf("committed evidence after reopen: %v, want ErrCommitted", err)
	}
}

func TestReopenMarksLastBlockEvidenceCommitted(t *testing.T) {
	dir := t.TempDir()
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(4)
	p := c.newPool(openLevelDB(t, dir))
	ev := c.duplicateVote(0, 2)
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	// The node commits a block with ev and saves the state, then stops before Update.
	c.advance(ev)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	p = c.newPool(openLevelDB(t, dir))
	defer p.Close()
	if p.Size() != 0 {
		t.Fatal("evidence of the last block is pending after restart")
	}
	if err := p.CheckEvidence(types.EvidenceList{ev}); !errors.Is(err, ErrCommitted) {
		t.Fatalf("got %v, want ErrCommitted", err)
	}
}

func TestReopenPrunesExpired(t *testing.T) {
	db := dbm.NewMemDB()
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(2)
	p := c.newPool(db)
	if err := p.AddEvidence(c.duplicateVote(0, 1)); err != nil {
		t.Fatal(err)
	}
	c.advanceTo(40) // the pool is not updated; the restart finds the evidence expired
	p = c.newPool(db)
	if p.Size() != 0 {
		t.Fatal("expired evidence loaded")
	}
	if has, _ := db.Has(pendingKey(c.duplicateVote(0, 1))); has {
		t.Fatal("expired evidence left in the database")
	}
}

func TestStoreLayout(t *testing.T) {
	db := dbm.NewMemDB()
	c := newTestChain(t, "a", "b")
	c.advanceTo(300)
	c.params.MaxAgeNumBlocks = 1000
	p := c.newPool(db)
	ev := c.duplicateVote(1, 255)
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	key := append([]byte{0x01}, fmt.Sprintf("00000000000000FF/%X", ev.Hash())...)
	value, err := db.Get(key)
	if err != nil || value == nil {
		t.Fatalf("no pending record under %q: %v", key, err)
	}
	pb, _ := types.EvidenceToProto(ev)
	if want, _ := pb.Marshal(); !bytes.Equal(value, want) {
		t.Fatalf("pending record %X, want proto(Evidence) %X", value, want)
	}

	p.Update(c.advance(ev), types.EvidenceList{ev})
	if has, _ := db.Has(key); has {
		t.Fatal("pending record kept after commit")
	}
	committed, err := db.Get(append([]byte{0x00}, key[1:]...))
	if err != nil {
		t.Fatal(err)
	}
	// proto(Int64Value{301}) = field 1 varint 301.
	if want := []byte{0x08, 0xad, 0x02}; !bytes.Equal(committed, want) {
		t.Fatalf("committed marker %X, want %X", committed, want)
	}
}

func TestNewPoolRejectsCorruptedStore(t *testing.T) {
	c := newTestChain(t, "a", "b")
	c.advanceTo(3)
	ev := c.duplicateVote(0, 2)
	good, err := encodeEvidence(ev)
	if err != nil {
		t.Fatal(err)
	}
	other := c.duplicateVote(1, 2)
	cases := map[string]struct{ key, value []byte }{
		"garbage":         {pendingKey(ev), []byte{0xff, 0x01, 0x02}},
		"invalid":         {pendingKey(ev), []byte{0x0a, 0x00}},
		"under wrong key": {pendingKey(other), good},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			db := dbm.NewMemDB()
			if err := db.Set(tc.key, tc.value); err != nil {
				t.Fatal(err)
			}
			_, err := NewPool(db, c.states, c.blocks, nil)
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("got %v, want ErrCorrupted", err)
			}
		})
	}
}
