// Command ballot-sim runs ballot's deterministic network simulator and inspects its event logs.
//
//	ballot-sim -scenario twins -seed 7              run one seed (the replay command of a failure)
//	ballot-sim -scenario twins -seed 1 -seeds 100   run seeds 1..100
//	ballot-sim -soak 1h                             run seeds of every safe scenario for an hour
//	ballot-sim -scenario crash -seed 3 -log run.jsonl
//	ballot-sim inspect -node 2 -height 5 -type Prevote,Precommit run.jsonl
//	ballot-sim inspect -replay -node 2 [-v] run.jsonl   replay n2's inputs into fresh machines
//	ballot-sim -list
//
// The exit status is 1 when a safe scenario broke an invariant or a replay diverged, 2 on bad
// usage.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/test/sim"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "inspect" {
		os.Exit(inspect(os.Args[2:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ballot-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", "calm", "scenario to run (see -list)")
	seed := fs.Uint64("seed", 1, "first seed")
	seeds := fs.Int("seeds", 1, "number of consecutive seeds to run")
	logPath := fs.String("log", "", "write the event log (JSON lines) of the run to this file (one seed only)")
	soak := fs.Duration("soak", 0, "run consecutive seeds of every safe scenario (or of -scenario if given) for this long")
	list := fs.Bool("list", false, "list the scenarios")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *list {
		for _, sc := range sim.Scenarios() {
			fmt.Fprintf(stdout, "%-15s %s\n", sc.Name, sc.Doc)
		}
		return 0
	}
	scenarioSet := false
	fs.Visit(func(f *flag.Flag) { scenarioSet = scenarioSet || f.Name == "scenario" })
	if *soak > 0 {
		return soakRun(*soak, *seed, *scenario, scenarioSet, stdout)
	}
	sc, ok := sim.LookupScenario(*scenario)
	if !ok {
		fmt.Fprintf(stderr, "ballot-sim: unknown scenario %q (see -list)\n", *scenario)
		return 2
	}
	if *logPath != "" && *seeds != 1 {
		fmt.Fprintln(stderr, "ballot-sim: -log needs a single seed")
		return 2
	}
	status := 0
	for s := *seed; s < *seed+uint64(*seeds); s++ {
		res, err := runOne(sc, s, *logPath)
		if err != nil {
			fmt.Fprintf(stderr, "ballot-sim: %v\n", err)
			return 2
		}
		fmt.Fprintln(stdout, res)
		if res.Violation != nil && !sc.Unsafe {
			status = 1
		}
	}
	return status
}

func runOne(sc sim.Scenario, seed uint64, logPath string) (sim.Result, error) {
	var log io.Writer
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return sim.Result{}, err
		}
		defer f.Close()
		log = f
	}
	res, err := sim.Run(sc.Config(seed), log)
	if err != nil {
		return res, err
	}
	if res.LogErr != nil {
		return res, fmt.Errorf("writing %s: %w", logPath, res.LogErr)
	}
	return res, nil
}

// soakProgress is how often a soak reports its figures so far.
const soakProgress = 5 * time.Minute

