package query

import (
	"math/big"
	"strings"
	"time"
)

// Op is a condition's operator.
type Op uint8

// The operators. OpExists takes no operand; OpContains takes a string; the ordering operators
// take a number, time or date; OpEqual takes any operand kind.
const (
	OpEqual Op = iota + 1
	OpLess
	OpLessEqual
	OpGreater
	OpGreaterEqual
	OpContains
	OpExists
)

var opTexts = [...]string{
	OpEqual:        "=",
	OpLess:         "<",
	OpLessEqual:    "<=",
	OpGreater:      ">",
	OpGreaterEqual: ">=",
	OpContains:     "CONTAINS",
	OpExists:       "EXISTS",
}

// String returns the operator as written in a query ("<=", "CONTAINS").
func (o Op) String() string {
	if o >= OpEqual && int(o) < len(opTexts) {
		return opTexts[o]
	}
	return "invalid operator"
}

// OperandKind is the type of a condition's operand.
type OperandKind uint8

// The operand kinds; KindNone is the operand of EXISTS.
const (
	KindNone OperandKind = iota
	KindString
	KindNumber
	KindTime
	KindDate
)

// Operand is the literal on the right of an operator.
type Operand struct {
	Kind OperandKind
	// Text is the literal as written, without quotes for a string and without the TIME or
	// DATE keyword: "Tx", "5", "3.25", "2021-11-23T22:04:19-09:00", "2021-11-23".
	Text string
}

// String returns the operand in query syntax ("'Tx'", "5", "TIME 2021-11-23T22:04:19Z").
func (o Operand) String() string {
	switch o.Kind {
	case KindString:
		return "'" + o.Text + "'"
	case KindTime:
		return "TIME " + o.Text
	case KindDate:
		return "DATE " + o.Text
	default:
		return o.Text
	}
}

// Number returns a number operand's value (exact for integers, 125-bit precision otherwise);
// ok is false if o is not a valid number.
func (o Operand) Number() (f *big.Float, ok bool) {
	if o.Kind != KindNumber {
		return nil, false
	}
	return literalNumber(o.Text)
}

// Time returns a time or date operand's instant (a date is midnight UTC); ok is false if o is
// neither.
func (o Operand) Time() (t time.Time, ok bool) {
	var err error
	switch o.Kind {
	case KindTime:
		t, err = time.Parse(timeLayout, o.Text)
	case KindDate:
		t, err = time.Parse(dateLayout, o.Text)
	default:
		return time.Time{}, false
	}
	return t, err == nil
}

// Condition is one "tag op operand" term of a query.
type Condition struct {
	Tag     string // composite key, "type.attribute" (or a bare event type)
	Op      Op
	Operand Operand // Kind is KindNone for OpExists
}

// String returns the condition in canonical query syntax: "tag op operand", single spaces.
// After a tag named TIME or DATE the separator is a tab, since a space there would start a
// literal; this keeps Parse(c.String()) equal to c.
func (c Condition) String() string {
	var b strings.Builder
	b.WriteString(c.Tag)
	if c.Tag == "TIME" || c.Tag == "DATE" {
		b.WriteByte('\t')
	} else {
		b.WriteByte(' ')
	}
	b.WriteString(c.Op.String())
	if c.Op != OpExists {
		b.WriteByte(' ')
		b.WriteString(c.Operand.String())
	}
	return b.String()
}

// Match reports whether an attribute value satisfies the condition's operator and operand
// (EXISTS accepts every value). It is the per-value test Matches applies; the indexer uses it
// on stored values. An operator/operand combination Parse would reject matches nothing.
func (c Condition) Match(value string) bool {
	return compile(c)(value)
}

// Query is a parsed query: the conjunction of its conditions. The zero-condition query All
// (and a nil *Query) matches every event map. A Query is immutable and safe for concurrent use.
type Query struct {
	conds   []Condition
	matches []compiled // matches[i] is conds[i] compiled
}

// All matches everything, including an empty event map. It is not produced by Parse (the
// empty string is not a valid query); its String is "<all>".
var All = &Query{}

// Conditions returns a copy of q's conditions in query order (none for All or nil).
func (q *Query) Conditions() []Condition {
	if q == nil {
		return nil
	}
	return append([]Condition(nil), q.conds...)
}

// String returns q in canonical syntax: conditions joined by " AND ". Queries that differ
// only in spacing have the same String, which is what identifies a subscription. Parse
// accepts the result and returns an equal query (except for All, "<all>").
func (q *Query) String() string {
	if q == nil || len(q.conds) == 0 {
		return "<all>"
	}
	parts := make([]string, len(q.conds))
	for i, c := range q.conds {
		parts[i] = c.String()
	}
	return strings.Join(parts, " AND ")
}

// newQuery compiles conds into a Query.
func newQuery(conds []Condition) *Query {
	q := &Query{conds: conds, matches: make([]compiled, len(conds))}
	for i, c := range conds {
		match := compile(c)
		q.matches[i] = compiled{
			tag:          c.Tag,
			match:        match,
			tagHasDot:    strings.Contains(c.Tag, "."),
			matchesEmpty: match(""),
		}
	}
	return q
}
