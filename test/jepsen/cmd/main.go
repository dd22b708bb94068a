package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ballot-bft/ballot/test/crash"
	"github.com/ballot-bft/ballot/test/jepsen"
)

func main() {
	code, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jepsen:", err)
	}
	os.Exit(code)
}

func run() (int, error) {
	profile := flag.String("profile", "quick", "profile to run: "+strings.Join(jepsen.ProfileNames(), ", "))
	validators := flag.Int("validators", 0, "validators (0: the profile's)")
	full := flag.Int("full", 0, "full nodes (with -validators)")
	duration := flag.Duration("duration", 0, "how long the nemesis acts (0: the profile's)")
	seed := flag.Uint64("seed", 0, "seed of every random choice (0: from the clock)")
	dir := flag.String("dir", "", "folder for the run's report (default: ./build/fault-runs)")
	keep := flag.Bool("keep", false, "keep the homes and node logs of a passing run")
	bin := flag.String("bin", "", "ballot binary to test (default: build ./cmd/ballot)")
	reads := flag.String("reads", "", "how registers are read: tx (through consensus) or query (abci_query: the negative control); default: the profile's")
	checkTimeout := flag.Duration("check-timeout", 5*time.Minute, "bound on the linearizability check")
	settings := crash.Settings{}
	flag.Var(settings, "set", "key=value: a config key for every node, over the harness's settings, e.g.\nconsensus.skip_timeout_commit_txs=1 (repeatable)")
	flag.Parse()

	p, err := jepsen.ProfileByName(*profile, *validators, *full)
	if err != nil {
		return 2, err
	}
	if *duration > 0 {
		p.Duration = *duration
	}
	switch *reads {
	case "":
	case "tx":
		p.Workload.ReadMode = jepsen.ReadTx
	case "query":
		p.Workload.ReadMode = jepsen.ReadQuery
	default:
		return 2, fmt.Errorf("-reads must be tx or query, not %q", *reads)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	fmt.Printf("seed %d (rerun with -seed %d)\n", *seed, *seed)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	moduleDir, err := crash.ModuleDir(ctx)
	if err != nil {
		return 2, err
	}
	if *dir == "" {
		*dir = filepath.Join(moduleDir, "build", "fault-runs")
	}
	if *bin == "" {
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			return 2, err
		}
		if *bin, err = crash.Build(ctx, moduleDir, filepath.Join(*dir, "ballot")); err != nil {
			return 2, err
		}
	}
	logf := func(format string, args ...any) {
		fmt.Printf("%s "+format+"\n", append([]any{time.Now().Format("15:04:05.000")}, args...)...)
	}
	res, err := jepsen.Run(ctx, jepsen.Options{Bin: *bin, Dir: *dir, Seed: *seed, Profile: p, Keep: *keep, CheckTimeout: *checkTimeout, Log: logf, Settings: settings})
	if err != nil {
		return 2, err
	}
	if !res.Passed() {
		return 1, nil
	}
	return 0, nil
}
