package jepsen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// Event is one fault on the nemesis timeline, from Start to End (run times). An instant
// action has End == Start.
type Event struct {
	ID    int           `json:"id"`
	Kind  string        `json:"kind"` // kill, pause, partition, delay, drop, restart, stop, heal
	Nodes []int         `json:"nodes,omitempty"`
	Note  string        `json:"note,omitempty"`
	Start time.Duration `json:"start"`
	End   time.Duration `json:"end"`
	Open  bool          `json:"open,omitempty"` // still going on when the timeline was read
	// Recovery is the time from End until every node of Nodes (every node when empty) and the
	// network committed a height above the highest one committed at End; -1 when another
	// fault touched those nodes first, 0 until computed.
	Recovery time.Duration `json:"recovery,omitempty"`
}

// Timeline records the nemesis's faults. Safe for concurrent use.
type Timeline struct {
	mu     sync.Mutex
	clock  *Clock
	events []Event
}

// NewTimeline returns an empty timeline on clock.
func NewTimeline(clock *Clock) *Timeline { return &Timeline{clock: clock} }

// Begin records the start of a fault and returns its ID for End.
func (t *Timeline) Begin(kind string, nodes []int, note string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := len(t.events)
	t.events = append(t.events, Event{ID: id, Kind: kind, Nodes: slices.Clone(nodes), Note: note, Start: t.clock.Now(), Open: true})
	return id
}

// End records the end of fault id.
func (t *Timeline) End(id int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events[id].End, t.events[id].Open = t.clock.Now(), false
}

// Events returns a copy of the timeline; open faults end now.
func (t *Timeline) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := slices.Clone(t.events)
	now := t.clock.Now()
	for i := range out {
		if out[i].Open {
			out[i].End = now
		}
	}
	return out
}

// Env is what a nemesis acts on: the cluster, the timeline, a seeded random source, a log and
// the problems found while it acts. A nemesis runs on one goroutine.
type Env struct {
	C             *Cluster
	T             *Timeline
	Rng           *rand.Rand
	Log           func(format string, args ...any)
	RecoveryBound time.Duration // how long heights may take to resume after a fault ends

	client   *runner // for scripted operations (Do)
	mu       sync.Mutex
	problems []string
}

// Problem records something wrong found while the nemesis acted.
func (e *Env) Problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	e.Log("PROBLEM: %s", msg)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.problems = append(e.problems, msg)
}

// Problems returns the problems recorded so far.
func (e *Env) Problems() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.problems)
}

// Do runs one scripted register operation (read, write or cas) as client on node, the way the
// profile's workload would (reads per its ReadMode), records it in the history and returns it.
func (e *Env) Do(ctx context.Context, client, node int, kind OpKind, key, value, expected string) Op {
	return e.client.do(ctx, client, e.C.Nodes[node], kind, key, value, expected, fmt.Sprintf("s%dn%d", client, e.client.h.Len()))
}

// Wait waits d or until ctx is done, and reports whether ctx is still live.
func (e *Env) Wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Between returns a random duration in [lo, hi].
func (e *Env) Between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(e.Rng.Int64N(int64(hi-lo)+1))
}

// Pick returns k distinct random elements of from (all of them if k >= len(from)), sorted.
func (e *Env) Pick(from []int, k int) []int {
	p := slices.Clone(from)
	e.Rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
	p = p[:min(k, len(p))]
	slices.Sort(p)
	return p
}

// names renders node indexes as "n0,n2".
func names(nodes []int) string {
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = fmt.Sprintf("n%d", n)
	}
	return strings.Join(parts, ",")
}

// KillNodes kills the nodes with SIGKILL, one after the other.
func (e *Env) KillNodes(nodes []int) {
	for _, i := range nodes {
		e.C.Nodes[i].Kill()
	}
}

// StartNodes starts the stopped nodes among nodes; a failed start is a problem.
func (e *Env) StartNodes(nodes []int) {
	for _, i := range nodes {
		n := e.C.Nodes[i]
		if n.State() != Stopped {
			continue
		}
		if err := n.Start(); err != nil {
			e.Problem("%v", err)
		}
	}
}

// Crash kills the nodes with SIGKILL, keeps them down for down and starts them again.
func (e *Env) Crash(ctx context.Context, nodes []int, down time.Duration) {
	id := e.T.Begin("kill", nodes, "kill -9 "+names(nodes))
	e.Log("kill -9 %s for %s", names(nodes), down.Round(time.Millisecond))
	e.KillNodes(nodes)
	e.Wait(ctx, down)
	e.StartNodes(nodes)
	e.T.End(id)
}

// PauseNodes stops the nodes with SIGSTOP for d, then continues them.
func (e *Env) PauseNodes(ctx context.Context, nodes []int, d time.Duration) {
	id := e.T.Begin("pause", nodes, "SIGSTOP "+names(nodes))
	e.Log("pause %s for %s", names(nodes), d.Round(time.Millisecond))
	var paused []int
	for _, i := range nodes {
		if err := e.C.Nodes[i].Pause(); err == nil {
			paused = append(paused, i)
		}
	}
	e.Wait(ctx, d)
	for _, i := range paused {
		if err := e.C.Nodes[i].Resume(); err != nil {
			e.Problem("%v", err)
		}
	}
	e.T.End(id)
}

// PartitionFor cuts every link between the groups for d, then heals every link.
func (e *Env) PartitionFor(ctx context.Context, groups [][]int, d time.Duration) {
	parts := make([]string, len(groups))
	var nodes []int
	for i, g := range groups {
		parts[i] = "{" + names(g) + "}"
		nodes = append(nodes, g...)
	}
	note := "partition " + strings.Join(parts, " | ")
	id := e.T.Begin("partition", nodes, note)
	e.Log("%s for %s", note, d.Round(time.Millisecond))
	e.C.Faults.Partition(groups...)
	e.Wait(ctx, d)
	e.C.Faults.Heal()
	e.T.End(id)
}

// LinkFaultFor gives every link from the nodes of from to the nodes of to the fault for d,
// then heals every link. kind names the fault on the timeline.
func (e *Env) LinkFaultFor(ctx context.Context, kind string, from, to []int, fault Fault, d time.Duration) {
	note := fmt.Sprintf("%s {%s} -> {%s}", fault, names(from), names(to))
	nodes := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(from), to...))))
	id := e.T.Begin(kind, nodes, note)
	e.Log("%s for %s", note, d.Round(time.Millisecond))
	e.C.Faults.SetLinks(from, to, fault)
	e.Wait(ctx, d)
	e.C.Faults.Heal()
	e.T.End(id)
}

// HealAll ends every fault: links pass everything, paused nodes continue, stopped nodes start.
func (e *Env) HealAll() {
	id := e.T.Begin("heal", nil, "heal everything")
	e.C.Faults.Heal()
	for _, n := range e.C.Nodes {
		if n.State() == Paused {
			if err := n.Resume(); err != nil {
				e.Problem("%v", err)
			}
		}
	}
	e.StartNodes(e.C.All())
	e.T.End(id)
}

// Others returns the nodes of all that are not in nodes.
func Others(all, nodes []int) []int {
	return slices.DeleteFunc(slices.Clone(all), func(i int) bool { return slices.Contains(nodes, i) })
}
