package crash

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Cycle is one round of damage and recovery: consecutive runs of the node that must each crash
// at their crash point (the second one typically while recovering from the first), optionally
// a tear of the WAL's last record, then a clean run that must commit Options.Progress heights
// past the block store's height at the crash and stop cleanly.
type Cycle struct {
	Crashes []string // BALLOT_FAIL_POINT values, see fail.Spec
	Tear    bool
}

// Scenario is a series of cycles on one fresh chain.
type Scenario struct {
	Name   string
	Cycles []Cycle
}

// Options configure RunScenario.
type Options struct {
	Bin        string        // the ballot binary (Build)
	Dir        string        // a scenario runs in Dir/<scenario name>, which must not exist
	Seed       uint64        // with the scenario name, seeds the choices of tears
	Progress   int64         // heights a clean run commits after a crash; 0 means 3
	RunTimeout time.Duration // bound on one run of the node; 0 means 30s
	TxWorkers  int           // concurrent broadcast_tx_commit requests during every run; 0: none
	// Settings are config keys for every run of the node (see Home.Set); nil: the chain settings.
	Settings Settings
}

// Result is the outcome of a scenario.
type Result struct {
	Scenario string
	Dir      string
	Runs     []Run
	Tears    []Tear
	Problems []string // broken invariants, each prefixed with the run it was found after
	Err      error    // the harness could not go on: no crash, no progress, a failed start
	Took     time.Duration
}

// Failed reports whether the scenario found anything wrong.
func (r *Result) Failed() bool { return r.Err != nil || len(r.Problems) > 0 }

// String is a one-line summary, followed by the problems and the tail of the last log on failure.
func (r *Result) String() string {
	var b strings.Builder
	status := "ok  "
	if r.Failed() {
		status = "FAIL"
	}
	var trail []string
	acked, answered, unanswered := r.txCounts()
	for _, run := range r.Runs {
		if run.Spec != "" {
			trail = append(trail, fmt.Sprintf("%s→h%d", run.Spec, run.Durable))
		} else {
			trail = append(trail, fmt.Sprintf("resume→h%d", run.Durable))
		}
	}
	txs := "txs: none submitted"
	if answered+unanswered > 0 {
		txs = fmt.Sprintf("txs: %d committed, %d answered, %d cut off", acked, answered, unanswered)
	}
	fmt.Fprintf(&b, "%s %-40s %5.1fs  %s  %s", status, r.Scenario, r.Took.Seconds(), txs, strings.Join(trail, ", "))
	for _, t := range r.Tears {
		fmt.Fprintf(&b, "\n     tear: %s", t)
	}
	if !r.Failed() {
		return b.String()
	}
	if r.Err != nil {
		fmt.Fprintf(&b, "\n     error: %v", r.Err)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "\n     problem: %s", p)
	}
	if len(r.Runs) > 0 {
		last := r.Runs[len(r.Runs)-1]
		fmt.Fprintf(&b, "\n     last lines of %s:\n%s", last.LogFile, tail(last.LogFile, 15))
	}
	return b.String()
}

// txCounts sums the transactions of all runs: acknowledged as committed, answered by the RPC,
// and submitted without an answer.
func (r *Result) txCounts() (acked, answered, unanswered int) {
	for _, run := range r.Runs {
		acked += len(run.Acked)
		answered += run.TxAnswered
		unanswered += run.TxErrors
	}
	return acked, answered, unanswered
}

// tail returns the last n lines of the file at path, indented.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "       (" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	return "       " + strings.Join(lines, "\n       ")
}

// RunScenario runs sc on a fresh chain and checks, after every run, the node's durable state
// against itself and against everything seen before (Ledger.Record).
func RunScenario(ctx context.Context, opts Options, sc Scenario) *Result {
	if opts.Progress <= 0 {
		opts.Progress = 3
	}
	if opts.RunTimeout <= 0 {
		opts.RunTimeout = 30 * time.Second
	}
	start := time.Now()
	res := &Result{Scenario: sc.Name, Dir: filepath.Join(opts.Dir, strings.NewReplacer("/", "_", ":", "_").Replace(sc.Name))}
	defer func() { res.Took = time.Since(start) }()
	if err := os.MkdirAll(res.Dir, 0o700); err != nil {
		res.Err = err
		return res
	}
	home, err := NewHome(ctx, opts.Bin, res.Dir)
	if err != nil {
		res.Err = err
		return res
	}
	home.Set(opts.Settings)
	h := fnv.New64a()
	h.Write([]byte(sc.Name))
	rng := rand.New(rand.NewPCG(opts.Seed, h.Sum64()))
	if opts.TxWorkers > 0 {
		home.SubmitTxs(fmt.Sprintf("crash%x", h.Sum64()&0xffffff), opts.TxWorkers)
	}
	ledger := NewLedger()

	// record inspects the home after run and checks it; it returns the snapshot.
	record := func(run Run, what string) (*Snapshot, error) {
		snap, err := Inspect(ctx, home, ledger.Keys(run))
		if err != nil {
			res.Runs = append(res.Runs, run)
			return nil, fmt.Errorf("inspecting the home after %s: %w", what, err)
		}
		run.Durable = snap.Height
		res.Runs = append(res.Runs, run)
		for _, p := range ledger.Record(snap, run) {
			res.Problems = append(res.Problems, what+": "+p.Error())
		}
		return snap, nil
	}
	runCtx := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, opts.RunTimeout) }

	for i, cycle := range sc.Cycles {
		var snap *Snapshot
		for _, spec := range cycle.Crashes {
			rctx, cancel := runCtx()
			run, err := home.RunUntilCrash(rctx, spec)
			cancel()
			if err != nil {
				res.Runs = append(res.Runs, run)
				res.Err = err
				return res
			}
			if snap, err = record(run, fmt.Sprintf("cycle %d, crash at %s", i+1, spec)); err != nil {
				res.Err = err
				return res
			}
		}
		tore := false
		if cycle.Tear && snap != nil && snap.WALDamage == "" {
			t, err := TearWAL(home, rng, UnwrittenTear(snap))
			if err != nil {
				res.Err = err
				return res
			}
			res.Tears = append(res.Tears, t)
			tore = t.Skipped == ""
		}
		target := opts.Progress
		if snap != nil {
			target += snap.Height
		}
		rctx, cancel := runCtx()
		run, err := home.RunUntilHeight(rctx, target)
		cancel()
		if err != nil {
			res.Runs = append(res.Runs, run)
			res.Err = fmt.Errorf("cycle %d, resuming: %w", i+1, err)
			return res
		}
		what := fmt.Sprintf("cycle %d, resumed", i+1)
		if tore && !run.Repaired {
			res.Problems = append(res.Problems, what+": the WAL was torn but the node did not report repairing it")
		}
		after, err := record(run, what)
		if err != nil {
			res.Err = err
			return res
		}
		if after.WALDamage != "" {
			res.Problems = append(res.Problems, what+": the WAL is damaged after a clean stop: "+after.WALDamage)
		}
	}
	if acked, answered, _ := res.txCounts(); opts.TxWorkers > 0 && acked == 0 {
		res.Problems = append(res.Problems, fmt.Sprintf("the RPC acknowledged none of the transactions as committed (%d requests answered)", answered))
	}
	return res
}
