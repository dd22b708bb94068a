package kv

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/txindex"
)

// fixture indexes the transactions the search tests query:
//
//	height 1: a (app{key,creator} transfer{alice,10} message{send}), b (code 5; app{key} app{creator})
//	height 2: c (transfer{bob,5.5} app{key=xyz, note not indexed}), d (transfer{alice,8atom} app{key=abc})
//	height 3: e (transfer{carol,-5} app{key=a/b}), f (transfer{huge} app{key="  spaced  "}), g (transfer{1e3})
//	height 4: h (app{key=abc} twice), i (no events)
func fixture(t *testing.T) *TxIndex {
	return indexed(t,
		result(1, 0, "a", 0,
			event("app", attr("key", "abc"), attr("creator", "Cosmoshi")),
			event("transfer", attr("sender", "alice"), attr("amount", "10")),
			event("message", attr("action", "send"))),
		result(1, 1, "b", 5,
			event("app", attr("key", "abc")),
			event("app", attr("creator", "Cosmoshi"))),
		result(2, 0, "c", 0,
			event("transfer", attr("sender", "bob"), attr("amount", "5.5")),
			event("app", attr("key", "xyz"), plain("note", "hidden"))),
		result(2, 1, "d", 0,
			event("transfer", attr("sender", "alice"), attr("amount", "8atom")),
			event("app", attr("key", "abc"))),
		result(3, 0, "e", 0,
			event("transfer", attr("sender", "carol"), attr("amount", "-5")),
			event("app", attr("key", "a/b"))),
		result(3, 1, "f", 0,
			event("transfer", attr("amount", "12345678901234567891")),
			event("app", attr("key", "  spaced  "))),
		result(3, 2, "g", 0, event("transfer", attr("amount", "1e3"))),
		result(4, 0, "h", 0, event("app", attr("key", "abc")), event("app", attr("key", "abc"))),
		result(4, 1, "i", 0),
	)
}

func hashOf(tx string) string {
	h := sha256.Sum256([]byte(tx))
	return fmt.Sprintf("%X", h[:])
}

// TestSearchSemantics is rpc.md §8's tx_search table, one group of rows per aspect. Results are
// in the default (ascending) order.
func TestSearchSemantics(t *testing.T) {
	idx := fixture(t)
	cases := []struct {
		name  string
		query string
		want  string // space-separated txs
	}{
		// tx.hash present: every other condition is ignored.
		{"hash alone", "tx.hash = '" + hashOf("a") + "'", "a"},
		{"hash ignores others", "tx.hash = '" + hashOf("a") + "' AND app.key = 'nomatch'", "a"},
		{"hash after others", "app.key = 'nomatch' AND tx.hash = '" + strings.ToLower(hashOf("b")) + "'", "b"},
		{"hash unknown", "tx.hash = '" + hashOf("zzz") + "'", ""},

		// tx.height filters, equalities and ranges.
		{"height eq", "tx.height = 2", "c d"},
		{"height eq as string", "tx.height = '2'", "c d"},
		{"height eq leading zero is textual", "tx.height = 02", ""},
		{"height eq fraction alone is textual", "tx.height = 2.9", ""},
		{"height eq fraction truncates as filter", "tx.height = 2.9 AND app.key = 'abc'", "d"},
		{"height range", "tx.height >= 2 AND tx.height < 4", "c d e f g"},
		{"height lower bound", "tx.height > 3", "h i"},
		{"height eq with attribute", "tx.height = 1 AND app.key = 'abc'", "a b"},
		{"height range with attribute", "tx.height > 1 AND app.key = 'abc'", "d h"},
		{"height eq ignored next to range", "tx.height = 1 AND tx.height > 2", "e f g h i"},
		{"first height eq wins", "tx.height = 1 AND tx.height = 2", "a b"},
		{"non-numeric height eq dropped", "tx.height = 'abc' AND app.key = 'abc'", "a b d h"},
		{"height exists", "tx.height EXISTS", "a b c d e f g h i"},
		{"height exists is its own instance", "tx.height EXISTS AND app.key = 'abc'", ""},
		{"height contains", "tx.height CONTAINS '2'", "c d"},

		// Attribute conditions hold inside one event instance (both verified on v0.38.26).
		{"same event", "app.key = 'abc' AND app.creator = 'Cosmoshi'", "a"},
		{"different event types never match together", "transfer.sender = 'alice' AND message.action = 'send'", ""},
		{"same event, two attributes", "transfer.sender = 'alice' AND transfer.amount = 10", "a"},
		{"empty first condition", "app.key = 'nomatch' AND app.creator = 'Cosmoshi'", ""},

		// CONTAINS: substring of the (trimmed) stored value.
		{"contains", "transfer.sender CONTAINS 'li'", "a d"},
		{"contains trimmed value", "app.key CONTAINS 'spaced'", "f"},
		{"contains untrimmed operand", "app.key CONTAINS '  spaced'", ""},
		{"contains separator", "app.key CONTAINS '/'", "e"},

		// EXISTS: any indexed value of the composite key.
		{"exists", "transfer.amount EXISTS", "a c d e f g"},
		{"exists not indexed", "app.note EXISTS", ""},
		{"exists bare type", "app EXISTS", ""},

		// Equality is textual; a value containing the separator equals its prefix.
		{"eq textual", "transfer.amount = 5.5", "c"},
		{"eq textual no numeric equality", "transfer.amount = 10.0", ""},
		{"eq separator prefix", "app.key = 'a'", "e"},
		{"eq untrimmed", "app.key = 'spaced'", ""},

		// Numeric ranges over big floats; values that are not numbers never match.
		{"range lower", "transfer.amount > 5", "a c f g"},
		{"range upper with negative value", "transfer.amount < 6", "c e"},
		{"range both inclusive", "transfer.amount >= 5.5 AND transfer.amount <= 10", "a c"},
		{"range beyond float64", "transfer.amount > 12345678901234567890", "f"},
		{"range merge later bound wins", "transfer.amount > 5 AND transfer.amount > 100", "f g"},
		{"range merge later bound wins down", "transfer.amount > 100 AND transfer.amount > 5", "a c f g"},
		{"range merge inclusive sticks", "transfer.amount >= 10 AND transfer.amount > 10", "a f g"},
		{"range with date bound", "transfer.amount > DATE 2020-01-01", ""},
		{"range and eq same event", "transfer.amount > 5 AND transfer.sender = 'alice'", "a"},
		{"range and eq different events", "transfer.amount > 5 AND app.key = 'abc'", ""},

		// Non-zero codes are indexed; only index=true attributes are searchable.
		{"failed tx indexed", "app.creator = 'Cosmoshi'", "a b"},
		{"not indexed", "app.note = 'hidden'", ""},

		// Deduplicated by transaction.
		{"dedup", "app.key = 'abc' AND tx.height = 4", "h"},
		{"unindexed tags", "tm.event = 'Tx'", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, total := searchTxs(t, idx, c.query, txindex.SearchOptions{})
			want := strings.Fields(c.want)
			if !slices.Equal(got, want) {
				t.Errorf("%s\n got %q\nwant %q", c.query, got, want)
			}
			if total != len(want) {
				t.Errorf("%s: total %d, want %d", c.query, total, len(want))
			}
		})
	}
}

