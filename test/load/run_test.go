package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// e2eConfig is a small fixed run against the fake node.
func e2eConfig(transport Transport, mode Mode, watch Watch) Config {
	c := DefaultConfig()
	c.Endpoints = []string{"http://node0:26657", "http://node1:26657"}
	c.Rate = 200
	c.Duration = 2 * time.Second
	c.Drain = 5 * time.Second
	c.Transport, c.Mode, c.Watch = transport, mode, watch
	c.Batch = 5
	c.Seed = 42
	return c
}

// runFake runs cfg against f (blocks every interval) inside the current bubble.
func runFake(t *testing.T, cfg Config, f *fakeNode, interval time.Duration, env Env) *Summary {
	t.Helper()
	dial, stop := startFake(t, f, interval)
	defer stop()
	env.Dial = dial
	sum, err := Run(context.Background(), cfg, env)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum
}

func TestRunEndToEnd(t *testing.T) {
	cases := []struct {
		transport Transport
		mode      Mode
		watch     Watch
	}{
		{TransportHTTP, ModeAsync, WatchWebsocket},
		{TransportHTTPBatch, ModeAsync, WatchWebsocket},
		{TransportHTTPBatch, ModeSync, WatchPoll},
		{TransportWebsocket, ModeSync, WatchWebsocket},
	}
	for _, tc := range cases {
		t.Run(string(tc.transport)+"/"+string(tc.mode)+"/"+string(tc.watch), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := e2eConfig(tc.transport, tc.mode, tc.watch)
				f := newFakeNode()
				var progress bytes.Buffer
				sum := runFake(t, cfg, f, 100*time.Millisecond, Env{Progress: &progress})
				tot := sum.Totals
				if tot.Offered != 400 || tot.Sent != 400 || tot.NotSent != 0 {
					t.Errorf("offered %d sent %d not sent %d, want 400/400/0", tot.Offered, tot.Sent, tot.NotSent)
				}
				if tot.Accepted != 400 || tot.Committed != 400 || tot.Failed != 0 || tot.AcceptedUncommitted != 0 {
					t.Errorf("accepted %d committed %d failed %d uncommitted %d, want 400/400/0/0",
						tot.Accepted, tot.Committed, tot.Failed, tot.AcceptedUncommitted)
				}
				if tot.ForeignCommitted != 0 || tot.DuplicateCommits != 0 {
					t.Errorf("foreign %d duplicates %d", tot.ForeignCommitted, tot.DuplicateCommits)
				}
				// Requests take no virtual time, blocks come every 100ms: every latency is in
				// [0, 100ms] (polling adds up to one poll interval).
				limit := 100.0
				if tc.watch == WatchPoll {
					limit += cfg.PollInterval.Seconds() * 1000
				}
				if sum.Latency.Count != 400 || sum.Latency.Max > limit || sum.Latency.P50 <= 0 {
					t.Errorf("latency %+v, want 400 samples in (0, %vms]", sum.Latency, limit)
				}
				if sum.Blocks.Interval.P50 != 100 {
					t.Errorf("block interval p50 %v ms, want 100", sum.Blocks.Interval.P50)
				}
				// Permit 200 falls due at exactly 1s, in the second bucket; batches release
				// at their 25ms ticks.
				if len(sum.Timeline) < 2 || sum.Timeline[0].Sent < 195 || sum.Timeline[0].Sent > 200 {
					t.Errorf("timeline %+v, want about 200 sent in second 0", sum.Timeline)
				}
				if n := strings.Count(progress.String(), "\n"); n < 2 {
					t.Errorf("%d progress lines, want one per second:\n%s", n, progress.String())
				}
				if len(sum.Warnings) > 0 {
					t.Errorf("warnings: %q", sum.Warnings)
				}
			})
		})
	}
}

