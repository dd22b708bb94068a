package eventquery

import (
	"math/big"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/types"
)

// Plan is a query taken apart the way CometBFT v0.38's kv indexers take it apart; see the
// package documentation for the rules. A Plan is immutable after NewPlan.
type Plan struct {
	// HeightKey is the indexer's own height key (types.TxHeightKey or types.BlockHeightKey).
	HeightKey string
	// Conditions are the query's conditions after height deduplication, in query order, with
	// the kept height equality (if any) last.
	Conditions []query.Condition
	// HeightEq is the index in Conditions of the kept height equality, or -1.
	HeightEq int
	// Height is the kept height equality's value, truncated to an integer; 0 if none.
	Height int64
	// OnlyHeightEq: the kept height equality is the only condition.
	OnlyHeightEq bool
	// OnlyHeightRange: no condition is on another tag and no height equality was kept (so the
	// conditions, if any, are ranges, EXISTS or CONTAINS on the height key).
	OnlyHeightRange bool
	// Ranges are the range conditions merged per tag, in order of first appearance.
	Ranges []*Range
	// HeightRange is the merged range over tx.height or block.height, or nil.
	HeightRange *Range

	ranged []bool // ranged[i]: Conditions[i] is part of a Range
}

// NewPlan plans conds (a query's conditions) for an indexer whose height key is heightKey
// (types.TxHeightKey or types.BlockHeightKey).
func NewPlan(conds []query.Condition, heightKey string) *Plan {
	p := &Plan{HeightKey: heightKey, HeightEq: -1, OnlyHeightEq: true, OnlyHeightRange: true}
	var heightEq []query.Condition
	otherOnHeight := false
	for _, c := range conds {
		switch {
		case c.Tag != heightKey:
			p.OnlyHeightEq, p.OnlyHeightRange = false, false
			p.Conditions = append(p.Conditions, c)
		case c.Op != query.OpEqual:
			p.OnlyHeightEq = false
			otherOnHeight = true
			p.Conditions = append(p.Conditions, c)
		case otherOnHeight || len(heightEq) > 0:
			// A later equality, or one after a range: dropped.
		default:
			if f, ok := OperandNumber(c.Operand.Text); ok {
				p.Height, _ = f.Int64()
				heightEq = append(heightEq, c)
			}
		}
	}
	if !otherOnHeight && len(heightEq) > 0 {
		p.HeightEq = len(p.Conditions)
		p.OnlyHeightRange = false
		p.Conditions = append(p.Conditions, heightEq...)
	} else {
		p.HeightEq, p.Height, p.OnlyHeightEq = -1, 0, false
	}
	p.planRanges()
	return p
}

// planRanges merges the range conditions per tag and extracts the height range.
func (p *Plan) planRanges() {
	p.ranged = make([]bool, len(p.Conditions))
	byTag := make(map[string]*Range)
	for i, c := range p.Conditions {
		if !isRangeOp(c.Op) {
			continue
		}
		p.ranged[i] = true
		isHeight := c.Tag == types.TxHeightKey || c.Tag == types.BlockHeightKey
		r := byTag[c.Tag]
		if r == nil {
			r = &Range{Tag: c.Tag}
			byTag[c.Tag] = r
			p.Ranges = append(p.Ranges, r)
			if isHeight {
				// A new height tag starts the height range afresh (CometBFT keeps one).
				p.HeightRange = &Range{Tag: c.Tag}
			}
		}
		r.add(c)
		if isHeight {
			p.HeightRange.add(c)
		}
	}
	for _, r := range p.Ranges {
		r.compile()
	}
	if p.HeightRange != nil {
		p.HeightRange.compile()
	}
}

// InRange reports whether Conditions[i] is evaluated as part of a Range rather than on its
// own.
func (p *Plan) InRange(i int) bool { return i >= 0 && i < len(p.ranged) && p.ranged[i] }

// HeightOK reports whether a match at height h passes the plan's height filter: the height
// range if there is one, else the height equality if there is one.
func (p *Plan) HeightOK(h int64) bool {
	if p.HeightRange != nil {
		return p.HeightRange.Contains(new(big.Float).SetInt64(h))
	}
	return p.Height == 0 || h == p.Height
}

func isRangeOp(op query.Op) bool {
	switch op {
	case query.OpLess, query.OpLessEqual, query.OpGreater, query.OpGreaterEqual:
		return true
	}
	return false
}
