package jepsen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ballot-bft/ballot/test/crash"
)

// Options configure one run.
type Options struct {
	Bin     string  // the ballot binary (see crash.Build)
	Dir     string  // the run's folder is created inside
	Seed    uint64  // every random choice of the run derives from it
	Profile Profile // what to run
	Ports   *Ports  // nil: the default range, at an offset from the seed
	// Keep keeps the homes and node logs of a passing run (a failing run keeps everything).
	Keep bool
	// CheckTimeout bounds the linearizability check (0: 2 minutes); past it the verdict is
	// Unknown, which fails the run.
	CheckTimeout time.Duration
	Log          func(format string, args ...any) // progress; nil: quiet
	// Settings are config keys and values set on every node after the harness's own settings.
	Settings crash.Settings
}

// Result is everything a run found. Problems lists every failed check; a run passes when it
// is empty.
type Result struct {
	Dir      string
	Profile  string
	Seed     uint64
	Started  time.Time
	Duration time.Duration

	Ops             []Op
	Timeline        []Event
	Linearizability LinearizabilityResult // of Checked
	BlackBox        porcupine.CheckResult // of Ops alone, indeterminate operations left open
	Checked         []Op                  // Ops as the chain resolved them (see Resolve)
	Resolution      Resolution
	Set             SetResult
	Chain           ChainResult
	Durable         DurableResult
	Exits           []string // unexpected exits of a node process
	Restarts        int      // process starts after the first
	FinalRecovery   time.Duration
	Proxies         map[Link]ProxyStats
	Problems        []string
}

// Passed reports whether every check passed.
func (r *Result) Passed() bool { return len(r.Problems) == 0 }

// Run builds a cluster for opts.Profile, starts it, runs the workload while the nemesis acts,
// heals everything, checks everything and writes the report into a new folder of opts.Dir. A
// non-nil error means the run could not be carried out (the result, if any, says how far it
// got); failed checks are in Result.Problems. Passing runs drop their homes and node logs
// unless opts.Keep.
func Run(ctx context.Context, opts Options) (*Result, error) {
	p := opts.Profile
	logf := opts.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	res := &Result{Profile: p.Name, Seed: opts.Seed, Started: time.Now()}
	res.Dir = filepath.Join(opts.Dir, fmt.Sprintf("%s-%s-seed%d", p.Name, res.Started.Format("20060102-150405"), opts.Seed))
	if err := os.MkdirAll(res.Dir, 0o755); err != nil {
		return nil, err
	}
	ports := opts.Ports
	if ports == nil {
		var err error
		if ports, err = NewPorts(DefaultPortLow, DefaultPortHigh, opts.Seed*7919+uint64(os.Getpid())); err != nil {
			return nil, err
		}
	}
	c, err := NewCluster(ctx, Spec{Bin: opts.Bin, Dir: res.Dir, Validators: p.Validators, FullNodes: p.FullNodes, Ports: ports,
		Configure: opts.Settings.Apply})
	if err != nil {
		return res, err
	}
	defer c.Close()
	logf("run %s: %d validators, %d full nodes, seed %d, in %s", p.Name, p.Validators, p.FullNodes, opts.Seed, res.Dir)

	hist := &History{}
	env := &Env{C: c, T: NewTimeline(c.Clock), Rng: rand.New(rand.NewPCG(opts.Seed, 0)), Log: logf, RecoveryBound: p.RecoveryBound,
		client: &runner{w: p.Workload, c: c, h: hist}}
	err = execute(ctx, env, p, hist, opts.Seed)
	res.Duration = time.Since(res.Started)
	if err != nil {
		env.Problem("%v", err)
	}
	check(ctx, env, res, hist, opts)
	if werr := WriteReport(res); werr != nil {
		return res, fmt.Errorf("writing the report: %w", werr)
	}
	logf("%s", res.Summary())
	if res.Passed() && !opts.Keep {
		os.RemoveAll(filepath.Join(res.Dir, "nodes"))
		os.RemoveAll(filepath.Join(res.Dir, "logs"))
	}
	return res, nil
}

// execute starts the cluster, runs the load and the nemesis, heals and waits for the nodes to
// converge, then stops the load and the nodes.
func execute(ctx context.Context, env *Env, p Profile, hist *History, seed uint64) error {
	c := env.C
	env.StartNodes(c.All())
	startCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	err := c.WaitHeight(startCtx, c.All(), 2)
	cancel()
	if err != nil {
		return fmt.Errorf("the cluster did not start: %w", err)
	}
	env.Log("every node committed height 2; load and nemesis start")

	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { p.Workload.Run(loadCtx, c, hist, seed) })
	defer func() {
		stopLoad()
		wg.Wait()
	}()

	nctx := ctx
	if p.Duration > 0 {
		var cancel context.CancelFunc
		nctx, cancel = context.WithTimeout(ctx, p.Duration)
		defer cancel()
	}
	p.Nemesis(nctx, env)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	env.HealAll()
	target := c.MaxHeight() + 2
	healed := c.Clock.Now()
	wctx, cancel := context.WithTimeout(ctx, max(p.RecoveryBound, 10*time.Second)*2)
	err = c.WaitHeight(wctx, c.All(), target)
	cancel()
	if err != nil {
		return fmt.Errorf("after healing everything the nodes did not converge: %w", err)
	}
	env.Log("healed; every node at height %d or above after %s", target, (c.Clock.Now() - healed).Round(time.Millisecond))
	stopLoad()
	wg.Wait()
	return nil
}