func TestRunRejections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := e2eConfig(TransportHTTPBatch, ModeSync, WatchWebsocket)
		f := newFakeNode()
		f.policy = func(n int) string {
			switch n % 10 {
			case 1:
				return "full"
			case 2:
				return "cache"
			case 3:
				return "code"
			}
			return ""
		}
		sum := runFake(t, cfg, f, 100*time.Millisecond, Env{})
		tot := sum.Totals
		r := tot.Rejected
		if r.MempoolFull != 40 || r.Cache != 40 || r.CheckTx != 40 || r.Other != 0 || tot.Accepted != 280 {
			t.Errorf("rejected %+v accepted %d, want 40/40/40/0 and 280", r, tot.Accepted)
		}
		if tot.Committed != 280 {
			t.Errorf("committed %d, want 280", tot.Committed)
		}
		if tot.Reasons["mempool is full"] != 40 || tot.Reasons["tx already exists in cache"] != 40 {
			t.Errorf("reasons %v", tot.Reasons)
		}
	})
}

func TestRunBatchTooLarge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := e2eConfig(TransportHTTPBatch, ModeAsync, WatchWebsocket)
		cfg.Rate, cfg.Batch = 1000, 20 // 20 per 20ms tick > the node's limit of 10: every batch is refused
		cfg.Duration = 200 * time.Millisecond
		f := newFakeNode()
		f.maxBatch = 10
		sum := runFake(t, cfg, f, 100*time.Millisecond, Env{})
		if sum.Totals.Rejected.Other != 200 || sum.Totals.Accepted != 0 || sum.Totals.Committed != 0 {
			t.Errorf("totals %+v, want 200 rejected (other)", sum.Totals)
		}
		if !strings.Contains(strings.Join(keys(sum.Totals.Reasons), ";"), "batch request exceeds maximum") {
			t.Errorf("reasons %v", sum.Totals.Reasons)
		}
	})
}

func TestRunStepsUntilSaturation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := e2eConfig(TransportHTTPBatch, ModeAsync, WatchWebsocket)
		cfg.Rate = 0
		cfg.StepFrom, cfg.StepBy, cfg.StepEvery = 100, 100, 4*time.Second
		cfg.UntilSaturation = true
		cfg.Duration = time.Minute
		cfg.Drain = time.Second
		f := newFakeNode()
		f.maxPerBlock = 25 // 25 txs per 100ms block: capacity 250 tx/s
		sum := runFake(t, cfg, f, 100*time.Millisecond, Env{})
		sat := sum.Saturation
		if sat == nil || !sat.Reached || sat.MaxSustainedRate != 200 {
			t.Fatalf("saturation %+v, want reached with 200 tx/s sustained; steps %+v", sat, sum.Steps)
		}
		if sat.PeakCommittedTPS != 250 {
			t.Errorf("peak committed %v tx/s, want the capacity 250", sat.PeakCommittedTPS)
		}
		if len(sum.Steps) != 4 || sum.Steps[2].Saturated != true || sum.Steps[3].Saturated != true {
			t.Errorf("steps %+v, want 100, 200 sustained then 300, 400 saturated", sum.Steps)
		}
		for _, st := range sum.Steps {
			if want := int64(st.Rate * 4); st.Offered != want {
				t.Errorf("step %v tx/s: offered %d, want %d (the whole step)", st.Rate, st.Offered, want)
			}
		}
	})
}

func TestRunQueueBoundsMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A websocket node that never answers: each connection holds InFlight requests, the
		// queue fills, and the rest is counted as not sent instead of piling up.
		cfg := e2eConfig(TransportWebsocket, ModeAsync, WatchWebsocket)
		cfg.Endpoints = cfg.Endpoints[:1]
		cfg.Connections, cfg.InFlight, cfg.Queue = 1, 10, 5
		cfg.RequestTimeout = time.Second
		cfg.Drain = 0
		f := newFakeNode()
		f.stall = make(chan struct{})
		dial, stop := startFake(t, f, 100*time.Millisecond)
		sum, err := Run(context.Background(), cfg, Env{Dial: dial})
		close(f.stall)
		stop()
		if err != nil {
			t.Fatal(err)
		}
		tot := sum.Totals
		if tot.Sent != 10 || tot.Offered != 400 || tot.NotSent != 390 {
			t.Errorf("sent %d offered %d not sent %d, want 10 sent (the in-flight bound), 390 not sent", tot.Sent, tot.Offered, tot.NotSent)
		}
		if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0], "in-flight slot") {
			t.Errorf("warnings %q, want the stuck connection reported", sum.Warnings)
		}
		if tot.Failed != 10 {
			t.Errorf("failed %d, want the 10 unanswered", tot.Failed)
		}
	})
}

