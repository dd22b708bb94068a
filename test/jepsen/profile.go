package jepsen

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Profile is a kind of run: the network, the load, and the nemesis that acts on it.
type Profile struct {
	Name        string
	Description string
	Validators  int
	FullNodes   int
	Workload    Workload
	// Duration bounds the nemesis (0: it ends by itself). The load runs while it acts.
	Duration time.Duration
	// Nemesis injects the faults; it returns when done or when ctx is done, and leaves healing
	// to the harness.
	Nemesis func(ctx context.Context, e *Env)
	// RecoveryBound is how long heights may take to resume after a fault ends.
	RecoveryBound time.Duration
}

// defaultWorkload is the load of every profile: a few register and set clients.
func defaultWorkload() Workload {
	return Workload{RegisterClients: 5, SetClients: 2, Keys: 4, OpsPerKey: 60, OpTimeout: 8 * time.Second}
}

// ProfileNames lists the profiles ProfileByName knows, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ProfileByName returns a profile for validators validators and fullNodes full nodes (0, 0:
// the profile's own choice).
func ProfileByName(name string, validators, fullNodes int) (Profile, error) {
	mk, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("jepsen: no profile %q (have %v)", name, ProfileNames())
	}
	p := mk()
	if validators > 0 {
		p.Validators, p.FullNodes = validators, fullNodes
	}
	return p, nil
}

var profiles = map[string]func() Profile{
	"quick": func() Profile {
		return Profile{
			Name:          "quick",
			Description:   "one pass of every kind of fault (kill -9, partition, pause, delay, drop, restarts of f+1 and of all nodes) under load, about a minute",
			Validators:    4,
			FullNodes:     1,
			Workload:      defaultWorkload(),
			Nemesis:       quickNemesis,
			RecoveryBound: 30 * time.Second,
		}
	},
	"negative-control": func() Profile {
		w := defaultWorkload()
		w.RegisterClients, w.SetClients, w.ReadMode, w.OpTimeout = 0, 0, ReadQuery, 4*time.Second
		return Profile{
			Name: "negative-control",
			Description: "reads served by abci_query instead of through consensus, through a validator cut off from the others " +
				"while the majority commits new writes: the checker must find the history not linearizable (with -reads tx it must pass)",
			Validators:    4,
			Workload:      w,
			Nemesis:       negativeNemesis,
			RecoveryBound: 30 * time.Second,
		}
	},
	"restarts": func() Profile {
		return Profile{
			Name:        "restarts",
			Description: "the restart framework: one validator, f, f+1, 2f+1, all validators, the full node and all nodes, at once and staggered, kill -9 and SIGTERM; heights must resume within the bound",
			Validators:  4,
			FullNodes:   1,
			Workload:    defaultWorkload(),
			Nemesis: func(ctx context.Context, e *Env) {
				e.RestartAll(ctx, RestartScenarios(e.C), 3*time.Second)
			},
			RecoveryBound: 30 * time.Second,
		}
	},
	"kill9": func() Profile {
		return Profile{
			Name:          "kill9",
			Description:   "ten minutes of kill -9 every few seconds under load: mostly one node, sometimes f+1, now and then every node",
			Validators:    4,
			FullNodes:     1,
			Workload:      defaultWorkload(),
			Duration:      10 * time.Minute,
			Nemesis:       kill9Nemesis,
			RecoveryBound: 30 * time.Second,
		}
	},
	"crash-all": func() Profile {
		return Profile{
			Name:          "crash-all",
			Description:   "fifty crashes of every node at once (kill -9), each restart waiting for new heights, under load",
			Validators:    4,
			FullNodes:     1,
			Workload:      defaultWorkload(),
			Nemesis:       crashAllNemesis(50),
			RecoveryBound: 60 * time.Second,
		}
	},
	"partitions": func() Profile {
		return Profile{
			Name:          "partitions",
			Description:   "ten minutes of rolling partitions: isolated nodes, majority/minority splits, bridges, one-way drops, slow links",
			Validators:    4,
			FullNodes:     1,
			Workload:      defaultWorkload(),
			Duration:      10 * time.Minute,
			Nemesis:       partitionNemesis,
			RecoveryBound: 30 * time.Second,
		}
	},
}

// negativeNemesis is the negative control's script: node 0 writes, the last validator is cut
// off, node 0 writes again (the majority commits it) and a client reads through the cut-off
// node. Read through consensus, the read can't complete until the partition heals; read with
// abci_query, it returns the old value after the new one was acknowledged: not linearizable.
func negativeNemesis(ctx context.Context, e *Env) {
	vals := e.C.Validators()
	if len(vals) < 4 {
		e.Problem("the negative control needs 4 validators, the cluster has %d", len(vals))
		return
	}
	cut := vals[len(vals)-1]
	key := "nc"
	w := e.Do(ctx, 0, 0, OpWrite, key, "v1", "")
	if w.Status != StatusOK {
		e.Problem("negative control: the first write did not succeed: %s", w)
		return
	}
	if err := e.waitBounded(ctx, []int{cut}, w.Height); err != nil {
		e.Problem("negative control: n%d did not commit the first write: %v", cut, err)
		return
	}
	majority := Others(e.C.All(), []int{cut})
	id := e.T.Begin("partition", e.C.All(), fmt.Sprintf("partition {%s} | {n%d}", names(majority), cut))
	e.Log("partition {%s} | {n%d}; writes through n0, reads through n%d (%s)", names(majority), cut, cut, e.client.w.ReadMode)
	e.C.Faults.Partition(majority, []int{cut})
	for i := range 3 {
		e.Do(ctx, 0, 0, OpWrite, key, fmt.Sprintf("v%d", i+2), "")
		r := e.Do(ctx, 1, cut, OpRead, key, "", "")
		e.Log("read through n%d: %s", cut, r)
	}
	e.C.Faults.Heal()
	e.T.End(id)
	e.Wait(ctx, 2*time.Second)
}

