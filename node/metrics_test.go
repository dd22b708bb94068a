package node

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/blocksync"
	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// scrapeNode GETs /metrics from the node's metrics server and returns every series' value.
func scrapeNode(t *testing.T, n *Node) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + n.metricsSrv.addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("/metrics: %s: %s", resp.Status, body)
	}
	series := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series
}

// A node with instrumentation.prometheus serves CometBFT's metrics, labelled with its chain ID,
// on prometheus_listen_addr while it runs, and the values follow the chain.
func TestNodeServesMetrics(t *testing.T) {
	cfg := testHome(t)
	cfg.ProxyApp = "kvstore"
	cfg.Instrumentation.Prometheus = true
	cfg.Instrumentation.PrometheusListenAddr = "127.0.0.1:0"
	n, err := New(cfg, log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound, not a wait
	defer cancel()
	// NewBlock is published while the block executes, before consensus records the block's
	// metrics; the next height's NewRound comes after them.
	sub, err := n.EventBus().Subscribe(ctx, "test", types.EventQueryNewRound, 100)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	chain := `chain_id="node-test"`
	name := func(metric string, labels ...string) string {
		return "cometbft_" + metric + "{" + strings.Join(append([]string{chain}, labels...), ",") + "}"
	}
	waitHeight := func(height int64) {
		t.Helper()
		for {
			select {
			case msg := <-sub.Out():
				if msg.Data().(types.EventDataNewRound).Height > height {
					return
				}
			case err := <-done:
				t.Fatalf("node stopped before height %d: %v", height, err)
			case <-ctx.Done():
				t.Fatalf("no height %d within the bound", height)
			}
		}
	}

	// The chain moves on while a scrape reads the series one by one, so only relations that
	// hold across that are checked here; consensus's metrics tests check exact values.
	waitHeight(2)
	first := scrapeNode(t, n)
	waitHeight(max(4, int64(first[name("consensus_latest_block_height")])+1))
	second := scrapeNode(t, n)

	// Labels print in name order, so "chain_id" comes before "method" but after "chID".
	abci := func(method string) string {
		return "cometbft_abci_connection_method_timing_seconds_count{" + chain + `,method="` + method + `",type="sync"}`
	}
	for _, s := range []string{
		name("consensus_height"), name("consensus_latest_block_height"), name("consensus_total_txs"),
		name("consensus_validators"), name("mempool_size"), name("p2p_peers"), name("blocksync_syncing"),
		name("state_block_processing_time_count"), abci("finalize_block"), abci("commit"), abci("info"),
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if _, ok := second[s]; !ok {
			t.Errorf("no series %s", s)
		}
	}
	if h1, h2 := first[name("consensus_latest_block_height")], second[name("consensus_latest_block_height")]; h1 < 2 || h2 < 4 || h2 <= h1 {
		t.Errorf("latest_block_height went from %v to %v, want ≥2 then ≥4", h1, h2)
	}
	if h := second[name("consensus_height")]; h <= first[name("consensus_latest_block_height")] {
		t.Errorf("height %v after a scrape with latest block %v", h, first[name("consensus_latest_block_height")])
	}
	if got := second[abci("finalize_block")]; got < 4 || got <= first[abci("finalize_block")] {
		t.Errorf("finalize_block timed %v times, then %v", first[abci("finalize_block")], got)
	}
	if got := second[name("state_block_processing_time_count")]; got < 4 {
		t.Errorf("%v blocks processed", got)
	}
	if got := second[name("consensus_validators")]; got != 1 {
		t.Errorf("validators %v", got)
	}

	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("node did not stop cleanly: %v", err)
	}
	if _, err := http.Get("http://" + n.metricsSrv.addr().String() + "/metrics"); err == nil {
		t.Error("the metrics server still answers after the node stopped")
	}
}

// Without instrumentation.prometheus nothing listens and the connections are not wrapped.
func TestNodeWithoutPrometheus(t *testing.T) {
	cfg := testHome(t)
	cfg.Instrumentation.Prometheus = false
	n, err := New(cfg, log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer n.close()
	if n.metricsSrv != nil || n.metrics.provider != nil || n.metrics.abci != nil {
		t.Fatal("metrics are on")
	}
	if n.apps.Consensus() != n.appConns.Consensus() {
		t.Fatal("the consensus connection is wrapped")
	}
}

// A prometheus_listen_addr that cannot be bound fails New with an error naming it.
func TestNodeMetricsAddressInUse(t *testing.T) {
	cfg := testHome(t)
	cfg.Instrumentation.Prometheus = true
	cfg.Instrumentation.PrometheusListenAddr = "127.0.0.1:0"
	first, err := New(cfg, log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer first.close()
	other := testHome(t)
	other.Instrumentation.Prometheus = true
	other.Instrumentation.PrometheusListenAddr = "tcp://" + first.metricsSrv.addr().String()
	if _, err := New(other, log.NewNop()); err == nil || !strings.Contains(err.Error(), "prometheus_listen_addr") {
		t.Fatalf("New on a taken address: %v", err)
	}
}

// Every metric CometBFT v0.38.26 declares (testdata/cometbft_metrics.txt) is declared by
// ballot with the same name, kind and labels, apart from the listed differences.
func TestMetricsMatchCometBFTDeclarations(t *testing.T) {
	// CometBFT declares these but ballot does not: no state sync; p2p_num_txs is never set by
	// CometBFT either; ballot's driver does not verify other validators' vote extensions.
	notDeclared := []string{
		"cometbft_statesync_syncing", "cometbft_p2p_num_txs", "cometbft_consensus_vote_extension_receive_count",
	}
	// ballot declares these and CometBFT v0.38 does not (v1 has it).
	extra := []string{"cometbft_mempool_already_received_txs"}

	raw, err := os.ReadFile("testdata/cometbft_metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		want[name] = rest
	}
	got := map[string]string{}
	for _, build := range []func(metrics.Provider){
		func(p metrics.Provider) { consensus.NewMetrics(p) },
		func(p metrics.Provider) { p2p.NewMetrics(p) },
		func(p metrics.Provider) { mempool.NewMetrics(p) },
		func(p metrics.Provider) { state.NewMetrics(p) },
		func(p metrics.Provider) { blocksync.NewMetrics(p) },
		func(p metrics.Provider) { newABCIMetrics(p) },
	} {
		for _, s := range metrics.Specs(build) {
			got[s.FullName("cometbft")] = s.Kind.String() + " " + strings.Join(append([]string{"chain_id"}, s.Labels...), ",")
		}
	}
	for name, decl := range want {
		switch g, ok := got[name]; {
		case !ok && !slices.Contains(notDeclared, name):
			t.Errorf("%s (%s) is not declared", name, decl)
		case ok && g != decl:
			t.Errorf("%s is %q, CometBFT's is %q", name, g, decl)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok && !slices.Contains(extra, name) {
			t.Errorf("%s is not one of CometBFT's", name)
		}
	}
}
