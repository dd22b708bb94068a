package query

import (
	"testing"
)

type events = map[string][]string

func TestMatches(t *testing.T) {
	txEvents := events{
		"tm.event":        {"Tx"},
		"tx.hash":         {"576FC328665BF180F2EA32274A869E933EC95793D74A19D78608D45428DE8245"},
		"tx.height":       {"134"},
		"app.key":         {"k3", "v3"},
		"app.creator":     {"Cosmoshi Netowoko"},
		"transfer.amount": {"8.045stake"},
	}
	tests := []struct {
		query  string
		events events
		want   bool
	}{
		// Strings.
		{"tm.event = 'Tx'", txEvents, true},
		{"tm.event = 'NewBlock'", txEvents, false},
		{"tm.event = 'tx'", txEvents, false},
		{"tm.event = 'Tx' AND tx.height = 134", txEvents, true},
		{"tm.event = 'Tx' AND tx.height = 135", txEvents, false},
		{"tx.hash = '576FC328665BF180F2EA32274A869E933EC95793D74A19D78608D45428DE8245'", txEvents, true},
		// Any value of a key may satisfy a condition, and different conditions may use
		// different values.
		{"app.key = 'k3'", txEvents, true},
		{"app.key = 'v3'", txEvents, true},
		{"app.key = 'k3' AND app.key = 'v3'", txEvents, true},
		{"app.key = 'k3' AND app.key = 'x'", txEvents, false},
		{"app.key = 'k3' AND app.creator = 'Cosmoshi Netowoko'", txEvents, true},
		// CONTAINS is a substring test on each value.
		{"app.creator CONTAINS 'shi N'", txEvents, true},
		{"app.creator CONTAINS 'cosmoshi'", txEvents, false},
		{"app.key CONTAINS '3'", txEvents, true},
		{"app.key CONTAINS ''", txEvents, true},
		{"app.nokey CONTAINS ''", txEvents, false},
		// EXISTS on a full key, and on an event type (the part before the last dot).
		{"app.key EXISTS", txEvents, true},
		{"app.nokey EXISTS", txEvents, false},
		{"app EXISTS", txEvents, true},
		{"tm EXISTS", txEvents, true},
		{"transfer EXISTS", txEvents, true},
		{"ap EXISTS", txEvents, false}, // no prefix matching
		{"app.ke EXISTS", txEvents, false},
		{"slash EXISTS", events{"slash.reason": {"missing_signature"}, "slash.power": {"6000"}}, true},
		{"slash EXISTS", events{"transfer.sender": {"a"}}, false},
		// A type-only tag tests the empty string, so "= ''" holds too; other tests fail on "".
		{"app = ''", txEvents, true},
		{"app = 'k3'", txEvents, false},
		{"app CONTAINS 'k'", txEvents, false},
		{"app < 5", txEvents, false},
		// A key with several dots splits at the last one.
		{"a.b EXISTS", events{"a.b.c": {"x"}}, true},
		{"a EXISTS", events{"a.b.c": {"x"}}, false},
		{"a.b.c = 'x'", events{"a.b.c": {"x"}}, true},
		// A key without a dot names no event type and no tag reaches its values.
		{"plain EXISTS", events{"plain": {"x"}}, false},
		{"plain = 'x'", events{"plain": {"x"}}, false},
		// A key present with no values.
		{"app.key EXISTS", events{"app.key": {}}, false},
		{"app EXISTS", events{"app.key": {}}, true},
		// Numbers: compared numerically, not as text.
		{"tx.height > 5", txEvents, true},
		{"tx.height > 134", txEvents, false},
		{"tx.height >= 134", txEvents, true},
		{"tx.height < 1000", txEvents, true},
		{"tx.height <= 133", txEvents, false},
		{"tx.height = 134.0", txEvents, true},
		{"tx.height = 0134", txEvents, true},
		{"tx.height > 5 AND tx.height < 200", txEvents, true},
		{"tx.height > 5 AND tx.height < 100", txEvents, false},
		{"a.n = 4", events{"a.n": {"4.0"}}, true},
		{"a.n <= 4", events{"a.n": {"4.0"}}, true},
		{"a.n >= 3.5", events{"a.n": {"3.5"}}, true},
		{"a.n < 1000.0", events{"a.n": {"900"}}, true},
		{"a.n > 9", events{"a.n": {"10"}}, true}, // "10" < "9" as text
		{"a.n = 5.", events{"a.n": {"5"}}, true},
		// Values with a unit suffix read as their leading number.
		{"transfer.amount > 8", txEvents, true},
		{"transfer.amount > 8.044", txEvents, true},
		{"transfer.amount > 8.045", txEvents, false},
		{"transfer.amount = 8.045", txEvents, true},
		{"a.n > 7", events{"a.n": {"8stake"}}, true},
		{"a.n = 8", events{"a.n": {"8."}}, true},
		// Not numbers: signs, leading spaces or dots, words.
		{"a.n < 10", events{"a.n": {"-5"}}, false},
		{"a.n < 10", events{"a.n": {"+5"}}, false},
		{"a.n < 10", events{"a.n": {" 5"}}, false},
		{"a.n < 10", events{"a.n": {".5"}}, false},
		{"a.n < 10", events{"a.n": {"five"}}, false},
		{"a.n < 10", events{"a.n": {""}}, false},
		{"a.n < 10", events{"a.n": {"x", "3"}}, true},
		// Strings compare as strings even when they look like numbers.
		{"a.n = '5'", events{"a.n": {"5.0"}}, false},
		{"a.n = '5'", events{"a.n": {"5"}}, true},
		// Big numbers: integers are exact, decimals keep 125 bits.
		{"a.n <= 10000000000000000000", events{"a.n": {"10000000000000000000"}}, true},
		{"a.n <= 10000000000000000000", events{"a.n": {"10000000000000000001"}}, false},
		{"a.n <= 10000000000000000000", events{"a.n": {"10000000000000000000.0"}}, true},
		{"a.n > 10000000000000000000", events{"a.n": {"10000000000000000000.6"}}, true},
		{"a.n = 123456789012345678901234567890123456789012345678901234567890",
			events{"a.n": {"123456789012345678901234567890123456789012345678901234567890"}}, true},
		{"a.n < 123456789012345678901234567890123456789012345678901234567890",
			events{"a.n": {"123456789012345678901234567890123456789012345678901234567889"}}, true},
		// Dates and times.
		{"tx.date = DATE 2017-01-01", events{"tx.date": {"2017-01-01"}}, true},
		{"tx.date = DATE 2018-01-01", events{"tx.date": {"2017-01-01"}}, false},
		{"tx.date > DATE 2016-12-31", events{"tx.date": {"2017-01-01"}}, true},
		{"tx.date >= DATE 2017-01-01", events{"tx.date": {"2017-01-01"}}, true},
		{"tx.date < DATE 2017-01-01", events{"tx.date": {"2017-01-01"}}, false},
		{"tx.date <= DATE 2017-01-01", events{"tx.date": {"2017-01-01"}}, true},
		{"tx.date > DATE 2016-12-31", events{"tx.date": {"2017-01-01T00:00:00Z"}}, false}, // wrong layout
		{"tx.time = TIME 2018-05-03T14:45:00Z", events{"tx.time": {"2018-05-03T14:45:00Z"}}, true},
		{"tx.time = TIME 2018-05-03T14:45:00Z", events{"tx.time": {"2018-05-03T16:45:00+02:00"}}, true},
		{"tx.time = TIME 2018-05-03T14:45:00Z", events{"tx.time": {"2018-05-03T14:45:00.5Z"}}, false},
		{"tx.time > TIME 2018-05-03T14:45:00Z", events{"tx.time": {"2018-05-03T14:45:00.5Z"}}, true},
		{"tx.time >= TIME 2013-05-03T14:45:00Z", events{"tx.time": {"2018-05-03T14:45:00Z"}}, true},
		{"tx.time < TIME 2013-05-03T14:45:00Z", events{"tx.time": {"2018-05-03T14:45:00Z"}}, false},
		{"tx.time <= TIME 2018-05-03T14:45:00-01:00", events{"tx.time": {"2018-05-03T15:45:00Z"}}, true},
		{"tx.time < TIME 2018-05-03T14:45:00Z", events{"tx.time": {"2018-05-03"}}, false},
		// An empty or nil map matches nothing.
		{"tm.event = 'Tx'", events{}, false},
		{"tm EXISTS", nil, false},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.query, err)
			continue
		}
		got, err := q.Matches(tt.events)
		if err != nil {
			t.Errorf("%q.Matches: %v", tt.query, err)
		}
		if got != tt.want {
			t.Errorf("%q.Matches(%v) = %v, want %v", tt.query, tt.events, got, tt.want)
		}
	}
}

