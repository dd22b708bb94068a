package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ballot-bft/ballot/rpc/jsonrpc/client"
)

func main() {
	var (
		endpoints = flag.String("endpoints", "http://127.0.0.1:26657", "comma-separated RPC addresses of the nodes to watch")
		duration  = flag.Duration("duration", time.Minute, "how long to watch (0: until interrupted)")
		jsonOut   = flag.String("json", "", "write every height's timings and the summary as JSON to this file")
		label     = flag.String("label", "", "a name for the system under test, printed in the report")
		rawOut    = flag.String("raw", "", "also write every event as it arrived (JSON lines) to this file")
	)
	flag.Parse()
	if *rawOut != "" {
		f, err := os.Create(*rawOut)
		if err != nil {
			fmt.Fprintln(os.Stderr, "roundtimes:", err)
			os.Exit(1)
		}
		defer f.Close()
		raw = &rawLog{w: f}
	}
	if err := run(*endpoints, *duration, *jsonOut, *label, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "roundtimes:", err)
		os.Exit(1)
	}
}

// rawLog writes events as they arrive, one JSON object a line; nil when not asked for.
type rawLog struct {
	mu sync.Mutex
	w  io.Writer
}

var raw *rawLog

func (l *rawLog) write(endpoint string, at time.Time, ev json.RawMessage) {
	if l == nil {
		return
	}
	line, err := json.Marshal(struct {
		Endpoint string          `json:"endpoint"`
		At       time.Time       `json:"at"`
		Event    json.RawMessage `json:"event"`
	}{endpoint, at, ev})
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(append(line, '\n'))
}

// report is what roundtimes writes as JSON.
type report struct {
	Label   string       `json:"label,omitempty"`
	Started time.Time    `json:"started_at"`
	Nodes   []nodeReport `json:"nodes"`
}

type nodeReport struct {
	Endpoint string    `json:"endpoint"`
	Summary  summary   `json:"summary"`
	Heights  []*height `json:"heights"`
}

func run(endpoints string, duration time.Duration, jsonOut, label string, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, duration)
		defer cancel()
	}
	rep := report{Label: label, Started: time.Now().UTC()}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	list := strings.Split(endpoints, ",")
	watchers := make([]*watcher, len(list))
	for i, ep := range list {
		w, err := newWatcher(ctx, strings.TrimSpace(ep))
		if err != nil {
			return err
		}
		watchers[i] = w
		wg.Go(func() {
			if err := w.run(ctx); err != nil && ctx.Err() == nil {
				mu.Lock()
				firstErr = errors.Join(firstErr, fmt.Errorf("%s: %w", w.endpoint, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if label != "" {
		fmt.Fprintf(out, "== %s ==\n", label)
	}
	for _, w := range watchers {
		hs := w.finished()
		s := summarize(hs)
		rep.Nodes = append(rep.Nodes, nodeReport{Endpoint: w.endpoint, Summary: s, Heights: hs})
		printSummary(out, w.endpoint, s)
	}
	if jsonOut == "" {
		return nil
	}
	f, err := os.Create(jsonOut)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", jsonOut, err)
	}
	return f.Close()
}

// subscriptions are the events watched; five, CometBFT's default max_subscriptions_per_client.
var subscriptions = []string{"NewRound", "NewRoundStep", "CompleteProposal", "Vote", "NewBlockEvents"}

// watcher records one node's events.
type watcher struct {
	endpoint string
	ws       *client.WSClient
	powers   map[string]int64 // validator address (hex) → voting power
	total    int64
	rec      *recorder
}

func newWatcher(ctx context.Context, endpoint string) (*watcher, error) {
	powers, err := validatorPowers(ctx, endpoint)
	if err != nil {
		return nil, err
	}
	w := &watcher{endpoint: endpoint, powers: powers}
	for _, p := range powers {
		w.total += p
	}
	w.rec = newRecorder(powers, w.total)
	remote := strings.Replace(strings.Replace(endpoint, "https://", "wss://", 1), "http://", "tcp://", 1)
	if w.ws, err = client.DialWS(ctx, remote); err != nil {
		return nil, err
	}
	return w, nil
}

// validatorPowers asks the node for the current validator set (at most 100 validators).
func validatorPowers(ctx context.Context, endpoint string) (map[string]int64, error) {
	c, err := client.New(endpoint)
	if err != nil {
		return nil, err
	}
	var res struct {
		Validators []struct {
			Address string `json:"address"`
			Power   int64  `json:"voting_power,string"`
		} `json:"validators"`
	}
	if err := c.Call(ctx, "validators", map[string]any{"per_page": "100"}, &res); err != nil {
		return nil, fmt.Errorf("%s: validators: %w", endpoint, err)
	}
	powers := make(map[string]int64, len(res.Validators))
	for _, v := range res.Validators {
		powers[strings.ToUpper(v.Address)] = v.Power
	}
	if len(powers) == 0 {
		return nil, fmt.Errorf("%s: no validators", endpoint)
	}
	return powers, nil
}

// run subscribes and records events until ctx ends.
func (w *watcher) run(ctx context.Context) error {
	defer w.ws.Close()
	type arrival struct {
		at  time.Time
		raw json.RawMessage
	}
	all := make(chan arrival, 4096)
	var wg sync.WaitGroup
	for _, ev := range subscriptions {
		ch, err := w.ws.Subscribe(ctx, fmt.Sprintf("tm.event = '%s'", ev), 1024)
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", ev, err)
		}
		wg.Go(func() {
			for resp := range ch {
				if resp.Error != nil {
					return
				}
				select {
				case all <- arrival{at: time.Now(), raw: resp.Result}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(all) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case a, ok := <-all:
			if !ok {
				return errors.New("the node closed the websocket")
			}
			raw.write(w.endpoint, a.at, a.raw)
			if err := w.rec.add(a.at, a.raw); err != nil {
				return err
			}
		}
	}
}

func (w *watcher) finished() []*height { return w.rec.complete() }
