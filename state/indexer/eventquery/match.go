package eventquery

import (
	"context"
	"fmt"
	"strings"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
)

// Layout is how one kv indexer lays out its keys, as Match reads them. Implementations are
// pure functions of their arguments.
type Layout interface {
	// TagPrefix returns the prefix shared by every key of tag (a composite "type.key", or the
	// indexer's height key).
	TagPrefix(tag string) []byte
	// ValuePrefix returns the prefix shared by the keys of tag holding value. height is the
	// plan's kept height equality (0 if none); a layout may narrow the prefix to it.
	ValuePrefix(tag, value string, height int64) []byte
	// Attribute reads a key found under a tag's prefix.
	Attribute(key []byte) Entry
	// HeightKeyValue reads a key found under the prefix of the indexer's own height key, for a
	// range over that key: its value as the range compares it, and whether it has one.
	HeightKeyValue(key []byte) (value string, ok bool)
	// Instance returns the identity of the event instance the key belongs to; stored is the
	// value stored under the key. Keys of attributes carried by the same event of the same
	// indexed item share it, and no others do.
	Instance(key, stored []byte) string
}

// Entry is a key as a Layout reads it.
type Entry struct {
	Value     string // the attribute value, as CONTAINS and ranges compare it
	HasValue  bool   // the key is laid out as an attribute key, so Value means something
	Height    int64  // the height the attribute was indexed at
	HasHeight bool   // Height could be read
}

// Matches maps each event instance (Layout.Instance) that satisfies every condition of a plan
// to the value stored under its key.
type Matches map[string][]byte

// Match evaluates plan over db, whose keys are laid out as layout: each merged range and each
// condition is a scan of its tag's keys, and the scans are intersected by event instance, so
// that attribute conditions hold together only within one event. Every match passes the plan's
// height filter except the keys of a range over the indexer's own height key. The rules, kept
// from CometBFT v0.38.26's kv indexers:
//
//   - a range over the height key is scanned only when the plan has no other kind of condition
//     (Plan.OnlyHeightRange); otherwise it only filters heights;
//   - the kept height equality is scanned only when it is the whole query (Plan.OnlyHeightEq);
//   - =: the keys under ValuePrefix(tag, operand, Plan.Height) whose height can be read;
//   - EXISTS: every key of the tag whose height can be read;
//   - CONTAINS: the attribute keys whose value contains the operand;
//   - ranges: the attribute keys whose value, read as a number, lies in the range;
//   - once an intersection is empty the remaining scans are skipped.
//
// Match returns ctx's error if ctx ends during a scan, and a wrapped database error if a scan
// fails. It never holds an iterator while another is open or a key is read.
func Match(ctx context.Context, db dbm.DB, layout Layout, plan *Plan) (Matches, error) {
	var acc Matches
	started := false
	intersect := func(m Matches) {
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
		if r.Tag == plan.HeightKey && !plan.OnlyHeightRange {
			continue // filters the other conditions' heights instead
		}
		if started && len(acc) == 0 {
			return acc, nil
		}
		m, err := scan(ctx, db, layout, layout.TagPrefix(r.Tag), rangeFilter(plan, layout, r))
		if err != nil {
			return nil, err
		}
		intersect(m)
	}
	for i, c := range plan.Conditions {
		if plan.InRange(i) || (i == plan.HeightEq && !plan.OnlyHeightEq) {
			continue
		}
		if started && len(acc) == 0 {
			return acc, nil
		}
		start, accept, err := conditionScan(plan, layout, c)
		if err != nil {
			return nil, err
		}
		m, err := scan(ctx, db, layout, start, accept)
		if err != nil {
			return nil, err
		}
		intersect(m)
	}
	if acc == nil {
		acc = Matches{}
	}
	return acc, nil
}

// conditionScan returns where an =, EXISTS or CONTAINS condition scans and which keys it keeps.
func conditionScan(plan *Plan, layout Layout, c query.Condition) ([]byte, func([]byte) bool, error) {
	heightOK := func(e Entry) bool { return e.HasHeight && plan.HeightOK(e.Height) }
	switch c.Op {
	case query.OpEqual:
		return layout.ValuePrefix(c.Tag, c.Operand.Text, plan.Height),
			func(key []byte) bool { return heightOK(layout.Attribute(key)) }, nil
	case query.OpExists:
		return layout.TagPrefix(c.Tag), func(key []byte) bool { return heightOK(layout.Attribute(key)) }, nil
	case query.OpContains:
		return layout.TagPrefix(c.Tag), func(key []byte) bool {
			e := layout.Attribute(key)
			return e.HasValue && strings.Contains(e.Value, c.Operand.Text) && heightOK(e)
		}, nil
	}
	return nil, nil, fmt.Errorf("unsupported operator %v in %s", c.Op, c)
}

// rangeFilter returns which keys of r's tag a merged range keeps.
func rangeFilter(plan *Plan, layout Layout, r *Range) func([]byte) bool {
	if r.Tag == plan.HeightKey {
		return func(key []byte) bool {
			v, ok := layout.HeightKeyValue(key)
			return ok && r.ContainsValue(v)
		}
	}
	return func(key []byte) bool {
		e := layout.Attribute(key)
		return e.HasValue && e.HasHeight && plan.HeightOK(e.Height) && r.ContainsValue(e.Value)
	}
}

// scan collects the instances of the keys under start that accept keeps. The iterator is closed
// before scan returns.
func scan(ctx context.Context, db dbm.DB, layout Layout, start []byte, accept func([]byte) bool) (Matches, error) {
	it, err := dbm.IteratePrefix(db, start)
	if err != nil {
		return nil, fmt.Errorf("scanning index: %w", err)
	}
	defer it.Close()
	found := make(Matches)
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
		stored := append([]byte(nil), it.Value()...)
		found[layout.Instance(key, stored)] = stored
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("scanning index: %w", err)
	}
	return found, nil
}
