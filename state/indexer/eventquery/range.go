package eventquery

import (
	"math/big"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
)

// Range is the merge of the range conditions (<, <=, >, >=) on one tag.
type Range struct {
	Tag          string
	Lower, Upper *query.Operand // nil when the side is open
	IncludeLower bool           // Lower is inclusive (>=)
	IncludeUpper bool           // Upper is inclusive (<=)

	// Filled by compile: the bounds as numbers; numeric is false if a present bound is not a
	// number (a time or date), which makes the range match nothing.
	lower, upper *big.Float
	numeric      bool
}

// add merges a range condition into r: the bound on its side is replaced; an inclusive flag,
// once set, stays set (CometBFT's merge).
func (r *Range) add(c query.Condition) {
	operand := c.Operand
	switch c.Op {
	case query.OpGreater:
		r.Lower = &operand
	case query.OpGreaterEqual:
		r.Lower, r.IncludeLower = &operand, true
	case query.OpLess:
		r.Upper = &operand
	case query.OpLessEqual:
		r.Upper, r.IncludeUpper = &operand, true
	}
}

// compile parses the bounds.
func (r *Range) compile() {
	r.numeric = true
	parse := func(o *query.Operand) *big.Float {
		if o == nil {
			return nil
		}
		if o.Kind != query.KindNumber {
			r.numeric = false
			return nil
		}
		f, ok := OperandNumber(o.Text)
		if !ok {
			r.numeric = false
		}
		return f
	}
	r.lower, r.upper = parse(r.Lower), parse(r.Upper)
}

// Contains reports whether x lies within the range. A range with a bound that is not a number
// contains nothing.
func (r *Range) Contains(x *big.Float) bool {
	if !r.numeric || x == nil {
		return false
	}
	if r.lower != nil {
		c := x.Cmp(r.lower)
		if c < 0 || (c == 0 && !r.IncludeLower) {
			return false
		}
	}
	if r.upper != nil {
		c := x.Cmp(r.upper)
		if c > 0 || (c == 0 && !r.IncludeUpper) {
			return false
		}
	}
	return true
}

// ContainsValue reports whether the stored value v, read by ValueNumber, lies within the range;
// a value that is not a number never does.
func (r *Range) ContainsValue(v string) bool {
	x, ok := ValueNumber(v)
	return ok && r.Contains(x)
}