// TestSearchErrors checks the error texts of hash lookups.
func TestSearchErrors(t *testing.T) {
	idx := fixture(t)
	cases := map[string]string{
		"tx.hash = 'zz'":  "error during searching for a hash in the query: encoding/hex: invalid byte: U+007A 'z'",
		"tx.hash = 'abc'": "error during searching for a hash in the query: encoding/hex: odd length hex string",
		"tx.hash EXISTS":  "error while retrieving the result: transaction hash cannot be empty",
	}
	for q, want := range cases {
		err := searchErr(t, idx, q)
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %q", q, err, want)
		}
	}
}

// TestSearchOrder checks ascending (default) and descending order by (height, index).
func TestSearchOrder(t *testing.T) {
	idx := fixture(t)
	asc, _ := searchTxs(t, idx, "app.key = 'abc'", txindex.SearchOptions{})
	if want := []string{"a", "b", "d", "h"}; !slices.Equal(asc, want) {
		t.Errorf("asc: %q, want %q", asc, want)
	}
	desc, _ := searchTxs(t, idx, "app.key = 'abc'", txindex.SearchOptions{Order: txindex.OrderDesc})
	if want := []string{"h", "d", "b", "a"}; !slices.Equal(desc, want) {
		t.Errorf("desc: %q, want %q", desc, want)
	}
}

// TestSearchPaging checks CometBFT's page/per_page windows and that total counts every match.
func TestSearchPaging(t *testing.T) {
	idx := fixture(t)
	page := func(p int) *int { return &p }
	cases := []struct {
		page    *int
		perPage int
		order   txindex.Order
		want    string
		err     string
	}{
		{nil, 4, txindex.OrderAsc, "a c d e", ""},
		{page(1), 4, txindex.OrderAsc, "a c d e", ""},
		{page(2), 4, txindex.OrderAsc, "f g", ""},
		{page(2), 4, txindex.OrderDesc, "c a", ""},
		{page(3), 4, txindex.OrderAsc, "", "page should be within [1, 2] range, given 3"},
		{page(0), 4, txindex.OrderAsc, "", "page should be within [1, 2] range, given 0"},
		{page(1), 100, txindex.OrderAsc, "a c d e f g", ""},
		{page(2), 3, txindex.OrderAsc, "e f g", ""},
	}
	q := query.MustParse("transfer.amount EXISTS")
	for _, c := range cases {
		results, total, err := idx.Search(context.Background(), q, txindex.SearchOptions{
			Order: c.order, Window: txindex.Pages(c.page, c.perPage),
		})
		name := fmt.Sprintf("page %v per %d order %d", c.page, c.perPage, c.order)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: error %v, want %q", name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := txsOf(results), strings.Fields(c.want); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
		if total != 6 {
			t.Errorf("%s: total %d, want 6", name, total)
		}
	}

	// No matches: the first page exists and is empty; page 2 does not.
	none := query.MustParse("app.key = 'nothing'")
	results, total, err := idx.Search(context.Background(), none, txindex.SearchOptions{Window: txindex.Pages(page(1), 30)})
	if err != nil || len(results) != 0 || total != 0 {
		t.Errorf("empty page 1: %d results, total %d, err %v", len(results), total, err)
	}
	_, _, err = idx.Search(context.Background(), none, txindex.SearchOptions{Window: txindex.Pages(page(2), 30)})
	if err == nil || err.Error() != "page should be within [1, 1] range, given 2" {
		t.Errorf("empty page 2: %v", err)
	}
}

// TestSearchCanceled checks that a search under an ended context fails with its error.
func TestSearchCanceled(t *testing.T) {
	idx := fixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := idx.Search(ctx, query.MustParse("app.key EXISTS"), txindex.SearchOptions{})
	if err != context.Canceled {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
