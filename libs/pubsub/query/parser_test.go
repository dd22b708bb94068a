package query

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseValid(t *testing.T) {
	str := func(s string) Operand { return Operand{Kind: KindString, Text: s} }
	num := func(s string) Operand { return Operand{Kind: KindNumber, Text: s} }
	tests := []struct {
		in    string
		want  string // canonical String
		conds []Condition
	}{
		{"tm.event='Tx'", "tm.event = 'Tx'",
			[]Condition{{"tm.event", OpEqual, str("Tx")}}},
		{"tm.event = 'Tx' AND tx.height > 5", "tm.event = 'Tx' AND tx.height > 5",
			[]Condition{{"tm.event", OpEqual, str("Tx")}, {"tx.height", OpGreater, num("5")}}},
		{"  tx.height>=5   AND\ttx.height<=10\n", "tx.height >= 5 AND tx.height <= 10",
			[]Condition{{"tx.height", OpGreaterEqual, num("5")}, {"tx.height", OpLessEqual, num("10")}}},
		{"a<1", "a < 1", []Condition{{"a", OpLess, num("1")}}},
		{"a = 3.25", "a = 3.25", []Condition{{"a", OpEqual, num("3.25")}}},
		{"a = 5.", "a = 5.", []Condition{{"a", OpEqual, num("5.")}}},
		{"a = 007", "a = 007", []Condition{{"a", OpEqual, num("007")}}},
		{"transfer.sender CONTAINS 'cosmos1'", "transfer.sender CONTAINS 'cosmos1'",
			[]Condition{{"transfer.sender", OpContains, str("cosmos1")}}},
		{"slash EXISTS", "slash EXISTS", []Condition{{Tag: "slash", Op: OpExists}}},
		{"app.key EXISTS AND app.key CONTAINS ''", "app.key EXISTS AND app.key CONTAINS ''",
			[]Condition{{Tag: "app.key", Op: OpExists}, {"app.key", OpContains, str("")}}},
		{"tx.time >= TIME 2013-05-03T14:45:00Z", "tx.time >= TIME 2013-05-03T14:45:00Z",
			[]Condition{{"tx.time", OpGreaterEqual, Operand{KindTime, "2013-05-03T14:45:00Z"}}}},
		{"t = TIME 2021-11-23T22:04:19-09:00", "t = TIME 2021-11-23T22:04:19-09:00",
			[]Condition{{"t", OpEqual, Operand{KindTime, "2021-11-23T22:04:19-09:00"}}}},
		{"tx.date < DATE 2017-01-01", "tx.date < DATE 2017-01-01",
			[]Condition{{"tx.date", OpLess, Operand{KindDate, "2017-01-01"}}}},
		{"_x-y.z_ = 'a b  c'", "_x-y.z_ = 'a b  c'", []Condition{{"_x-y.z_", OpEqual, str("a b  c")}}},
		{"a = 'x AND y = \"z\"'", "a = 'x AND y = \"z\"'", []Condition{{"a", OpEqual, str("x AND y = \"z\"")}}},
		{"été.clé = 'ünï'", "été.clé = 'ünï'", []Condition{{"été.clé", OpEqual, str("ünï")}}},
		// No space needed between tokens.
		{"a=5AND b EXISTS", "a = 5 AND b EXISTS",
			[]Condition{{"a", OpEqual, num("5")}, {Tag: "b", Op: OpExists}}},
		{"a='x'AND b='y'", "a = 'x' AND b = 'y'",
			[]Condition{{"a", OpEqual, str("x")}, {"b", OpEqual, str("y")}}},
		// Lower-case words are tags; keywords are upper case only.
		{"and = 'x'", "and = 'x'", []Condition{{"and", OpEqual, str("x")}}},
		{"ANDx EXISTS", "ANDx EXISTS", []Condition{{Tag: "ANDx", Op: OpExists}}},
		// TIME and DATE are tags unless followed by a space.
		{"TIME='x'", "TIME\t= 'x'", []Condition{{"TIME", OpEqual, str("x")}}},
		{"DATE\tEXISTS", "DATE\tEXISTS", []Condition{{Tag: "DATE", Op: OpExists}}},
		{"a = 1 AND a = 1", "a = 1 AND a = 1",
			[]Condition{{"a", OpEqual, num("1")}, {"a", OpEqual, num("1")}}},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if got := q.Conditions(); !reflect.DeepEqual(got, tt.conds) {
			t.Errorf("Parse(%q).Conditions() = %+v, want %+v", tt.in, got, tt.conds)
		}
		again, err := Parse(q.String())
		if err != nil || again.String() != q.String() || !reflect.DeepEqual(again.Conditions(), q.Conditions()) {
			t.Errorf("Parse(%q) does not round-trip: %v, %v", q.String(), again, err)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		// The message CometBFT v0.38.26 returned for this query (rpc.md §6.1).
		{"tm.event==", "offset 9: got = operator, wanted number, timestamp, datestamp or string"},
		{"", "offset 0: EOF"},
		{"   ", "offset 3: EOF"},
		{"tm.event", "offset 8: EOF"},
		{"tm.event =", "offset 10: EOF"},
		{"tm.event = 'Tx' AND", "offset 19: EOF"},
		{"tm.event = 'Tx' AND AND", "offset 20: got AND operator, wanted tag"},
		{"tm.event = 'Tx' tx.height = 5", "offset 16: got tag, want 6"},
		{"tm.event = 'Tx' AND tx.height = 5 OR tx.height = 6", "offset 34: got tag, want 6"},
		{"a = 'b", "offset 4: EOF"},
		{"a = 'b' 'c", "offset 8: got invalid token, want 6"},
		{"a = 'b' !", "offset 8: got invalid token, want 6"},
		{"a != 5", "offset 2: invalid input ! at offset 3"},
		{"a = \"x\"", "offset 4: invalid input \" at offset 5"},
		{"(a = 5)", "offset 0: invalid input ( at offset 1"},
		{"1a = 5", "offset 0: got number, wanted tag"},
		{"'a' = 5", "offset 0: got string, wanted tag"},
		{"a 5", "offset 2: got number, wanted <= operator, >= operator, < operator, > operator, = operator, CONTAINS operator or EXISTS operator"},
		{"a b", "offset 2: got tag, wanted <= operator, >= operator, < operator, > operator, = operator, CONTAINS operator or EXISTS operator"},
		{"a < 'x'", "offset 4: got string, wanted number, timestamp or datestamp"},
		{"a >= b", "offset 5: got tag, wanted number, timestamp or datestamp"},
		{"a CONTAINS 5", "offset 11: got number, wanted string"},
		{"a CONTAINS TIME 2020-01-01T00:00:00Z", "offset 11: got timestamp, wanted string"},
		{"a = -5", "offset 4: invalid input - at offset 5"},
		{"a EXISTS 'b'", "offset 9: got string, want 6"},
		{"a exists", "offset 2: got tag, wanted <= operator, >= operator, < operator, > operator, = operator, CONTAINS operator or EXISTS operator"},
		{"a = 1.2.3", "offset 7: got invalid token, want 6"},
		{"a < TIME 2020-01-01", `offset 4: invalid TIME value: parsing time "2020-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"`},
		{"a < TIME 2020-01-01T00:00:00.5Z", `offset 4: invalid TIME value: parsing time "2020-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"`},
		{"a < TIME  2020-01-01T00:00:00Z", `offset 4: invalid TIME value: parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"`},
		{"a < TIME 2020-13-01T00:00:00Z", `offset 4: invalid TIME value: parsing time "2020-13-01T00:00:00Z": month out of range`},
		{"a < TIME 1899-12-31T23:59:59Z", "offset 4: timestamp year 1899 out of range"},
		{"a < TIME 3000-01-01T00:00:00Z", "offset 4: timestamp year 3000 out of range"},
		{"a < DATE 1800-01-01", "offset 4: datestamp year 1800 out of range"},
		{"a < DATE 2020-1-01", `offset 4: invalid DATE value: parsing time "2020-1-01" as "2006-01-02": cannot parse "1-01" as "01"`},
		{"a = TIME", "offset 4: got tag, wanted number, timestamp, datestamp or string"},
		{"TIME EXISTS", `offset 0: invalid TIME value: parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"`},
		{"a = 'x' AND \xff = 1", "offset 12: invalid input \uFFFD at offset 13"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error %q", tt.in, q, tt.want)
			continue
		}
		var syntaxErr *SyntaxError
		if !errors.As(err, &syntaxErr) {
			t.Errorf("Parse(%q) error %T is not a *SyntaxError", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got %q\nwant %q", tt.in, err, tt.want)
		}
	}
}

func TestParseInvalidUTF8InString(t *testing.T) {
	// Like CometBFT's rune reader, an invalid byte reads as U+FFFD.
	q, err := Parse("a = 'x\xffy'")
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Conditions()[0].Operand.Text; got != "x\uFFFDy" {
		t.Errorf("operand = %q, want %q", got, "x\uFFFDy")
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("tm.event = 'NewBlock'").String(); got != "tm.event = 'NewBlock'" {
		t.Errorf("MustParse = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid query did not panic")
		}
	}()
	MustParse("=")
}

func TestConditionsIsACopy(t *testing.T) {
	q := MustParse("a = 'x'")
	q.Conditions()[0].Tag = "b"
	if q.Conditions()[0].Tag != "a" {
		t.Error("modifying Conditions() changed the query")
	}
	if All.Conditions() != nil || (*Query)(nil).Conditions() != nil {
		t.Error("All has conditions")
	}
}

func TestOperandValues(t *testing.T) {
	n, ok := Operand{KindNumber, "10000000000000000000000000001"}.Number()
	if !ok || n.Text('f', 0) != "10000000000000000000000000001" {
		t.Errorf("big integer operand = %v, %v; want exact", n, ok)
	}
	if _, ok := (Operand{KindString, "5"}).Number(); ok {
		t.Error("string operand reads as a number")
	}
	ts, ok := Operand{KindDate, "2017-01-02"}.Time()
	if !ok || ts.Format("2006-01-02T15:04:05Z07:00") != "2017-01-02T00:00:00Z" {
		t.Errorf("date operand = %v, %v", ts, ok)
	}
	if _, ok := (Operand{KindNumber, "5"}).Time(); ok {
		t.Error("number operand reads as a time")
	}
	if got := Op(0).String(); got != "invalid operator" {
		t.Errorf("Op(0) = %q", got)
	}
}
