package prom

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/libs/metrics"
)

// scrape serves one GET of the handler in memory and returns the body.
func scrape(t *testing.T, p *Provider) string {
	t.Helper()
	rec := httptest.NewRecorder()
	p.Handler(0).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func wantLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("missing line %q in:\n%s", l, body)
		}
	}
}

func TestProviderServesNamesLabelsAndValues(t *testing.T) {
	p := New("cometbft", map[string]string{"chain_id": "test-chain"})
	s := metrics.Subsystem{Provider: p, Name: "consensus"}
	s.Gauge("height", "Height of the chain.").With().Set(7)
	peer := s.Counter("block_parts", "Block parts from each peer.", "peer_id")
	peer.With("abc").Add(2)
	peer.With("abc").Add(1)
	steps := s.Histogram("step_duration_seconds", "Time in each step.", metrics.ExponentialBucketsRange(0.1, 100, 8), "step")
	steps.With("Propose").Observe(0.5)
	metrics.Subsystem{Provider: p, Name: "p2p"}.Gauge("peers", "Peers.").With().Add(3)

	body := scrape(t, p)
	wantLines(t, body,
		"# TYPE cometbft_consensus_height gauge",
		`cometbft_consensus_height{chain_id="test-chain"} 7`,
		"# TYPE cometbft_consensus_block_parts counter",
		`cometbft_consensus_block_parts{chain_id="test-chain",peer_id="abc"} 3`,
		"# TYPE cometbft_consensus_step_duration_seconds histogram",
		`cometbft_consensus_step_duration_seconds_bucket{chain_id="test-chain",step="Propose",le="0.2682695795279726"} 0`,
		`cometbft_consensus_step_duration_seconds_bucket{chain_id="test-chain",step="Propose",le="0.7196856730011522"} 1`,
		`cometbft_consensus_step_duration_seconds_count{chain_id="test-chain",step="Propose"} 1`,
		`cometbft_p2p_peers{chain_id="test-chain"} 3`,
	)
	// The runtime and process collectors are there too, as on a CometBFT node.
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if !strings.Contains(body, "\n"+name+" ") {
			t.Errorf("no %s", name)
		}
	}
}

// A histogram without buckets gets the defaults; a labelled family with no series yet is not
// served (as CometBFT's are not).
func TestProviderDefaultsAndEmptyFamilies(t *testing.T) {
	p := New("ns", nil)
	metrics.Subsystem{Provider: p, Name: "s"}.Histogram("h", "H.", nil).With().Observe(0.3)
	metrics.Subsystem{Provider: p, Name: "s"}.Counter("by_peer", "By peer.", "peer_id")
	body := scrape(t, p)
	wantLines(t, body, `ns_s_h_bucket{le="0.25"} 0`, `ns_s_h_bucket{le="0.5"} 1`, `ns_s_h_bucket{le="10"} 1`)
	if strings.Contains(body, "ns_s_by_peer") {
		t.Errorf("an empty family is served:\n%s", body)
	}
}

// Asking twice for one metric shares its series; a conflicting description panics.
func TestProviderSharesAndRefusesConflicts(t *testing.T) {
	p := New("ns", map[string]string{"chain_id": "c"})
	d := metrics.Desc{Subsystem: "s", Name: "n", Help: "N."}
	p.Counter(d).With().Add(1)
	p.Counter(d).With().Add(2)
	wantLines(t, scrape(t, p), `ns_s_n{chain_id="c"} 3`)

	defer func() {
		if recover() == nil {
			t.Fatal("registering n as a gauge after a counter did not panic")
		}
	}()
	p.Gauge(d)
}

// The handler answers on any path (as CometBFT's does) and counts its own scrapes.
func TestHandlerServesEveryPath(t *testing.T) {
	p := New("ns", nil)
	rec := httptest.NewRecorder()
	p.Handler(1).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/anything", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if !strings.Contains(scrape(t, p), "promhttp_metric_handler_requests_total") {
		t.Error("the handler does not count its scrapes")
	}
}