func TestAllMatchesEverything(t *testing.T) {
	for _, q := range []*Query{All, nil} {
		for _, ev := range []events{nil, {}, {"tm.event": {"Tx"}}} {
			if ok, err := q.Matches(ev); !ok || err != nil {
				t.Errorf("%v.Matches(%v) = %v, %v; want true", q, ev, ok, err)
			}
		}
		if q.String() != "<all>" {
			t.Errorf("All.String() = %q", q.String())
		}
	}
}

func TestConditionMatch(t *testing.T) {
	q := MustParse("a.n > 5 AND a.s CONTAINS 'ell' AND a.e EXISTS")
	conds := q.Conditions()
	cases := []struct {
		cond  int
		value string
		want  bool
	}{
		{0, "6", true}, {0, "5", false}, {0, "x", false},
		{1, "hello", true}, {1, "help", false},
		{2, "", true}, {2, "anything", true},
	}
	for _, c := range cases {
		if got := conds[c.cond].Match(c.value); got != c.want {
			t.Errorf("%v.Match(%q) = %v, want %v", conds[c.cond], c.value, got, c.want)
		}
	}
	// Combinations Parse rejects match nothing.
	bad := []Condition{
		{Tag: "a", Op: OpLess, Operand: Operand{KindString, "x"}},
		{Tag: "a", Op: OpContains, Operand: Operand{KindNumber, "5"}},
		{Tag: "a", Op: OpEqual, Operand: Operand{KindNumber, "x"}},
		{Tag: "a", Op: OpEqual, Operand: Operand{KindTime, "yesterday"}},
		{Tag: "a", Op: OpEqual},
		{Tag: "a", Op: Op(99), Operand: Operand{KindString, ""}},
	}
	for _, c := range bad {
		for _, v := range []string{"", "x", "5", "yesterday"} {
			if c.Match(v) {
				t.Errorf("%+v.Match(%q) = true, want false", c, v)
			}
		}
	}
}
