package jepsen

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// SetResult is the verdict on the set workload: every acknowledged add must be in the final
// read of every node; an add that certainly failed must not be.
type SetResult struct {
	Attempted     int
	Acked         int
	Indeterminate int
	Failed        int
	Present       int      // elements the final read found
	Recovered     int      // indeterminate adds the final read found
	Lost          []string // acknowledged adds the final read did not find
	Unexpected    []string // adds that failed for certain, found anyway
	Disagreements []string // elements some nodes have and others don't
	ReadHeight    int64    // the height every node was read at
	Nodes         int      // nodes read
}

// OK reports whether the set kept every acknowledged add and nothing impossible appeared.
func (r SetResult) OK() bool {
	return len(r.Lost) == 0 && len(r.Unexpected) == 0 && len(r.Disagreements) == 0
}

// CheckSet checks the add operations of ops against present, the final read (element key →
// found).
func CheckSet(ops []Op, present map[string]bool) SetResult {
	var r SetResult
	for _, o := range ops {
		if o.Kind != OpAdd {
			continue
		}
		r.Attempted++
		found := present[o.Key]
		if found {
			r.Present++
		}
		switch o.Status {
		case StatusOK:
			r.Acked++
			if !found {
				r.Lost = append(r.Lost, o.Key)
			}
		case StatusFail:
			r.Failed++
			if found {
				r.Unexpected = append(r.Unexpected, o.Key)
			}
		default:
			r.Indeterminate++
			if found {
				r.Recovered++
			}
		}
	}
	return r
}

// ReadSet reads every key of keys at height from every node in nodes (abci_query, a few at a
// time) and returns the first node's presence map; keys on which nodes disagree are listed.
func ReadSet(ctx context.Context, nodes []*Node, keys []string, height int64) (map[string]bool, []string, error) {
	var first map[string]bool
	var disagree []string
	for i, n := range nodes {
		present, err := readKeys(ctx, n, keys, height)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			first = present
			continue
		}
		for _, k := range keys {
			if present[k] != first[k] {
				disagree = append(disagree, fmt.Sprintf("%s: %s has %v, %s has %v", k, nodes[0].Name, first[k], n.Name, present[k]))
			}
		}
	}
	slices.Sort(disagree)
	return first, disagree, nil
}

func readKeys(ctx context.Context, n *Node, keys []string, height int64) (map[string]bool, error) {
	present := make(map[string]bool, len(keys))
	var mu sync.Mutex
	var firstErr error
	work := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for k := range work {
				q, err := n.RPC.ABCIQuery(ctx, k, height)
				mu.Lock()
				switch {
				case err != nil:
					if firstErr == nil {
						firstErr = fmt.Errorf("final read of %s on %s: %w", k, n.Name, err)
					}
				case q.Code != 0:
					if firstErr == nil {
						firstErr = fmt.Errorf("final read of %s on %s at height %d: code %d", k, n.Name, height, q.Code)
					}
				default:
					present[k] = q.Exists
				}
				mu.Unlock()
			}
		})
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	return present, firstErr
}
