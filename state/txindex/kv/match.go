package kv

import (
	"context"
	"sort"
	"strconv"
	"strings"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/types"
)

// instances maps an event instance (hash + 0x00 + keyInstance) to the transaction hash.
type instances map[string][]byte

// matchingHashes evaluates a plan: every range and condition it leaves to a scan, intersected by
// event instance. It returns the distinct hashes of the surviving instances, sorted.
func (t *TxIndex) matchingHashes(ctx context.Context, plan *eventquery.Plan) ([][]byte, error) {
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
		if r.Tag == types.TxHeightKey && !plan.OnlyHeightRange {
			continue // filters the other conditions' heights instead
		}
		if started && len(acc) == 0 {
			break
		}
		m, err := t.matchRange(ctx, plan, r)
		if err != nil {
			return nil, err
		}
		apply(m)
	}
	for i, c := range plan.Conditions {
		if plan.InRange(i) || (i == plan.HeightEq && !plan.OnlyHeightEq) {
			continue
		}
		if started && len(acc) == 0 {
			break
		}
		m, err := t.match(ctx, plan, c)
		if err != nil {
			return nil, err
		}
		apply(m)
	}
	seen := make(map[string]bool, len(acc))
	hashes := make([][]byte, 0, len(acc))
	for _, h := range acc {
		if !seen[string(h)] {
			seen[string(h)] = true
			hashes = append(hashes, h)
		}
	}
	sort.Slice(hashes, func(i, j int) bool { return string(hashes[i]) < string(hashes[j]) })
	return hashes, nil
}

// match evaluates an =, EXISTS or CONTAINS condition.
func (t *TxIndex) match(ctx context.Context, plan *eventquery.Plan, c query.Condition) (instances, error) {
	switch c.Op {
	case query.OpEqual:
		start := prefix(c.Tag, c.Operand.Text)
		if plan.Height > 0 {
			start = append(start, prefix(strconv.FormatInt(plan.Height, 10))...)
		}
		return t.scan(ctx, start, func(key []byte) bool { return heightOK(plan, key) })
	case query.OpExists:
		return t.scan(ctx, prefix(c.Tag), func(key []byte) bool { return heightOK(plan, key) })
	case query.OpContains:
		return t.scan(ctx, prefix(c.Tag), func(key []byte) bool {
			return isTagKey(key) && strings.Contains(keyValue(key), c.Operand.Text) && heightOK(plan, key)
		})
	}
	return nil, errUnsupportedOp
}

// matchRange evaluates a merged range: keys of the tag whose value is a number in the range.
func (t *TxIndex) matchRange(ctx context.Context, plan *eventquery.Plan, r *eventquery.Range) (instances, error) {
	return t.scan(ctx, prefix(r.Tag), func(key []byte) bool {
		if !isTagKey(key) {
			return false
		}
		x, ok := eventquery.ValueNumber(keyValue(key))
		if !ok {
			return false
		}
		if r.Tag != types.TxHeightKey && !heightOK(plan, key) {
			return false
		}
		return r.Contains(x)
	})
}

// heightOK reports whether key's height parses and passes the plan's height filter.
func heightOK(plan *eventquery.Plan, key []byte) bool {
	h, ok := keyHeight(key)
	return ok && plan.HeightOK(h)
}

// scan collects the instances of the keys under start that accept admits. The iterator is
// closed before scan returns, and nothing else is read while it is open.
func (t *TxIndex) scan(ctx context.Context, start []byte, accept func(key []byte) bool) (instances, error) {
	it, err := dbm.IteratePrefix(t.db, start)
	if err != nil {
		return nil, err
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
		hash := append([]byte(nil), it.Value()...)
		found[string(hash)+"\x00"+keyInstance(key)] = hash
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	return found, nil
}
