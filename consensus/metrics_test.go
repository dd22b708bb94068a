package consensus

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/libs/metrics/prom"
	"github.com/ballot-bft/ballot/types"
)

// scrapeMetrics serves one /metrics request of p in memory and returns the value of every
// series line, keyed by the series ("name{labels}").
func scrapeMetrics(t *testing.T, p *prom.Provider) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	p.Handler(0).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: status %d", rec.Code)
	}
	series := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
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

// checkSeries fails for every series whose value is missing or not accepted by its check.
func checkSeries(t *testing.T, got map[string]float64, want map[string]func(float64) bool) {
	t.Helper()
	for name, ok := range want {
		v, found := got[name]
		switch {
		case !found:
			t.Errorf("no series %s", name)
		case !ok(v):
			t.Errorf("%s = %v", name, v)
		}
	}
}

func atLeast(n float64) func(float64) bool { return func(v float64) bool { return v >= n } }
func equal(n float64) func(float64) bool   { return func(v float64) bool { return v == n } }

// A lone validator's driver, run for a few heights with the Prometheus provider, serves
// CometBFT's consensus metrics with the chain_id label, and their values follow the chain.
func TestMetricsFollowTheChain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		provider := prom.New("cometbft", map[string]string{"chain_id": "driver-test"})
		c := newTestChain(t, 1, testConfig())
		c.metrics = NewMetrics(provider)
		d := c.start()
		// Waiting out timeout_commit after block 4 or later: nothing moves until the bubble's
		// clock does, which it does not while this goroutine runs.
		d.waitView(t, time.Minute, "height 5 or more at its start", func(s *Snapshot) bool {
			return s.State.LastBlockHeight >= 4 && s.HRS.Height == s.State.LastBlockHeight+1 && s.HRS.Step == core.StepNewHeight
		})
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}
		committed := float64(d.Snapshot().State.LastBlockHeight)
		self := c.keys[0].PubKey().Address().String()
		chain := `chain_id="driver-test"`
		checkSeries(t, scrapeMetrics(t, provider), map[string]func(float64) bool{
			"cometbft_consensus_height{" + chain + "}":                                                        equal(committed + 1),
			"cometbft_consensus_latest_block_height{" + chain + "}":                                           equal(committed),
			"cometbft_consensus_validators{" + chain + "}":                                                    equal(1),
			"cometbft_consensus_validators_power{" + chain + "}":                                              equal(10),
			"cometbft_consensus_missing_validators{" + chain + "}":                                            equal(0),
			"cometbft_consensus_byzantine_validators{" + chain + "}":                                          equal(0),
			"cometbft_consensus_rounds{" + chain + "}":                                                        equal(0),
			"cometbft_consensus_num_txs{" + chain + "}":                                                       equal(0),
			"cometbft_consensus_total_txs{" + chain + "}":                                                     equal(0),
			"cometbft_consensus_block_size_bytes{" + chain + "}":                                              atLeast(100),
			"cometbft_consensus_chain_size_bytes{" + chain + "}":                                              atLeast(400),
			"cometbft_consensus_proposal_create_count{" + chain + "}":                                         equal(committed),
			"cometbft_consensus_proposal_receive_count{" + chain + `,status="accepted"}`:                      equal(committed),
			"cometbft_consensus_block_gossip_parts_received{" + chain + `,matches_current="true"}`:            equal(committed),
			"cometbft_consensus_validator_power{" + chain + `,validator_address="` + self + `"}`:              equal(10),
			"cometbft_consensus_validator_last_signed_height{" + chain + `,validator_address="` + self + `"}`: equal(committed),
			"cometbft_consensus_round_voting_power_percent{" + chain + `,vote_type="prevote"}`:                equal(1),
			"cometbft_consensus_round_voting_power_percent{" + chain + `,vote_type="precommit"}`:              equal(1),
			"cometbft_consensus_quorum_prevote_delay{" + chain + `,proposer_address="` + self + `"}`:          atLeast(0),
			"cometbft_consensus_quorum_precommit_delay{" + chain + `,proposer_address="` + self + `"}`:        atLeast(0),
			"cometbft_consensus_full_prevote_delay{" + chain + `,proposer_address="` + self + `"}`:            atLeast(0),
			// Blocks 2..committed have a parent; the bubble's clock makes them timeout_commit apart.
			"cometbft_consensus_block_interval_seconds_count{" + chain + "}":               equal(committed - 1),
			"cometbft_consensus_block_interval_seconds_bucket{" + chain + `,le="0.5"}`:     equal(0),
			"cometbft_consensus_block_interval_seconds_bucket{" + chain + `,le="1"}`:       equal(committed - 1),
			"cometbft_consensus_step_duration_seconds_count{" + chain + `,step="Propose"}`: equal(committed),
			"cometbft_consensus_step_duration_seconds_count{" + chain + `,step="Commit"}`:  equal(committed),
			// Waiting out timeout_commit (1 s) is the NewHeight step.
			"cometbft_consensus_step_duration_seconds_sum{" + chain + `,step="NewHeight"}`: atLeast(committed - 1),
			"cometbft_consensus_round_duration_seconds_count{" + chain + "}":               atLeast(committed - 1),
		})
	})
}

