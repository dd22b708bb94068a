package kv

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/types"
)

func attr(key, value string) abci.EventAttribute {
	return abci.EventAttribute{Key: key, Value: value, Index: true}
}

func event(typ string, attrs ...abci.EventAttribute) abci.Event {
	return abci.Event{Type: typ, Attributes: attrs}
}

// fixture indexes six blocks:
//
//	1: transfer{alice,10} message{send}      4: app{key} app{creator} (two events), app{note} not indexed
//	2: transfer{bob,5.5}                     5: message{send} transfer{alice,-3}
//	3: no events                             6: app{key,creator} transfer{8atom}
func fixture(t *testing.T) *Indexer {
	t.Helper()
	idx := New(dbm.NewMemDB())
	blocks := [][]abci.Event{
		1: {event("transfer", attr("sender", "alice"), attr("amount", "10")), event("message", attr("action", "send"))},
		2: {event("transfer", attr("sender", "bob"), attr("amount", "5.5"))},
		3: nil,
		4: {event("app", attr("key", "abc")), event("app", attr("creator", "Cosmoshi"),
			abci.EventAttribute{Key: "note", Value: "hidden"})},
		5: {event("message", attr("action", "send")), event("transfer", attr("sender", "alice"), attr("amount", "-3"))},
		6: {event("app", attr("key", "abc"), attr("creator", "Cosmoshi")), event("transfer", attr("amount", "8atom"))},
	}
	for h := int64(1); h < int64(len(blocks)); h++ {
		if err := idx.Index(types.EventDataNewBlockEvents{Height: h, Events: blocks[h]}); err != nil {
			t.Fatalf("Index(%d): %v", h, err)
		}
	}
	return idx
}

func search(t *testing.T, idx *Indexer, q string) []int64 {
	t.Helper()
	parsed, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	got, err := idx.Search(context.Background(), parsed)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return got
}

// TestSearchSemantics is rpc.md §8's block_search behaviour: the tx_search rules over block
// events and block.height, results newest first.
func TestSearchSemantics(t *testing.T) {
	idx := fixture(t)
	cases := []struct {
		name  string
		query string
		want  []int64
	}{
		{"height eq", "block.height = 5", []int64{5}},
		{"height eq not indexed", "block.height = 9", []int64{}},
		{"height eq fraction truncates", "block.height = 5.7", []int64{5}},
		{"height eq with event (verified on v0.38.26)", "block.height = 5 AND message.action = 'send'", []int64{5}},
		{"height eq with event elsewhere", "block.height = 2 AND message.action = 'send'", []int64{}},
		{"height range", "block.height > 2", []int64{6, 5, 4, 3}},
		{"height range both", "block.height >= 2 AND block.height <= 4", []int64{4, 3, 2}},
		{"height range filters events", "block.height > 1 AND transfer.sender = 'alice'", []int64{5}},
		{"height eq ignored next to range", "block.height = 5 AND block.height > 5", []int64{6}},
		{"height exists matches nothing", "block.height EXISTS", []int64{}},
		{"height contains matches nothing", "block.height CONTAINS '1'", []int64{}},
		{"different event types never match together (verified on v0.38.26)", "transfer.sender = 'alice' AND message.action = 'send'", []int64{}},
		{"eq", "transfer.sender = 'alice'", []int64{5, 1}},
		{"eq exact", "transfer.sender = 'ali'", []int64{}},
		{"same event", "app.key = 'abc' AND app.creator = 'Cosmoshi'", []int64{6}},
		{"contains", "transfer.sender CONTAINS 'o'", []int64{2}},
		{"exists", "transfer.amount EXISTS", []int64{6, 5, 2, 1}},
		{"exists not indexed", "app.note EXISTS", []int64{}},
		{"range", "transfer.amount > 5", []int64{2, 1}},
		{"range negative value", "transfer.amount < 0", []int64{5}},
		{"range and eq same event", "transfer.amount > 0 AND transfer.sender = 'alice'", []int64{1}},
		{"range and eq different events", "message.action = 'send' AND transfer.amount > 0", []int64{}},
		{"unindexed tag", "tm.event = 'NewBlock'", []int64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := search(t, idx, c.query); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		})
	}
}

func TestHas(t *testing.T) {
	idx := fixture(t)
	for h := int64(0); h <= 7; h++ {
		ok, err := idx.Has(h)
		if err != nil || ok != (h >= 1 && h <= 6) {
			t.Errorf("Has(%d) = %v, %v", h, ok, err)
		}
	}
}