func TestRunCountAndProcs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := e2eConfig(TransportHTTP, ModeAsync, WatchWebsocket)
		cfg.Count = 150
		cfg.Procs = []Proc{{Name: "node0", PID: 7}}
		reads := 0
		env := Env{ReadProc: func(path string) ([]byte, error) {
			reads++
			switch path {
			case "/proc/7/stat":
				return fmt.Appendf(nil, "7 (node 0) S 1 1 1 0 -1 0 0 0 0 0 %d 100 0 0", 100*reads), nil
			case "/proc/7/status":
				return []byte("Name:\tnode\nVmHWM:\t  2048 kB\n"), nil
			}
			return []byte("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0"), nil
		}}
		sum := runFake(t, cfg, newFakeNode(), 100*time.Millisecond, env)
		if sum.Totals.Sent != 150 || sum.Totals.Committed != 150 {
			t.Errorf("sent %d committed %d, want 150", sum.Totals.Sent, sum.Totals.Committed)
		}
		res := sum.Resources
		if res == nil || len(res.Procs) != 1 || res.Procs[0].PeakRSSBytes != 2048*1024 || res.Procs[0].CPUSeconds <= 0 {
			t.Fatalf("resources %+v", res)
		}
		want := res.Procs[0].CPUSeconds * 1e6 / 150
		if d := res.CPUPerCommittedTxUS - want; d > 0.01 || d < -0.01 {
			t.Errorf("cpu per tx %v µs, want %v", res.CPUPerCommittedTxUS, want)
		}
	})
}

func TestSummaryJSONShape(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sum := runFake(t, e2eConfig(TransportHTTP, ModeAsync, WatchWebsocket), newFakeNode(), 100*time.Millisecond, Env{})
		sum.Label = "fake"
		var buf bytes.Buffer
		if err := sum.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{
			"tool", "tool_version", "go_version", "label", "run_id", "started_at", "finished_at", "send_seconds",
			"config.endpoints", "config.rate", "config.size", "config.transport", "config.mode", "config.seed",
			"nodes", "totals.sent", "totals.accepted", "totals.rejected.mempool_full", "totals.rejected.cache",
			"totals.rejected.check_tx", "totals.rejected.other", "totals.not_sent", "totals.committed",
			"throughput.committed_tps", "throughput.peak_committed_1s",
			"commit_latency.p50_ms", "commit_latency.p90_ms", "commit_latency.p99_ms", "commit_latency.max_ms",
			"blocks.interval.p50_ms", "blocks.txs_per_block_mean", "timeline",
		} {
			if _, ok := lookup(m, path); !ok {
				t.Errorf("summary JSON has no %s", path)
			}
		}
		nodes, _ := lookup(m, "nodes")
		if n, ok := nodes.([]any); !ok || len(n) != 2 {
			t.Errorf("nodes %v, want the two endpoints", nodes)
		} else if mon, _ := lookup(n[0].(map[string]any), "moniker"); mon != "fake0" {
			t.Errorf("node moniker %v", mon)
		}
		tl, _ := lookup(m, "timeline")
		if sec, ok := tl.([]any); !ok || len(sec) == 0 {
			t.Errorf("timeline %v", tl)
		} else if _, ok := sec[0].(map[string]any)["latency_p50_ms"]; !ok {
			t.Errorf("timeline entry %v has no latency_p50_ms", sec[0])
		}
		var text, svg bytes.Buffer
		if err := sum.WriteText(&text); err != nil || !strings.Contains(text.String(), "committed:  400") {
			t.Errorf("text summary (%v):\n%s", err, text.String())
		}
		if err := sum.WriteSVG(&svg); err != nil || !strings.HasPrefix(svg.String(), "<svg") || !strings.Contains(svg.String(), "<polyline") {
			t.Errorf("svg (%v): %.200s", err, svg.String())
		}
	})
}

func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func keys(m map[string]int64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