// quickNemesis runs each fault once, scaled to the cluster (partitions need two nodes).
func quickNemesis(ctx context.Context, e *Env) {
	vals, all := e.C.Validators(), e.C.All()
	f := (len(vals) - 1) / 3
	last := vals[len(vals)-1]
	steps := []func(){
		func() { e.Crash(ctx, []int{last}, 2*time.Second) },
		func() {
			if len(all) > 1 {
				e.PartitionFor(ctx, [][]int{Others(all, []int{last}), {last}}, 4*time.Second)
			}
		},
		func() { e.PauseNodes(ctx, []int{last}, 3*time.Second) },
		func() {
			if len(all) > 1 {
				e.LinkFaultFor(ctx, "delay", all, all, Fault{Delay: 80 * time.Millisecond}, 3*time.Second)
			}
		},
		func() {
			if len(all) > 1 {
				e.LinkFaultFor(ctx, "drop", []int{last}, Others(all, []int{last}), Fault{Drop: true}, 3*time.Second)
			}
		},
		func() {
			if full := e.C.FullNodes(); len(full) > 0 {
				e.Crash(ctx, full, 2*time.Second)
			}
		},
		func() {
			sc := RestartScenario{Name: fmt.Sprintf("f+1 validators (%d) staggered", f+1), Nodes: vals[len(vals)-f-1:], Staggered: true}
			if _, err := e.Restart(ctx, sc); err != nil && ctx.Err() == nil {
				e.Problem("%v", err)
			}
		},
		func() {
			sc := RestartScenario{Name: fmt.Sprintf("all nodes (%d) at once", len(all)), Nodes: all}
			if _, err := e.Restart(ctx, sc); err != nil && ctx.Err() == nil {
				e.Problem("%v", err)
			}
		},
	}
	for _, step := range steps {
		if !e.Wait(ctx, 2*time.Second) {
			return
		}
		step()
	}
	e.Wait(ctx, 2*time.Second)
}

// kill9Nemesis kills random nodes with SIGKILL every few seconds until ctx is done.
func kill9Nemesis(ctx context.Context, e *Env) {
	all, vals := e.C.All(), e.C.Validators()
	f := (len(vals) - 1) / 3
	for e.Wait(ctx, e.Between(time.Second, 4*time.Second)) {
		var nodes []int
		switch p := e.Rng.IntN(100); {
		case p < 70:
			nodes = e.Pick(all, 1)
		case p < 90:
			nodes = e.Pick(vals, f+1)
		default:
			nodes = all
		}
		e.Crash(ctx, nodes, e.Between(500*time.Millisecond, 3*time.Second))
	}
}

// crashAllNemesis kills every node at once n times; after each restart it waits for heights to
// resume (a problem if they don't within the bound) and lets the load run a little.
func crashAllNemesis(n int) func(ctx context.Context, e *Env) {
	return func(ctx context.Context, e *Env) {
		all := e.C.All()
		for i := range n {
			if !e.Wait(ctx, e.Between(time.Second, 3*time.Second)) {
				return
			}
			sc := RestartScenario{Name: fmt.Sprintf("crash %d of %d: all nodes (%d)", i+1, n, len(all)), Nodes: all}
			if _, err := e.Restart(ctx, sc); err != nil && ctx.Err() == nil {
				e.Problem("%v", err)
			}
		}
	}
}

// partitionNemesis rolls through random network faults until ctx is done, healing between.
func partitionNemesis(ctx context.Context, e *Env) {
	all := e.C.All()
	if len(all) < 2 {
		return
	}
	for e.Wait(ctx, e.Between(time.Second, 3*time.Second)) {
		d := e.Between(2*time.Second, 6*time.Second)
		shuffled := e.Pick(all, len(all))
		e.Rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		switch e.Rng.IntN(5) {
		case 0: // isolate one node
			one := shuffled[:1]
			e.PartitionFor(ctx, [][]int{Others(all, one), one}, d)
		case 1: // split in two halves: no side may have a quorum
			half := len(shuffled) / 2
			a, b := slices.Sorted(slices.Values(shuffled[:half])), slices.Sorted(slices.Values(shuffled[half:]))
			e.PartitionFor(ctx, [][]int{a, b}, d)
		case 2: // a bridge: two sides that both still reach one node
			if len(all) < 3 {
				continue
			}
			bridge, rest := shuffled[0], shuffled[1:]
			half := len(rest) / 2
			a, b := rest[:half], rest[half:]
			id := e.T.Begin("partition", all, fmt.Sprintf("bridge n%d between {%s} and {%s}", bridge, names(a), names(b)))
			e.Log("bridge n%d between {%s} and {%s} for %s", bridge, names(a), names(b), d.Round(time.Millisecond))
			e.C.Faults.Partition(a, b)
			e.Wait(ctx, d)
			e.C.Faults.Heal()
			e.T.End(id)
		case 3: // one node's messages vanish; it still hears the others
			one := shuffled[:1]
			e.LinkFaultFor(ctx, "drop", one, Others(all, one), Fault{Drop: true}, d)
		default: // slow links everywhere
			e.LinkFaultFor(ctx, "delay", all, all, Fault{Delay: e.Between(50*time.Millisecond, 400*time.Millisecond)}, d)
		}
	}
}
