package kv

import (
	"context"
	"sort"
	"strconv"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/types"
)

// Search returns the heights of the indexed blocks matching q, newest first; see the package
// documentation. It returns ctx's error if ctx ends first.
func (idx *Indexer) Search(ctx context.Context, q *query.Query) ([]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan := eventquery.NewPlan(q.Conditions(), types.BlockHeightKey)
	if plan.OnlyHeightEq {
		ok, err := idx.Has(plan.Height)
		if err != nil || !ok {
			return []int64{}, err
		}
		return []int64{plan.Height}, nil
	}
	acc, err := eventquery.Match(ctx, idx.db, layout{}, plan)
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(acc))
	heights := make([]int64, 0, len(acc))
	for _, v := range acc {
		h, ok := parseHeightValue(v)
		if !ok || seen[h] {
			continue
		}
		seen[h] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		indexed, err := idx.Has(h)
		if err != nil {
			return nil, err
		}
		if indexed {
			heights = append(heights, h)
		}
	}
	sort.Slice(heights, func(i, j int) bool { return heights[i] > heights[j] })
	return heights, nil
}

// layout is the block index's key layout as eventquery.Match reads it.
type layout struct{}

var _ eventquery.Layout = layout{}

// TagPrefix is ordered(tag).
func (layout) TagPrefix(tag string) []byte { return tagPrefix(tag) }

// ValuePrefix is ordered(tag, value); the height is not part of it.
func (layout) ValuePrefix(tag, value string, _ int64) []byte { return valuePrefix(tag, value) }

// Attribute reads the value (untrimmed) and height of an event key; a key that is not one (a
// height key) has neither, so EXISTS and CONTAINS on block.height match nothing.
func (layout) Attribute(key []byte) eventquery.Entry {
	value, h, _, err := parseEventKey(key)
	ok := err == nil
	return eventquery.Entry{Value: value, HasValue: ok, Height: h, HasHeight: ok}
}

// HeightKeyValue reads a block.height key's height.
func (layout) HeightKeyValue(key []byte) (string, bool) {
	h, err := parsePrimaryKey(key)
	if err != nil {
		return "", false
	}
	return strconv.FormatInt(h, 10), true
}

// Instance is the stored height value, then the key's event sequence.
func (layout) Instance(key, stored []byte) string {
	return string(stored) + "/" + strconv.FormatInt(eventSeq(key), 10)
}