// check runs every check on the finished run and fills res.
func check(ctx context.Context, env *Env, res *Result, hist *History, opts Options) {
	c := env.C
	res.Ops = hist.Ops()
	problem := func(format string, args ...any) { res.Problems = append(res.Problems, fmt.Sprintf(format, args...)) }

	running := true
	for _, n := range c.Nodes {
		running = running && n.State() == Running
	}
	final := running && drainMempools(ctx, c, 30*time.Second)
	var execs map[string][]Execution
	if running {
		// The final read of the set, at a height every node holds, while the nodes still run.
		readAt := c.Nodes[0].Height()
		for _, n := range c.Nodes {
			readAt = min(readAt, n.Height())
		}
		var elements []string
		for _, o := range res.Ops {
			if o.Kind == OpAdd {
				elements = append(elements, o.Key)
			}
		}
		present, disagree, err := ReadSet(ctx, c.Nodes, elements, readAt)
		if err != nil {
			problem("set: final read: %v", err)
		} else {
			res.Set = CheckSet(res.Ops, present)
			res.Set.Disagreements, res.Set.ReadHeight, res.Set.Nodes = disagree, readAt, len(c.Nodes)
		}
		if res.Chain, err = CheckChains(ctx, c, res.Ops); err != nil {
			problem("chain check: %v", err)
		} else if execs, err = ReadExecutions(ctx, c.Nodes[res.Chain.longest], res.Chain.metas, res.Chain.Heights[res.Chain.longest]); err != nil {
			problem("reading the transactions' executions: %v", err)
		}
	} else {
		problem("set and chain checks skipped: not every node was running at the end")
	}

	for _, n := range c.Nodes {
		if !n.Stop(15 * time.Second) {
			problem("%s did not stop within 15s of SIGTERM", n.Name)
		}
	}
	var err error
	if res.Durable, err = CheckDurable(ctx, c, res.Ops, execs); err != nil {
		problem("durable check: %v", err)
	}

	res.Checked = res.Ops
	if execs != nil {
		seen := firstSeen(c)
		clients := 0 // the extra executions get a client of their own
		for _, o := range res.Ops {
			clients = max(clients, o.Client+1)
		}
		res.Resolution, res.Checked = Resolve(res.Ops, execs, final, clients, func(h int64) (time.Duration, bool) {
			t, ok := seen[h]
			return t, ok
		})
	}
	timeout := opts.CheckTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	res.Linearizability = CheckRegister(res.Checked, timeout)
	res.BlackBox = CheckRegister(res.Ops, timeout).Result

	commits := make([][]Commit, len(c.Nodes))
	for i, n := range c.Nodes {
		commits[i] = n.Commits()
		for _, e := range n.Exits() {
			if !e.Expected {
				res.Exits = append(res.Exits, fmt.Sprintf("%s run %d exited by itself at %s with code %d; log tail:\n%s", n.Name, e.Run, e.At.Round(time.Millisecond), e.Code, e.Tail))
			}
		}
		for _, r := range n.Resumes() {
			if r.Run > 1 {
				res.Restarts++
			}
			if r.Lost {
				problem("%s run %d started consensus at height %d but had acknowledged height %d before: acknowledged blocks lost", n.Name, r.Run, r.StartHeight, r.AckedBefore)
			}
		}
		for _, cf := range n.Conflicts() {
			problem("changed block: %s", cf)
		}
	}
	res.Timeline = env.T.Events()
	recovery := ComputeRecovery(res.Timeline, commits, opts.Profile.RecoveryBound)
	if k := slices.IndexFunc(res.Timeline, func(e Event) bool { return e.Kind == "heal" }); k >= 0 {
		res.FinalRecovery = res.Timeline[k].Recovery
	}
	res.Proxies = c.ProxyStats()

	res.Problems = append(env.Problems(), res.Problems...)
	res.Problems = append(res.Problems, recovery...)
	for _, e := range res.Exits {
		problem("unexpected exit: %s", e)
	}
	switch res.Linearizability.Result {
	case porcupine.Illegal:
		problem("register history is not linearizable (keys %v)", res.Linearizability.IllegalKeys)
	case porcupine.Unknown:
		problem("linearizability check gave up after %s", timeout)
	}
	for _, l := range res.Set.Lost {
		problem("set: acknowledged add of %s lost", l)
	}
	for _, u := range res.Set.Unexpected {
		problem("set: failed add of %s present", u)
	}
	for _, d := range res.Set.Disagreements {
		problem("set: nodes disagree: %s", d)
	}
	for _, list := range [][]string{res.Resolution.Mismatches, res.Chain.Forks, res.Chain.Broken, res.Chain.LogMismatch, res.Chain.AckedLost, res.Durable.Problems, res.Durable.Forks, res.Durable.AckedLost} {
		for _, s := range list {
			problem("%s", s)
		}
	}
}

// drainMempools waits up to bound for every node's mempool to be empty and reports whether
// they all were.
func drainMempools(ctx context.Context, c *Cluster, bound time.Duration) bool {
	wctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	return c.WaitUntil(wctx, func() bool {
		for _, n := range c.Nodes {
			if k, err := n.RPC.NumUnconfirmedTxs(wctx); err != nil || k > 0 {
				return false
			}
		}
		return true
	}) == nil
}

// firstSeen returns when each height was first logged committed by any node.
func firstSeen(c *Cluster) map[int64]time.Duration {
	seen := map[int64]time.Duration{}
	for _, n := range c.Nodes {
		for _, cm := range n.Commits() {
			if t, ok := seen[cm.Height]; !ok || cm.At < t {
				seen[cm.Height] = cm.At
			}
		}
	}
	return seen
}