// soakRun runs seeds round-robin over the scenarios until the time is up, and reports runs,
// simulated time and violations.
func soakRun(d time.Duration, seed uint64, only string, onlySet bool, stdout io.Writer) int {
	var scenarios []sim.Scenario
	for _, sc := range sim.Scenarios() {
		if onlySet && sc.Name == only || !onlySet && !sc.Unsafe {
			scenarios = append(scenarios, sc)
		}
	}
	if len(scenarios) == 0 {
		fmt.Fprintf(stdout, "no scenario %q\n", only)
		return 2
	}
	start := time.Now()
	var runs, violations int
	var simulated time.Duration
	var faults, crashes int
	last := seed
	report := func(what string) {
		elapsed := time.Since(start)
		fmt.Fprintf(stdout, "%s: seeds %d..%d, %d runs in %v (%.2f runs/s), %.2f simulated hours (%.1f simulated s/s), %d faults, %d crashes, %d violations\n",
			what, seed, last, runs, elapsed.Round(time.Second), float64(runs)/elapsed.Seconds(), simulated.Hours(),
			simulated.Seconds()/elapsed.Seconds(), faults, crashes, violations)
	}
	nextProgress := start.Add(soakProgress)
	for s := seed; time.Since(start) < d; s++ {
		last = s
		for _, sc := range scenarios {
			res, err := sim.Run(sc.Config(s), nil)
			if err != nil {
				fmt.Fprintf(stdout, "ballot-sim: %v\n", err)
				return 2
			}
			runs++
			simulated += res.SimTime
			faults += res.Stats.Faults
			crashes += res.Stats.Crashes
			if res.Violation != nil {
				violations++
				fmt.Fprintln(stdout, res)
			}
		}
		if time.Now().After(nextProgress) {
			report("soak so far")
			nextProgress = nextProgress.Add(soakProgress)
		}
	}
	report("soak")
	if violations > 0 && !(onlySet && len(scenarios) == 1 && scenarios[0].Unsafe) {
		return 1
	}
	return 0
}

func inspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ballot-sim inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := sim.AllRecords()
	fs.IntVar(&f.Node, "node", -1, "only this node (and network-wide records)")
	fs.Int64Var(&f.Height, "height", 0, "only this height")
	round := fs.Int("round", -1, "only this round")
	types := fs.String("type", "", "only these record or message types, comma-separated (Prevote,Proposal,SignVote,Crash,...)")
	kinds := fs.String("kind", "", "only these kinds, comma-separated (in,act,node,fault,violation)")
	fs.DurationVar(&f.From, "from", 0, "only from this simulated time")
	to := fs.Duration("to", 0, "only up to this simulated time")
	replay := fs.Bool("replay", false, "replay the inputs of -node (every node if -1) into fresh consensus machines and check they repeat every recorded action")
	verbose := fs.Bool("v", false, "with -replay: print every replayed call and action")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ballot-sim inspect [flags] log.jsonl")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if *replay {
		return replayLog(fs.Arg(0), f.Node, *verbose, stdout, stderr)
	}
	f.Round = int32(*round)
	if *to > 0 {
		f.To = *to
	}
	f.Types = splitList(*types)
	f.Kinds = splitList(*kinds)
	file, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "ballot-sim: %v\n", err)
		return 1
	}
	defer file.Close()
	if _, err := sim.Inspect(file, stdout, f); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		fmt.Fprintf(stderr, "ballot-sim: %v\n", err)
		return 1
	}
	return 0
}

// replayLog replays node's inputs (every node's if node < 0) from the log at path and prints
// a report per node.
func replayLog(path string, node int, verbose bool, stdout, stderr io.Writer) int {
	nodes := []int{node}
	if node < 0 {
		var err error
		if nodes, err = logNodes(path); err != nil {
			fmt.Fprintf(stderr, "ballot-sim: %v\n", err)
			return 1
		}
	}
	status := 0
	for _, n := range nodes {
		file, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "ballot-sim: %v\n", err)
			return 1
		}
		var steps io.Writer
		if verbose {
			steps = stdout
		}
		rep, err := sim.Replay(file, n, steps)
		file.Close()
		if err != nil {
			fmt.Fprintf(stderr, "ballot-sim: replaying n%d: %v\n", n, err)
			return 1
		}
		fmt.Fprintln(stdout, rep)
		if rep.Mismatch != nil {
			status = 1
		}
	}
	return status
}

// logNodes returns the nodes that have records in the log at path, in order.
func logNodes(path string) ([]int, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	seen := map[int]bool{}
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<28)
	for sc.Scan() {
		var r struct {
			Node int `json:"node"`
		}
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Node >= 0 {
			seen[r.Node] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	nodes := make([]int, 0, len(seen))
	for n := range seen {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	return nodes, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
