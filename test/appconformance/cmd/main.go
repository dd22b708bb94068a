package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/ballot-bft/ballot/test/appconformance"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("appconformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	app1 := fs.String("app1", "tcp://127.0.0.1:26658", "address of the first application")
	app2 := fs.String("app2", "", "address of the second application (empty: run one app)")
	heights := fs.Int("heights", 100, "number of heights to run")
	seed := fs.Int64("seed", time.Now().UnixNano()%1_000_000, "seed of the scripted chain (default: a fresh one, printed)")
	restartAt := fs.Int("restart-at", 0, "height after which to reconnect (0: heights/2, negative: never)")
	maxTxs := fs.Int("max-txs", 12, "maximum new transactions per height")
	ballotOps := fs.Bool("ballot-ops", false, "also send ballot kvstore's get/cas transactions")
	noExt := fs.Bool("no-vote-extensions", false, "skip ExtendVote and VerifyVoteExtension")
	strict := fs.Bool("strict", false, "also compare logs, events and snapshot lists between the apps")
	connectTimeout := fs.Duration("connect-timeout", 10*time.Second, "how long to wait for an app to accept connections")
	restartExec := fs.String("restart-exec", "", "shell command run (sh -c) for each app while its connections are closed at the restart, "+
		"with APP_INDEX (1 or 2) and APP_ADDR set, e.g. to restart the app process; it must return once the app is listening again")
	verbose := fs.Bool("v", false, "print a line per height")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %q\n", fs.Args())
		return 2
	}
	apps := []string{*app1}
	if *app2 != "" {
		apps = append(apps, *app2)
	}
	cfg := appconformance.Config{
		Apps: apps, Heights: *heights, Seed: *seed, RestartAt: *restartAt, MaxTxsPerBlock: *maxTxs,
		BallotOps: *ballotOps, NoVoteExtensions: *noExt, Strict: *strict, ConnectTimeout: *connectTimeout,
	}
	if *verbose {
		cfg.Log = stdout
	}
	if *restartExec != "" {
		cfg.Restart = func(ctx context.Context, i int) error {
			cmd := exec.CommandContext(ctx, "sh", "-c", *restartExec)
			cmd.Env = append(os.Environ(), fmt.Sprintf("APP_INDEX=%d", i+1), "APP_ADDR="+apps[i])
			cmd.Stdout, cmd.Stderr = stderr, stderr
			return cmd.Run()
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := appconformance.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stdout, "FAIL seed=%d: %v\n", *seed, err)
		return 1
	}
	if !*verbose {
		fmt.Fprintln(stdout, rep)
	}
	return 0
}
