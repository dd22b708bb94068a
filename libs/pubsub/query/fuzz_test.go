package query

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"tm.event = 'Tx' AND tx.height > 5",
	"tm.event='NewBlock'",
	"transfer.sender CONTAINS 'cosmos1' AND message.action = 'send'",
	"slash EXISTS",
	"tx.time >= TIME 2013-05-03T14:45:00Z AND tx.date < DATE 2017-01-01",
	"a = 3.25 AND b <= 5. AND c = 007",
	"TIME='x' AND DATE\tEXISTS",
	"tm.event==",
	"a = 'b' 'c",
	"a < TIME 2020-01-01",
	"été.clé = 'ünï\xff'",
	"",
}

// FuzzParse checks that Parse never panics, that every error is a *SyntaxError, and that a
// valid query's String parses back to an equal query.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var syntaxErr *SyntaxError
			if !errors.As(err, &syntaxErr) || q != nil {
				t.Fatalf("Parse(%q) = %v, %v", s, q, err)
			}
			if syntaxErr.Offset < 0 || syntaxErr.Offset > len(s) {
				t.Fatalf("Parse(%q): offset %d outside the input", s, syntaxErr.Offset)
			}
			return
		}
		canonical := q.String()
		again, err := Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its String %q fails: %v", s, canonical, err)
		}
		if again.String() != canonical || !reflect.DeepEqual(again.Conditions(), q.Conditions()) {
			t.Fatalf("round trip of %q: %q → %+v, want %+v", s, canonical, again.Conditions(), q.Conditions())
		}
	})
}

// FuzzMatches checks that matching never panics, and that a query always matches an event
// map built to satisfy its equality and EXISTS conditions.
func FuzzMatches(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "tx.height", "134")
	}
	f.Add("a.n > 5", "a.n", "8stake")
	f.Add("a.n < 5", "a.n", "99999999999999999999999999999999999999.5")
	f.Fuzz(func(t *testing.T, s, key, value string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		if _, err := q.Matches(map[string][]string{key: {value}}); err != nil {
			t.Fatalf("Matches: %v", err)
		}
		satisfying := map[string][]string{}
		for _, c := range q.Conditions() {
			if c.Op != OpExists && !strings.Contains(c.Tag, ".") {
				return // a type-only tag never sees a value
			}
			switch {
			case c.Op == OpExists:
				satisfying[c.Tag+".x"] = append(satisfying[c.Tag+".x"], "")
			case c.Op == OpEqual && c.Operand.Kind == KindString:
				satisfying[c.Tag] = append(satisfying[c.Tag], c.Operand.Text)
			case c.Op == OpEqual || c.Op == OpLessEqual || c.Op == OpGreaterEqual:
				if c.Operand.Kind == KindNumber || c.Operand.Kind == KindTime || c.Operand.Kind == KindDate {
					satisfying[c.Tag] = append(satisfying[c.Tag], c.Operand.Text)
				}
			default:
				return // not trivially satisfiable
			}
		}
		if ok, _ := q.Matches(satisfying); !ok {
			t.Fatalf("%q does not match %v built to satisfy it", q, satisfying)
		}
	})
}
