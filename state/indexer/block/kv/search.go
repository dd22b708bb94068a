package kv

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/types"
)

// instances maps an event instance (height value bytes + "/" + seq) to the stored height value.
type instances map[string][]byte

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
	acc, err := idx.evaluate(ctx, plan)
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

// evaluate runs the plan's scans and intersects them by event instance.
func (idx *Indexer) evaluate(ctx context.Context, plan *eventquery.Plan) (instances, error) {
	var acc instances
	started := false
	apply := func(m instances) {
		if !started {
			acc, started = m, true
			return
		}
		for k := range acc {
			if _, ok := m[k]; !ok {
				delete(acc, k)
			}
		}
	}
	for _, r := range plan.Ranges {
		if r.Tag == types.BlockHeightKey && !plan.OnlyHeightRange {
			continue // filters the other conditions' heights instead
		}
		if started && len(acc) == 0 {
			break
		}
		m, err := idx.matchRange(ctx, plan, r)
		if err != nil {
			return nil, err
		}
		apply(m)
	}
	for i, c := range plan.Conditions {
		if plan.InRange(i) || i == plan.HeightEq {
			continue
		}
		if started && len(acc) == 0 {
			break
		}
		m, err := idx.match(ctx, plan, c)
		if err != nil {
			return nil, err
		}
		apply(m)
	}
	return acc, nil
}

// match evaluates an =, EXISTS or CONTAINS condition.
func (idx *Indexer) match(ctx context.Context, plan *eventquery.Plan, c query.Condition) (instances, error) {
	heightOK := func(key []byte) bool {
		_, h, _, err := parseEventKey(key)
		return err == nil && plan.HeightOK(h)
	}
	switch c.Op {
	case query.OpEqual:
		return idx.scan(ctx, valuePrefix(c.Tag, c.Operand.Text), heightOK)
	case query.OpExists:
		return idx.scan(ctx, tagPrefix(c.Tag), heightOK)
	case query.OpContains:
		return idx.scan(ctx, tagPrefix(c.Tag), func(key []byte) bool {
			value, h, _, err := parseEventKey(key)
			return err == nil && strings.Contains(value, c.Operand.Text) && plan.HeightOK(h)
		})
	}
	return nil, fmt.Errorf("kv block indexer: unsupported operator %v", c.Op)
}

// matchRange evaluates a merged range: keys of the tag whose value is a number in the range.
// On block.height the values are the heights of the height keys.
func (idx *Indexer) matchRange(ctx context.Context, plan *eventquery.Plan, r *eventquery.Range) (instances, error) {
	return idx.scan(ctx, tagPrefix(r.Tag), func(key []byte) bool {
		var value string
		if r.Tag == types.BlockHeightKey {
			h, err := parsePrimaryKey(key)
			if err != nil {
				return false
			}
			value = strconv.FormatInt(h, 10)
		} else {
			v, h, _, err := parseEventKey(key)
			if err != nil || !plan.HeightOK(h) {
				return false
			}
			value = v
		}
		return r.ContainsValue(value)
	})
}

// scan collects the instances of the keys under start that accept admits. The iterator is
// closed before scan returns, and nothing else is read while it is open.
func (idx *Indexer) scan(ctx context.Context, start []byte, accept func(key []byte) bool) (instances, error) {
	it, err := dbm.IteratePrefix(idx.db, start)
	if err != nil {
		return nil, fmt.Errorf("scanning block index: %w", err)
	}
	defer it.Close()
	found := make(instances)
	done := ctx.Done()
	for ; it.Valid(); it.Next() {
		select {
		case <-done:
			return nil, ctx.Err()
		default:
		}
		key := it.Key()
		if !accept(key) {
			continue
		}
		value := append([]byte(nil), it.Value()...)
		found[string(value)+"/"+strconv.FormatInt(eventSeq(key), 10)] = value
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("scanning block index: %w", err)
	}
	return found, nil
}
