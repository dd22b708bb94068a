package jepsen

import (
	"context"
	"fmt"
	"time"
)

// RestartScenario is one case of the restart framework: which nodes go down, whether all at
// once or one after another, and how.
type RestartScenario struct {
	Name      string
	Nodes     []int
	Staggered bool // one node after the other, each back and committing before the next goes
	Graceful  bool // SIGTERM instead of SIGKILL
}

// RestartScenarios returns the restart framework's cases for c: one validator, f, f+1, 2f+1
// and all validators (f = (validators-1)/3), at once and staggered; the full nodes alone; all
// nodes at once, staggered, and with SIGTERM. Sizes that coincide are listed once.
func RestartScenarios(c *Cluster) []RestartScenario {
	vals := c.Validators()
	f := (len(vals) - 1) / 3
	var out []RestartScenario
	seen := map[int]bool{}
	for _, s := range []struct {
		name string
		size int
	}{{"one validator", 1}, {"f validators", f}, {"f+1 validators", f + 1}, {"2f+1 validators", 2*f + 1}, {"all validators", len(vals)}} {
		if s.size < 1 || s.size > len(vals) || seen[s.size] {
			continue
		}
		seen[s.size] = true
		name := fmt.Sprintf("%s (%d)", s.name, s.size)
		// The last validators go down: node 0 keeps serving clients when it can.
		nodes := vals[len(vals)-s.size:]
		out = append(out, RestartScenario{Name: name + " at once", Nodes: nodes})
		if s.size > 1 {
			out = append(out, RestartScenario{Name: name + " staggered", Nodes: nodes, Staggered: true})
		}
	}
	if full := c.FullNodes(); len(full) > 0 {
		out = append(out, RestartScenario{Name: fmt.Sprintf("full nodes (%d)", len(full)), Nodes: full})
		all := c.All()
		out = append(out,
			RestartScenario{Name: fmt.Sprintf("all nodes (%d) at once", len(all)), Nodes: all},
			RestartScenario{Name: fmt.Sprintf("all nodes (%d) staggered", len(all)), Nodes: all, Staggered: true})
	}
	out = append(out, RestartScenario{Name: fmt.Sprintf("all nodes (%d), SIGTERM", len(c.Nodes)), Nodes: c.All(), Graceful: true})
	return out
}

// Restart runs one scenario and checks that heights resume: every node commits a height above
// the highest committed before the restart within e.RecoveryBound of the last node's start
// (and, staggered, each restarted node does before the next goes down). It returns the time
// from the last start until every node committed such a height.
func (e *Env) Restart(ctx context.Context, sc RestartScenario) (time.Duration, error) {
	id := e.T.Begin("restart", sc.Nodes, "restart "+sc.Name)
	e.Log("restart %s: %s", sc.Name, names(sc.Nodes))
	before := e.C.MaxHeight()
	down := func(nodes []int) {
		for _, i := range nodes {
			if sc.Graceful {
				if !e.C.Nodes[i].Stop(10 * time.Second) {
					e.Problem("%s did not stop within 10s of SIGTERM (restart %s)", e.C.Nodes[i].Name, sc.Name)
				}
			} else {
				e.C.Nodes[i].Kill()
			}
		}
	}
	if sc.Staggered {
		for _, i := range sc.Nodes {
			down([]int{i})
			e.StartNodes([]int{i})
			target := e.C.MaxHeight() + 1
			if err := e.waitBounded(ctx, []int{i}, target); err != nil {
				e.T.End(id)
				return 0, fmt.Errorf("restart %s: %s did not commit height %d within %s of its start: %w", sc.Name, e.C.Nodes[i].Name, target, e.RecoveryBound, err)
			}
		}
	} else {
		down(sc.Nodes)
		e.StartNodes(sc.Nodes)
	}
	e.T.End(id)
	start := e.C.Clock.Now()
	if err := e.waitBounded(ctx, e.C.All(), before+1); err != nil {
		return 0, fmt.Errorf("restart %s: heights did not resume above %d within %s: %w", sc.Name, before, e.RecoveryBound, err)
	}
	took := e.C.Clock.Now() - start
	e.Log("restart %s: every node above height %d after %s", sc.Name, before, took.Round(time.Millisecond))
	return took, nil
}

// waitBounded waits until every node of nodes committed height, at most e.RecoveryBound.
func (e *Env) waitBounded(ctx context.Context, nodes []int, height int64) error {
	wctx, cancel := context.WithTimeout(ctx, e.RecoveryBound)
	defer cancel()
	return e.C.WaitHeight(wctx, nodes, height)
}

// RestartAll runs every scenario once, with a pause of gap between them, recording a problem
// for every scenario whose heights did not resume in time. It returns early when ctx is done.
func (e *Env) RestartAll(ctx context.Context, scenarios []RestartScenario, gap time.Duration) {
	for _, sc := range scenarios {
		if ctx.Err() != nil {
			return
		}
		if _, err := e.Restart(ctx, sc); err != nil && ctx.Err() == nil {
			e.Problem("%v", err)
		}
		e.Wait(ctx, gap)
	}
}