// TestReservedKey checks that a block.height attribute fails the whole block.
func TestReservedKey(t *testing.T) {
	idx := New(dbm.NewMemDB())
	err := idx.Index(types.EventDataNewBlockEvents{Height: 3, Events: []abci.Event{
		event("app", attr("key", "v")),
		event("block", abci.EventAttribute{Key: "height", Value: "3"}),
	}})
	want := `failed to index FinalizeBlock events: event type and attribute key "block.height" is reserved; please use a different key`
	var reserved *eventquery.ReservedKeyError
	if !errors.As(err, &reserved) || err.Error() != want {
		t.Errorf("Index error %v, want %q", err, want)
	}
	if ok, _ := idx.Has(3); ok {
		t.Error("block with a reserved key marked indexed")
	}
	if got := search(t, idx, "app.key = 'v'"); len(got) != 0 {
		t.Errorf("block with a reserved key searchable: %v", got)
	}
}

// TestLayout checks every key and value Index writes.
func TestLayout(t *testing.T) {
	db := dbm.NewMemDB()
	idx := New(db)
	err := idx.Index(types.EventDataNewBlockEvents{Height: 7, Events: []abci.Event{
		event("", attr("skipped", "x")),
		event("other", abci.EventAttribute{Key: "plain", Value: "v"}),
		event("transfer", attr("sender", "alice"), attr("", "empty key")),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{
		string(heightKey(7)): {0x0e},
		string(eventKey("transfer.sender", "alice", 7, 3)): {0x0e},
	}
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
		if v, ok := want[string(it.Key())]; !ok || !bytes.Equal(v, it.Value()) {
			t.Errorf("unexpected entry %x = %x", it.Key(), it.Value())
		}
	}
	if n != len(want) {
		t.Errorf("%d entries, want %d", n, len(want))
	}
}

// TestOlderLayouts reads event keys written by CometBFT before v0.38 (with a function type and
// a sequence, or a function type alone) next to current ones.
func TestOlderLayouts(t *testing.T) {
	db := dbm.NewMemDB()
	idx := New(db)
	set := func(key []byte, height int64) {
		t.Helper()
		if err := db.Set(key, heightValue(height)); err != nil {
			t.Fatal(err)
		}
	}
	v037 := func(tag, value string, height int64, seq int64) []byte {
		b := appendInt64(appendString(appendString(nil, tag), value), height)
		return appendInt64(appendString(b, "finalize_block"), seq)
	}
	v034 := func(tag, value string, height int64) []byte {
		return appendString(appendInt64(appendString(appendString(nil, tag), value), height), "end_block")
	}
	for h := int64(1); h <= 3; h++ {
		set(heightKey(h), h)
	}
	set(v037("transfer.sender", "alice", 1, 4), 1)
	set(v037("transfer.amount", "10", 1, 4), 1)
	set(v037("message.action", "send", 1, 5), 1)
	set(v034("transfer.sender", "alice", 2), 2)
	set(v034("message.action", "send", 2), 2)
	set(eventKey("transfer.sender", "alice", 3, 1), 3)

	if got := eventSeq(v037("a.b", "c", 1, 4)); got != 4 {
		t.Errorf("v0.37 seq %d", got)
	}
	if got := eventSeq(v034("a.b", "c", 1)); got != 0 {
		t.Errorf("v0.34 seq %d", got)
	}
	checks := map[string][]int64{
		"transfer.sender = 'alice'":                             {3, 2, 1},
		"transfer.sender = 'alice' AND transfer.amount > 5":     {1},
		"transfer.sender = 'alice' AND message.action = 'send'": {2}, // v0.34 keys share sequence 0
	}
	for q, want := range checks {
		if got := search(t, idx, q); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
}

// TestOnlyIndexedHeights checks that event keys of a height whose marker is missing are not
// returned.
func TestOnlyIndexedHeights(t *testing.T) {
	db := dbm.NewMemDB()
	idx := New(db)
	if err := db.Set(eventKey("a.b", "c", 4, 1), heightValue(4)); err != nil {
		t.Fatal(err)
	}
	if err := db.Set(eventKey("a.b", "c", 5, 1), []byte{0xff}); err != nil {
		t.Fatal(err)
	}
	if got := search(t, idx, "a.b = 'c'"); len(got) != 0 {
		t.Errorf("unindexed heights returned: %v", got)
	}
}

func TestSearchCanceled(t *testing.T) {
	idx := fixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := idx.Search(ctx, query.MustParse("transfer.amount EXISTS")); err != context.Canceled {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
