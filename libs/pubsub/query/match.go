package query

import (
	"math/big"
	"strings"
	"time"
)

// decimalPrecision is the precision, in bits, of non-integer numbers (CometBFT's).
const decimalPrecision = 125

// compiled is a condition prepared for matching event maps.
type compiled struct {
	tag          string
	match        func(value string) bool
	tagHasDot    bool // only a dotted tag can name a key's values
	matchesEmpty bool // match(""), the test applied when tag equals an event type
}

// Matches reports whether the event map satisfies every condition of q; see the package
// documentation for the rules. The map is only read. The error is always nil: it exists to
// satisfy pubsub.Query.
func (q *Query) Matches(events map[string][]string) (bool, error) {
	if q == nil || len(q.conds) == 0 {
		return true, nil
	}
	if len(events) == 0 {
		return false, nil
	}
	for _, c := range q.matches {
		if !c.holds(events) {
			return false, nil
		}
	}
	return true, nil
}

// holds reports whether any value of the condition's tag matches, or whether the tag is an
// event type and the empty string matches.
func (c compiled) holds(events map[string][]string) bool {
	if c.tagHasDot {
		for _, v := range events[c.tag] {
			if c.match(v) {
				return true
			}
		}
	}
	if c.matchesEmpty {
		for key := range events {
			if i := strings.LastIndexByte(key, '.'); i >= 0 && key[:i] == c.tag {
				return true
			}
		}
	}
	return false
}

// compile returns the per-value test of c. Operand parsing happens once, here.
func compile(c Condition) func(string) bool {
	never := func(string) bool { return false }
	switch c.Op {
	case OpExists:
		return func(string) bool { return true }
	case OpContains:
		if c.Operand.Kind != KindString {
			return never
		}
		want := c.Operand.Text
		return func(v string) bool { return strings.Contains(v, want) }
	case OpEqual, OpLess, OpLessEqual, OpGreater, OpGreaterEqual:
	default:
		return never
	}
	accept := orderTest(c.Op)
	switch c.Operand.Kind {
	case KindString:
		if c.Op != OpEqual {
			return never
		}
		want := c.Operand.Text
		return func(v string) bool { return v == want }
	case KindNumber:
		want, ok := c.Operand.Number()
		if !ok {
			return never
		}
		return func(v string) bool {
			got, ok := valueNumber(v)
			return ok && accept(got.Cmp(want))
		}
	case KindTime, KindDate:
		want, ok := c.Operand.Time()
		if !ok {
			return never
		}
		layout := timeLayout
		if c.Operand.Kind == KindDate {
			layout = dateLayout
		}
		return func(v string) bool {
			got, err := time.Parse(layout, v)
			return err == nil && accept(got.Compare(want))
		}
	default:
		return never
	}
}

// orderTest turns a comparison operator into a test of a three-way comparison result.
func orderTest(op Op) func(cmp int) bool {
	switch op {
	case OpLess:
		return func(cmp int) bool { return cmp < 0 }
	case OpLessEqual:
		return func(cmp int) bool { return cmp <= 0 }
	case OpGreater:
		return func(cmp int) bool { return cmp > 0 }
	case OpGreaterEqual:
		return func(cmp int) bool { return cmp >= 0 }
	default:
		return func(cmp int) bool { return cmp == 0 }
	}
}

// literalNumber converts a number literal ([0-9]+ ( '.' [0-9]* )?) to a big float: exact for an
// integer, rounded to decimalPrecision bits otherwise.
func literalNumber(text string) (*big.Float, bool) {
	if text == "" {
		return nil, false
	}
	if allDigits(text) {
		return exactInteger(text)
	}
	f, _, err := big.ParseFloat(text, 10, decimalPrecision, big.ToNearestEven)
	return f, err == nil
}

// valueNumber reads an attribute value as a number the way CometBFT does: the value must start
// with a decimal ([0-9]+ ( '.' [0-9]+ )?) and any suffix is ignored ("8atom" is 8). A value
// that is all digits is exact; anything else is rounded to decimalPrecision bits.
func valueNumber(v string) (*big.Float, bool) {
	if allDigits(v) {
		return exactInteger(v)
	}
	n := decimalPrefixLen(v)
	if n == 0 {
		return nil, false
	}
	f, _, err := big.ParseFloat(v[:n], 10, decimalPrecision, big.ToNearestEven)
	return f, err == nil
}

// exactInteger converts a non-empty string of ASCII digits to a float holding it exactly.
func exactInteger(digits string) (*big.Float, bool) {
	i, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, false
	}
	return new(big.Float).SetInt(i), true
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(rune(s[i])) {
			return false
		}
	}
	return true
}

// decimalPrefixLen returns the length of the longest prefix of s matching [0-9]+(\.[0-9]+)?.
func decimalPrefixLen(s string) int {
	n := 0
	for n < len(s) && isDigit(rune(s[n])) {
		n++
	}
	if n == 0 {
		return 0
	}
	if n+1 < len(s) && s[n] == '.' && isDigit(rune(s[n+1])) {
		n += 2
		for n < len(s) && isDigit(rune(s[n])) {
			n++
		}
	}
	return n
}
