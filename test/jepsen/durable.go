package jepsen

import (
	"context"
	"fmt"
	"slices"

	"github.com/ballot-bft/ballot/test/crash"
)

// DurableResult is what reading the stopped nodes' homes found (test/crash's Inspect and
// CheckSnapshot on every home, then a comparison across them).
type DurableResult struct {
	Heights   []int64  // each node's block store height
	Problems  []string // broken invariants of one node's stores (crash.CheckSnapshot)
	Forks     []string // heights at which two nodes' stores hold different blocks or results
	AckedLost []string // acknowledged transactions missing from a node's store at their height
	Acked     int      // acknowledged transactions looked up, per node
}

// OK reports whether every store is sound, they agree and they kept every acknowledged
// transaction.
func (r DurableResult) OK() bool {
	return len(r.Problems) == 0 && len(r.Forks) == 0 && len(r.AckedLost) == 0
}

// CheckDurable inspects the home of every node of c, which must all be stopped, and checks
// the stores against each other and against the acknowledged operations of ops. execs (the
// executions read from the chain, nil if unknown) explains a transaction stored at another
// height than acknowledged: one executed twice is indexed at its last height.
func CheckDurable(ctx context.Context, c *Cluster, ops []Op, execs map[string][]Execution) (DurableResult, error) {
	var r DurableResult
	var acked []Op
	for _, o := range ops {
		if o.Status == StatusOK && o.Tx != "" {
			acked = append(acked, o)
		}
	}
	r.Acked = len(acked)
	snaps := make([]*crash.Snapshot, len(c.Nodes))
	for i, n := range c.Nodes {
		if n.State() != Stopped {
			return r, fmt.Errorf("inspecting %s: %w (%s)", n.Name, ErrNodeState, n.State())
		}
		s, err := crash.Inspect(ctx, &crash.Home{Dir: n.Home}, nil)
		if err != nil {
			return r, fmt.Errorf("inspecting %s: %w", n.Name, err)
		}
		snaps[i] = s
		r.Heights = append(r.Heights, s.Height)
		for _, p := range crash.CheckSnapshot(s) {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %v", n.Name, p))
		}
		for _, o := range acked {
			if h, ok := s.Txs[o.Tx]; !ok || h != o.Height && !executedAt(execs[o.Tx], o.Height, h) {
				if o.Height >= s.Base && o.Height <= s.Height {
					r.AckedLost = append(r.AckedLost, fmt.Sprintf("%s: op #%d %q acknowledged at height %d, store has it at %d (0: nowhere)", n.Name, o.Index, o.Tx, o.Height, h))
				} else {
					r.AckedLost = append(r.AckedLost, fmt.Sprintf("%s: op #%d %q acknowledged at height %d, beyond the store (%d..%d)", n.Name, o.Index, o.Tx, o.Height, s.Base, s.Height))
				}
			}
		}
	}
	top := slices.Max(r.Heights)
	for h := int64(1); h <= top; h++ {
		first := -1
		for i, s := range snaps {
			b, ok := s.Blocks[h]
			if !ok {
				continue
			}
			if first < 0 {
				first = i
				continue
			}
			ref := snaps[first]
			if b.Hash != ref.Blocks[h].Hash {
				r.Forks = append(r.Forks, fmt.Sprintf("height %d: %s stores block %s, %s stores %s", h, c.Nodes[first].Name, ref.Blocks[h].Hash, c.Nodes[i].Name, b.Hash))
			}
			ra, oka := ref.Results[h]
			rb, okb := s.Results[h]
			if oka && okb && ra != rb {
				r.Forks = append(r.Forks, fmt.Sprintf("height %d: %s executed it to app hash %s, %s to %s", h, c.Nodes[first].Name, ra, c.Nodes[i].Name, rb))
			}
		}
	}
	return r, nil
}

// executedAt reports whether es holds executions at both heights.
func executedAt(es []Execution, a, b int64) bool {
	has := func(h int64) bool { return slices.ContainsFunc(es, func(e Execution) bool { return e.Height == h }) }
	return has(a) && has(b)
}
