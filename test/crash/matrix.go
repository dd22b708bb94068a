package crash

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/ballot-bft/ballot/libs/fail"
)

// PointScenarios returns one scenario per point: a cycle per hit count, each crashing the node
// the count-th time it reaches the point and resuming, on one chain.
func PointScenarios(points []string, counts []int) []Scenario {
	var out []Scenario
	for _, p := range points {
		sc := Scenario{Name: p}
		for _, n := range counts {
			sc.Cycles = append(sc.Cycles, Cycle{Crashes: []string{fail.Spec(p, n)}})
		}
		out = append(out, sc)
	}
	return out
}

// tornPoints are the crash points after which the WAL's last record is torn: the last record is
// then our own vote, the end-of-height marker, a round-state record, or whatever the commit path
// left.
var tornPoints = []string{
	"driver.afterWALOwnVote",
	"driver.afterEndHeight",
	"driver.afterWALRoundState",
	"driver.afterWALOwnProposal",
	"exec.afterAppCommit",
	"driver.afterWALInput",
	"privval.afterStateWrite",
}

// TornScenario returns a scenario of cycles cycles on one chain, each crashing at one of the
// tornPoints (in turn) after a hit count drawn from rng in 1..6, tearing the WAL's last record
// and resuming: the node must repair its WAL and go on.
func TornScenario(cycles int, rng *rand.Rand) Scenario {
	sc := Scenario{Name: "torn-wal"}
	for i := range cycles {
		p := tornPoints[i%len(tornPoints)]
		sc.Cycles = append(sc.Cycles, Cycle{Crashes: []string{fail.Spec(p, 1+rng.IntN(6))}, Tear: true})
	}
	return sc
}

// RecoveryScenarios crash the node a second time while it recovers from a first crash (in the
// handshake's block replay or the WAL replay), then resume.
func RecoveryScenarios() []Scenario {
	// The first ones are the most varied: go test runs a prefix of the list.
	pairs := [][2]string{
		// The block is saved, not executed: the handshake executes it with the real app.
		{"driver.afterEndHeight:2", "exec.afterAppCommit:1"},
		// The app committed, the state is not saved: the handshake rebuilds it from the saved response.
		{"exec.afterAppCommit:2", "exec.afterSaveState:1"},
		// The WAL replay signs our messages again.
		{"driver.afterWALOwnVote:3", "driver.afterWALOwnVote:1"},
		{"kvstore.afterCommitWrite:2", "exec.afterAppCommit:1"},
		{"privval.afterStateWrite:3", "privval.afterStateWrite:1"},
		{"driver.afterEndHeight:2", "exec.afterFinalizeBlock:1"},
		{"driver.afterEndHeight:2", "exec.afterSaveResponses:1"},
		{"driver.afterEndHeight:2", "kvstore.afterCommitWrite:1"},
		{"driver.afterSaveBlock:2", "exec.afterSaveState:1"},
		{"exec.afterAppCommit:2", "exec.afterSaveResponses:1"},
		{"driver.afterWALOwnVote:2", "privval.afterStateWrite:1"},
		{"driver.beforeSaveBlock:1", "driver.afterWALInput:1"},
	}
	var out []Scenario
	for _, p := range pairs {
		out = append(out, Scenario{
			Name:   "recover/" + p[0] + "+" + p[1],
			Cycles: []Cycle{{Crashes: []string{p[0], p[1]}}},
		})
	}
	return out
}

// RunAll runs the scenarios, parallel at a time, and calls report with each result as it
// finishes (from one goroutine at a time). It returns the results in the order of scenarios.
func RunAll(ctx context.Context, opts Options, scenarios []Scenario, parallel int, report func(*Result)) []*Result {
	results := make([]*Result, len(scenarios))
	sem := make(chan struct{}, max(parallel, 1))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, sc := range scenarios {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res := RunScenario(ctx, opts, sc)
			results[i] = res
			mu.Lock()
			defer mu.Unlock()
			report(res)
		}()
	}
	wg.Wait()
	return results
}

// Summary counts the failed results and lists them.
func Summary(results []*Result) (failed int, text string) {
	var b strings.Builder
	for _, r := range results {
		if r.Failed() {
			failed++
			fmt.Fprintf(&b, "  %s (%s)\n", r.Scenario, r.Dir)
		}
	}
	return failed, b.String()
}
