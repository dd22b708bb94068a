package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ballot-bft/ballot/test/load"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, isTTY(os.Stdout))
	stop()
	os.Exit(code)
}

// options are the flags that are not part of load.Config.
type options struct {
	cfg      load.Config
	jsonPath string
	plotPath string
	label    string
	quiet    bool
}

// parse reads args into options; it returns flag.ErrHelp for -h.
func parse(args []string, stderr io.Writer) (options, error) {
	o := options{cfg: load.DefaultConfig()}
	c := &o.cfg
	fs := flag.NewFlagSet("ballot-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoints := fs.String("endpoints", strings.Join(c.Endpoints, ","), "comma-separated node RPC URLs, used round-robin")
	fs.StringVar(&c.WatchEndpoint, "watch-endpoint", "", "node whose committed blocks are watched (default: the first endpoint)")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "fixed offered load, tx/s")
	fs.Float64Var(&c.StepFrom, "step-from", 0, "stepped load: first rate, tx/s")
	fs.Float64Var(&c.StepBy, "step-by", 0, "stepped load: rate increase per step, tx/s")
	fs.DurationVar(&c.StepEvery, "step-every", 0, "stepped load: step length")
	fs.BoolVar(&c.UntilSaturation, "until-saturation", false, "stepped load: stop once saturated")
	fs.Float64Var(&c.SaturationRatio, "saturation-ratio", c.SaturationRatio, "a step is saturated when committed tx/s < ratio × offered")
	fs.IntVar(&c.SaturationPatience, "saturation-patience", c.SaturationPatience, "consecutive saturated steps before stopping")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "sending time (cap of a stepped run)")
	fs.Int64Var(&c.Count, "count", 0, "stop after this many transactions (0 = no limit)")
	fs.DurationVar(&c.Drain, "drain", c.Drain, "after sending, wait at most this long for pending commits")
	fs.IntVar(&c.Size, "size", c.Size, "transaction size in bytes")
	transport := fs.String("transport", string(c.Transport), "http, http-batch or websocket")
	fs.IntVar(&c.Batch, "batch", c.Batch, "transactions per JSON-RPC batch (http-batch)")
	mode := fs.String("mode", string(c.Mode), "async (broadcast_tx_async) or sync (broadcast_tx_sync)")
	fs.IntVar(&c.Connections, "connections", c.Connections, "connections per endpoint")
	fs.IntVar(&c.InFlight, "inflight", c.InFlight, "outstanding requests per websocket connection")
	fs.IntVar(&c.Queue, "queue", c.Queue, "queued requests per endpoint before load counts as not sent")
	fs.DurationVar(&c.RequestTimeout, "timeout", c.RequestTimeout, "request timeout")
	watch := fs.String("watch", string(c.Watch), "how to watch commits: websocket (NewBlock events) or poll")
	fs.DurationVar(&c.PollInterval, "poll-interval", c.PollInterval, "poll period for --watch poll")
	fs.Int64Var(&c.Seed, "seed", 0, "seed of the run id and padding (0 = from the clock)")
	procs := fs.String("proc", "", "node processes to measure, name=pid,... (Linux /proc)")
	fs.StringVar(&o.jsonPath, "json", "", "write the JSON summary to this file")
	fs.StringVar(&o.plotPath, "plot", "", "write a plot of throughput and latency over time (.svg or .html)")
	fs.StringVar(&o.label, "label", "", "name of the system under test, recorded in the summary")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	rateSet := false
	fs.Visit(func(f *flag.Flag) { rateSet = rateSet || f.Name == "rate" })
	if c.StepFrom > 0 && !rateSet {
		c.Rate = 0
	}
	c.Endpoints = splitList(*endpoints)
	c.Transport, c.Mode, c.Watch = load.Transport(*transport), load.Mode(*mode), load.Watch(*watch)
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	for _, p := range splitList(*procs) {
		name, pid, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil {
			return o, fmt.Errorf("--proc %q: want name=pid", p)
		}
		c.Procs = append(c.Procs, load.Proc{Name: name, PID: n})
	}
	if ext := filepath.Ext(o.plotPath); o.plotPath != "" && ext != ".svg" && ext != ".html" {
		return o, fmt.Errorf("--plot %q: only .svg and .html are drawn", o.plotPath)
	}
	return o, c.Validate()
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, tty bool) int {
	o, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ballot-load:", err)
		return 2
	}
	env := load.Env{TTY: tty}
	if !o.quiet {
		env.Progress = stdout
	}
	sum, err := load.Run(ctx, o.cfg, env)
	if err != nil {
		fmt.Fprintln(stderr, "ballot-load:", err)
		return 1
	}
	sum.Label = o.label
	if err := sum.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, "ballot-load:", err)
		return 1
	}
	if o.jsonPath != "" {
		if err := writeFile(o.jsonPath, sum.WriteJSON); err != nil {
			fmt.Fprintln(stderr, "ballot-load:", err)
			return 1
		}
	}
	if o.plotPath != "" {
		draw := sum.WriteSVG
		if filepath.Ext(o.plotPath) == ".html" {
			draw = func(w io.Writer) error {
				if _, err := io.WriteString(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ballot-load</title></head><body>\n"); err != nil {
					return err
				}
				if err := sum.WriteSVG(w); err != nil {
					return err
				}
				_, err := io.WriteString(w, "</body></html>\n")
				return err
			}
		}
		if err := writeFile(o.plotPath, draw); err != nil {
			fmt.Fprintln(stderr, "ballot-load:", err)
			return 1
		}
	}
	return 0
}

// writeFile writes path through write, via a temporary file renamed into place.
func writeFile(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func isTTY(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