// Votes that come in late or twice are counted, and rounds are timed: with four validators the
// node is moved to round 1 by the others' round-1 prevotes, then gets a round-0 prevote.
func TestMetricsCountLateAndDuplicateVotes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		provider := prom.New("cometbft", map[string]string{"chain_id": "driver-test"})
		c := newTestChain(t, 4, testConfig())
		c.metrics = NewMetrics(provider)
		d := c.start()
		vals := d.Snapshot().State.Validators
		deliver := func(in PeerMessage) {
			t.Helper()
			if err := d.Deliver(context.Background(), in); err != nil {
				t.Fatal(err)
			}
		}
		nilVote := func(i int, round int32) core.VoteMessage {
			return core.VoteMessage{Vote: c.signedVote(i, types.PrevoteType, 1, round, types.BlockID{}, vals), From: core.PeerID("peer-" + strconv.Itoa(i))}
		}
		d.waitView(t, time.Minute, "round 0 started", func(s *Snapshot) bool { return s.HRS.Step >= core.StepPropose })
		first := nilVote(1, 0)
		deliver(first)
		deliver(first) // the same vote again
		for i := 1; i <= 3; i++ {
			deliver(nilVote(i, 1))
		}
		d.waitView(t, time.Minute, "round 1", func(s *Snapshot) bool { return s.HRS.Round == 1 })
		deliver(nilVote(2, 0)) // round 0 is over
		d.waitView(t, time.Minute, "validator 2's round-0 prevote", func(s *Snapshot) bool {
			index, _ := vals.GetByAddress(c.keys[2].PubKey().Address())
			votes := s.View.Votes(0, types.PrevoteType)
			return votes != nil && votes[index] != nil
		})
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}
		chain := `chain_id="driver-test"`
		checkSeries(t, scrapeMetrics(t, provider), map[string]func(float64) bool{
			"cometbft_consensus_duplicate_vote{" + chain + "}":                                     equal(1),
			"cometbft_consensus_late_votes{" + chain + `,vote_type="prevote"}`:                     equal(1),
			"cometbft_consensus_rounds{" + chain + "}":                                             equal(1),
			"cometbft_consensus_round_duration_seconds_count{" + chain + "}":                       equal(1),
			"cometbft_consensus_height{" + chain + "}":                                             equal(1),
			"cometbft_consensus_block_gossip_parts_received{" + chain + `,matches_current="true"}`: atLeast(0),
		})
	})
}

// Every metric CometBFT v0.38.26's consensus package declares is declared here too, with its
// kind and labels, except vote_extension_receive_count (ballot's driver does not verify other
// validators' vote extensions).
func TestMetricsHaveCometBFTNames(t *testing.T) {
	want := map[string]string{
		"height": "gauge", "validator_last_signed_height": "gauge validator_address", "rounds": "gauge",
		"round_duration_seconds": "histogram", "validators": "gauge", "validators_power": "gauge",
		"validator_power": "gauge validator_address", "validator_missed_blocks": "gauge validator_address",
		"missing_validators": "gauge", "missing_validators_power": "gauge", "byzantine_validators": "gauge",
		"byzantine_validators_power": "gauge", "block_interval_seconds": "histogram", "num_txs": "gauge",
		"block_size_bytes": "gauge", "chain_size_bytes": "counter", "total_txs": "gauge",
		"latest_block_height": "gauge", "block_parts": "counter peer_id", "duplicate_block_part": "counter",
		"duplicate_vote": "counter", "step_duration_seconds": "histogram step",
		"block_gossip_parts_received": "counter matches_current", "quorum_prevote_delay": "gauge proposer_address",
		"quorum_precommit_delay": "gauge proposer_address", "full_prevote_delay": "gauge proposer_address",
		"precommits_counted": "gauge", "precommits_staking_percentage": "gauge",
		"proposal_receive_count": "counter status", "proposal_create_count": "counter",
		"round_voting_power_percent": "gauge vote_type", "late_votes": "counter vote_type",
	}
	specs := metrics.Specs(func(p metrics.Provider) { NewMetrics(p) })
	got := map[string]string{}
	for _, s := range specs {
		got[s.Name] = strings.TrimSpace(s.Kind.String() + " " + strings.Join(s.Labels, " "))
		if s.Subsystem != MetricsSubsystem {
			t.Errorf("%s has subsystem %q", s.Name, s.Subsystem)
		}
	}
	for name, kind := range want {
		if got[name] != kind {
			t.Errorf("%s: %q, want %q", name, got[name], kind)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d metrics, want %d", len(got), len(want))
	}
}
