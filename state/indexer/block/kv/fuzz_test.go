package kv

import (
	"bytes"
	"context"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// FuzzOrderedCode checks the encoders round-trip and the decoders survive arbitrary bytes
// (what they accept re-encodes to a prefix of the input when canonical).
func FuzzOrderedCode(f *testing.F) {
	f.Add("block.height", int64(5), []byte{0x85})
	f.Add("a\x00\xff", int64(-1<<40), []byte{0xff, 0xc0, 0x7f})
	f.Add("", int64(1<<62), []byte{0x00, 0x01, 0x02})
	f.Fuzz(func(t *testing.T, s string, x int64, raw []byte) {
		enc := appendInt64(appendString(nil, s), x)
		gotS, rest, err := parseString(enc)
		if err != nil || gotS != s {
			t.Fatalf("string %q: got %q, %v", s, gotS, err)
		}
		gotX, rest, err := parseInt64(rest)
		if err != nil || gotX != x || len(rest) != 0 {
			t.Fatalf("int64 %d: got %d, rest %x, %v", x, gotX, rest, err)
		}

		if v, rest, err := parseInt64(raw); err == nil {
			if again := appendInt64(nil, v); !bytes.HasPrefix(raw, again) && len(raw)-len(rest) == len(again) {
				t.Errorf("parseInt64(%x) = %d, which encodes as %x", raw, v, again)
			}
		}
		if v, _, err := parseString(raw); err == nil {
			if again := appendString(nil, v); !bytes.HasPrefix(raw, again) {
				t.Errorf("parseString(%x) = %q, which encodes as %x", raw, v, again)
			}
		}
		eventSeq(raw)
		parsePrimaryKey(raw)
		parseEventKey(raw)
		parseHeightValue(raw)
	})
}

// FuzzSearchStored searches a database holding an arbitrary entry next to well-formed ones:
// nothing may panic, and only indexed heights come back.
func FuzzSearchStored(f *testing.F) {
	f.Add(eventKey("a.b", "c", 9, 1), heightValue(9), "a.b = 'c'")
	f.Add(tagPrefix("a.b"), []byte{0x80}, "a.b EXISTS")
	f.Add(append(tagPrefix("block.height"), 0xff), []byte{}, "block.height > 0")
	f.Add(eventKey("a.n", "7", 2, 1), heightValue(1), "a.n > 5 AND block.height < 3")
	f.Fuzz(func(t *testing.T, key, value []byte, q string) {
		parsed, err := query.Parse(q)
		if err != nil || len(key) == 0 {
			return
		}
		db := dbm.NewMemDB()
		idx := New(db)
		for h := int64(1); h <= 2; h++ {
			if err := idx.Index(types.EventDataNewBlockEvents{Height: h, Events: fixtureEvents}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Set(key, append([]byte{}, value...)); err != nil {
			t.Fatal(err)
		}
		heights, err := idx.Search(context.Background(), parsed)
		if err != nil {
			return
		}
		for _, h := range heights {
			if ok, _ := idx.Has(h); !ok {
				t.Errorf("height %d returned but not indexed", h)
			}
		}
	})
}

var fixtureEvents = []abci.Event{event("a", attr("b", "c"), attr("n", "7"))}
