package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/libs/fail"
	"github.com/ballot-bft/ballot/test/crash"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "crash:", err)
		os.Exit(1)
	}
}

func run() error {
	pointsRE := flag.String("points", ".", "run the points matching this regular expression")
	countsFlag := flag.String("counts", "1,2,3,4,5,6", "comma-separated hit counts: crash at the n-th time a point is reached")
	torn := flag.Int("torn", 7, "cycles of the torn-WAL scenario (0: none)")
	recovery := flag.Bool("recovery", true, "run the crash-while-recovering scenarios")
	seed := flag.Uint64("seed", 0, "seed of the random choices (0: from the clock)")
	parallel := flag.Int("parallel", 2, "scenarios run at the same time")
	dir := flag.String("dir", "", "directory for homes and logs (default: a new temporary directory)")
	keep := flag.Bool("keep", false, "keep the homes and logs of passing scenarios too")
	progress := flag.Int64("progress", 3, "heights the node must commit after each crash")
	timeout := flag.Duration("timeout", 30*time.Second, "bound on one run of the node")
	txWorkers := flag.Int("txs", 3, "concurrent broadcast_tx_commit requests during every run (0: no transactions)")
	settings := crash.Settings{}
	flag.Var(settings, "set", "key=value: a config key for the node, over the harness's settings, e.g.\nconsensus.skip_timeout_commit_txs=1 (repeatable)")
	flag.Parse()

	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	fmt.Printf("seed %d (rerun with -seed %d)\n", *seed, *seed)
	counts, err := parseCounts(*countsFlag)
	if err != nil {
		return err
	}
	re, err := regexp.Compile(*pointsRE)
	if err != nil {
		return fmt.Errorf("-points: %w", err)
	}
	var points []string
	for _, p := range fail.Points() {
		if re.MatchString(p) {
			points = append(points, p)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *dir == "" {
		if *dir, err = os.MkdirTemp("", "ballot-crash-"); err != nil {
			return err
		}
	}
	moduleDir, err := crash.ModuleDir(ctx)
	if err != nil {
		return err
	}
	bin, err := crash.Build(ctx, moduleDir, filepath.Join(*dir, "ballot"))
	if err != nil {
		return err
	}

	scenarios := crash.PointScenarios(points, counts)
	if *torn > 0 {
		scenarios = append(scenarios, crash.TornScenario(*torn, rand.New(rand.NewPCG(*seed, 0))))
	}
	if *recovery {
		scenarios = append(scenarios, crash.RecoveryScenarios()...)
	}
	fmt.Printf("%d scenarios in %s\n", len(scenarios), *dir)
	opts := crash.Options{Bin: bin, Dir: *dir, Seed: *seed, Progress: *progress, RunTimeout: *timeout, TxWorkers: *txWorkers, Settings: settings}
	start := time.Now()
	results := crash.RunAll(ctx, opts, scenarios, *parallel, func(r *crash.Result) {
		fmt.Println(r)
		if !r.Failed() && !*keep {
			os.RemoveAll(r.Dir)
		}
	})
	failed, list := crash.Summary(results)
	fmt.Printf("%d scenarios, %d failed, %.0fs, seed %d\n", len(results), failed, time.Since(start).Seconds(), *seed)
	if failed > 0 {
		fmt.Print(list)
		return fmt.Errorf("%d scenarios failed", failed)
	}
	if !*keep {
		os.RemoveAll(*dir)
	}
	return nil
}

func parseCounts(s string) ([]int, error) {
	var counts []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-counts: %q is not a count >= 1", f)
		}
		counts = append(counts, n)
	}
	return counts, nil
}
