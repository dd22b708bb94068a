package eventquery

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/types"
)

// toyLayout lays keys out as "<tag>|<value>|<height>|<event>"; the stored value names the item.
// A key with fewer fields has no value; one whose height does not parse has no height. It counts
// the prefixes asked for, to observe which scans Match runs.
type toyLayout struct{ prefixes *[]string }

func (l toyLayout) TagPrefix(tag string) []byte {
	*l.prefixes = append(*l.prefixes, tag+"|")
	return []byte(tag + "|")
}

func (l toyLayout) ValuePrefix(tag, value string, height int64) []byte {
	p := tag + "|" + value + "|"
	if height > 0 {
		p += strconv.FormatInt(height, 10) + "|"
	}
	*l.prefixes = append(*l.prefixes, p)
	return []byte(p)
}

func (toyLayout) Attribute(key []byte) Entry {
	f := strings.Split(string(key), "|")
	if len(f) < 3 {
		return Entry{}
	}
	h, err := strconv.ParseInt(f[2], 10, 64)
	return Entry{Value: f[1], HasValue: len(f) == 4, Height: h, HasHeight: err == nil}
}

func (toyLayout) HeightKeyValue(key []byte) (string, bool) {
	f := strings.Split(string(key), "|")
	return f[1], len(f) == 4
}

func (toyLayout) Instance(key, stored []byte) string {
	f := strings.Split(string(key), "|")
	return string(stored) + "/" + f[len(f)-1]
}

// toyIndex holds items x (height 1), y (height 2) and z (height 3):
//
//	x: event 1 {a.k=1, a.c=on}, event 2 {a.k=2, b.s=alice}
//	y: event 1 {a.k=1, a.c=off}, event 2 {b.s=alice bob}
//	z: event 1 {a.k=25}, plus a key of a.k without a value and one whose height is unreadable
func toyIndex(t *testing.T) dbm.DB {
	t.Helper()
	db := dbm.NewMemDB()
	for key, item := range map[string]string{
		"tx.height|1|1|0": "x", "tx.height|2|2|0": "y", "tx.height|3|3|0": "z",
		"a.k|1|1|1": "x", "a.c|on|1|1": "x", "a.k|2|1|2": "x", "b.s|alice|1|2": "x",
		"a.k|1|2|1": "y", "a.c|off|2|1": "y", "b.s|alice bob|2|2": "y",
		"a.k|25|3|1": "z", "a.k|3|3": "z", "a.k|30|zz|9": "z",
	} {
		if err := db.Set([]byte(key), []byte(item)); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func toyMatch(t *testing.T, db dbm.DB, q string) (items string, prefixes []string) {
	t.Helper()
	parsed, err := query.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	m, err := Match(context.Background(), db, toyLayout{&prefixes}, NewPlan(parsed.Conditions(), types.TxHeightKey))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if m == nil {
		t.Fatalf("%s: nil matches", q)
	}
	seen := map[string]bool{}
	var names []string
	for _, v := range m {
		if !seen[string(v)] {
			seen[string(v)] = true
			names = append(names, string(v))
		}
	}
	sort.Strings(names)
	return strings.Join(names, " "), prefixes
}

func TestMatch(t *testing.T) {
	db := toyIndex(t)
	cases := []struct{ query, want string }{
		// Conditions hold together only within one event.
		{"a.k = '1' AND a.c = 'on'", "x"},
		{"a.k = '2' AND a.c = 'on'", ""},
		{"a.k = '2' AND b.s = 'alice'", "x"},
		// CONTAINS needs a key with a value; EXISTS only a readable height.
		{"b.s CONTAINS 'bob'", "y"},
		{"a.k CONTAINS '3'", ""},
		{"a.k EXISTS", "x y z"},
		// Ranges read values as numbers; keys without a value or height never match.
		{"a.k > 1", "x z"},
		{"a.k >= 1 AND a.k < 3", "x y"},
		// A height equality or range next to other conditions filters their heights.
		{"a.k = '1' AND tx.height = 2", "y"},
		{"a.k EXISTS AND tx.height > 1", "y z"},
		{"a.k EXISTS AND tx.height > 1 AND tx.height < 3", "y"},
		// Alone, they scan the height keys; a range over them is not height-filtered.
		{"tx.height = 3", "z"},
		{"tx.height >= 2", "y z"},
		{"tx.height EXISTS", "x y z"},
		// tx.height keys are their own event instance (0): they never meet attribute keys.
		{"tx.height EXISTS AND a.k = '1'", ""},
	}
	for _, c := range cases {
		if got, _ := toyMatch(t, db, c.query); got != c.want {
			t.Errorf("%s: matched %q, want %q", c.query, got, c.want)
		}
	}
}

// TestMatchScans checks which scans run: the height equality's prefix narrows the others, a
// height range only filters, and an empty intersection ends the evaluation.
func TestMatchScans(t *testing.T) {
	db := toyIndex(t)
	cases := []struct {
		query    string
		prefixes string
	}{
		{"a.k = '1' AND tx.height = 2", "a.k|1|2|"},
		{"tx.height = 2", "tx.height|2|2|"},
		{"a.k = '1' AND tx.height > 1", "a.k|1|"},
		{"a.c = 'none' AND a.k = '1' AND b.s EXISTS", "a.c|none|"},
		{"a.k > 100 AND a.c = 'on'", "a.k|"},
	}
	for _, c := range cases {
		if _, got := toyMatch(t, db, c.query); strings.Join(got, " ") != c.prefixes {
			t.Errorf("%s: scanned %q, want %q", c.query, got, c.prefixes)
		}
	}
}

func TestMatchCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	parsed, err := query.Parse("a.k EXISTS")
	if err != nil {
		t.Fatal(err)
	}
	var prefixes []string
	_, err = Match(ctx, toyIndex(t), toyLayout{&prefixes}, NewPlan(parsed.Conditions(), types.TxHeightKey))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Match on a canceled context: %v", err)
	}
}
