package jepsen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Figures are the headline numbers of a run (summary.json).
type Figures struct {
	Profile            string         `json:"profile"`
	Seed               uint64         `json:"seed"`
	Passed             bool           `json:"passed"`
	DurationSeconds    float64        `json:"duration_seconds"`
	Faults             map[string]int `json:"faults"`
	FaultsTotal        int            `json:"faults_total"`
	Restarts           int            `json:"restarts"`
	Operations         Counts         `json:"operations"`
	RegisterOpsChecked int            `json:"register_ops_checked"`
	Keys               int            `json:"keys"`
	Linearizable       string         `json:"linearizable"`
	LinearizableBlack  string         `json:"linearizable_black_box"`
	ResolvedFromChain  int            `json:"resolved_from_chain"`
	DuplicateExecs     int            `json:"duplicate_executions"`
	DupAfterFail       int            `json:"duplicate_executions_after_failure"`
	DupAfterOK         int            `json:"duplicate_executions_after_success"`
	ResultMismatches   int            `json:"result_mismatches"`
	SetAdds            int            `json:"set_adds"`
	SetAcked           int            `json:"set_acked"`
	AckedTxsChecked    int            `json:"acked_txs_checked"`
	AckedWritesLost    int            `json:"acked_writes_lost"`
	Forks              int            `json:"forks"`
	HeightsCompared    int64          `json:"heights_compared"`
	FinalHeights       []int64        `json:"final_heights"`
	WorstRecoveryMs    int64          `json:"worst_recovery_ms"`
	WorstRecoveryEvent string         `json:"worst_recovery_event,omitempty"`
	MedianRecoveryMs   int64          `json:"median_recovery_ms"`
	RecoveriesMeasured int            `json:"recoveries_measured"`
	FinalRecoveryMs    int64          `json:"final_recovery_ms"`
	UnexpectedExits    int            `json:"unexpected_exits"`
	Problems           []string       `json:"problems"`
	Duplicates         []string       `json:"duplicates"`
}

// Figures computes the run's headline numbers.
func (r *Result) Figures() Figures {
	f := Figures{
		Profile: r.Profile, Seed: r.Seed, Passed: r.Passed(), DurationSeconds: r.Duration.Seconds(),
		Faults: map[string]int{}, Restarts: r.Restarts, Operations: CountOps(r.Ops),
		RegisterOpsChecked: r.Linearizability.Ops, Keys: r.Linearizability.Keys, Linearizable: string(r.Linearizability.Result),
		LinearizableBlack: string(r.BlackBox), ResolvedFromChain: r.Resolution.Resolved,
		DuplicateExecs: r.Resolution.DupAfterFail + r.Resolution.DupAfterOK, DupAfterFail: r.Resolution.DupAfterFail,
		DupAfterOK: r.Resolution.DupAfterOK, ResultMismatches: len(r.Resolution.Mismatches),
		SetAdds: r.Set.Attempted, SetAcked: r.Set.Acked, AckedTxsChecked: r.Chain.AckedChecked,
		AckedWritesLost: len(r.Set.Lost) + len(r.Chain.AckedLost) + len(r.Durable.AckedLost),
		Forks:           len(r.Chain.Forks) + len(r.Durable.Forks) + len(r.Chain.LogMismatch), HeightsCompared: r.Chain.Compared,
		FinalHeights: r.Durable.Heights, FinalRecoveryMs: r.FinalRecovery.Milliseconds(), UnexpectedExits: len(r.Exits),
		Problems: r.Problems, Duplicates: r.Resolution.Duplicates,
	}
	for _, e := range r.Timeline {
		if e.Kind != "heal" {
			f.Faults[e.Kind]++
			f.FaultsTotal++
		}
	}
	var measured []time.Duration
	for _, e := range r.Timeline {
		if e.Recovery > 0 && e.Kind != "heal" {
			measured = append(measured, e.Recovery)
		}
	}
	if len(measured) > 0 {
		slices.Sort(measured)
		f.MedianRecoveryMs, f.RecoveriesMeasured = measured[len(measured)/2].Milliseconds(), len(measured)
	}
	if w, ok := WorstRecovery(r.Timeline); ok {
		f.WorstRecoveryMs = w.Recovery.Milliseconds()
		f.WorstRecoveryEvent = fmt.Sprintf("%s at %s", w.Note, w.End.Round(time.Millisecond))
	}
	if f.Problems == nil {
		f.Problems = []string{}
	}
	return f
}

// Summary is the one-screen report of the run.
func (r *Result) Summary() string {
	f := r.Figures()
	var b strings.Builder
	verdict := "PASSED"
	if !f.Passed {
		verdict = fmt.Sprintf("FAILED (%d problems)", len(f.Problems))
	}
	fmt.Fprintf(&b, "ballot fault run %q, seed %d, %s: %s\n", f.Profile, f.Seed, r.Duration.Round(time.Second), verdict)
	kinds := make([]string, 0, len(f.Faults))
	for k := range f.Faults {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, f.Faults[k])
	}
	fmt.Fprintf(&b, "faults injected: %d (%s); process restarts %d; unexpected exits %d\n", f.FaultsTotal, strings.Join(parts, ", "), f.Restarts, f.UnexpectedExits)
	fmt.Fprintf(&b, "operations: %d (ok %d, indeterminate %d, failed %d)\n", f.Operations.Total(), f.Operations.OK, f.Operations.Info, f.Operations.Fail)
	fmt.Fprintf(&b, "registers: %d operations on %d keys checked with porcupine: %s (black box, indeterminate left open: %s)\n",
		f.RegisterOpsChecked, f.Keys, linVerdict(r.Linearizability), f.LinearizableBlack)
	fmt.Fprintf(&b, "chain vs clients: %d indeterminate operations resolved (final chain: %v), result mismatches %d; transactions executed twice: %d after failing, %d after succeeding\n",
		f.ResolvedFromChain, r.Resolution.Final, f.ResultMismatches, f.DupAfterFail, f.DupAfterOK)
	fmt.Fprintf(&b, "set: %d adds (%d acknowledged, %d indeterminate of which %d present, %d failed); read at height %d on %d nodes: lost %d\n",
		r.Set.Attempted, r.Set.Acked, r.Set.Indeterminate, r.Set.Recovered, r.Set.Failed, r.Set.ReadHeight, r.Set.Nodes, len(r.Set.Lost))
	fmt.Fprintf(&b, "chains (RPC): %d heights compared, forks %d, broken links %d, log mismatches %d; acknowledged txs found in their block %d/%d\n",
		r.Chain.Compared, len(r.Chain.Forks), len(r.Chain.Broken), len(r.Chain.LogMismatch), r.Chain.AckedChecked-len(r.Chain.AckedLost), r.Chain.AckedChecked)
	fmt.Fprintf(&b, "stores (stopped nodes): heights %v, invariant problems %d, forks %d, acknowledged txs missing %d (of %d per node)\n",
		r.Durable.Heights, len(r.Durable.Problems), len(r.Durable.Forks), len(r.Durable.AckedLost), r.Durable.Acked)
	fmt.Fprintf(&b, "acknowledged writes lost: %d; forks: %d\n", f.AckedWritesLost, f.Forks)
	if f.WorstRecoveryEvent != "" {
		fmt.Fprintf(&b, "recovery: worst %s (after %s), median %s of %d measured; after the final heal %s\n",
			time.Duration(f.WorstRecoveryMs)*time.Millisecond, f.WorstRecoveryEvent, time.Duration(f.MedianRecoveryMs)*time.Millisecond,
			f.RecoveriesMeasured, r.FinalRecovery.Round(time.Millisecond))
	}
	if lat := latencies(r.Ops); len(lat) > 0 {
		fmt.Fprintf(&b, "latency of ok operations: p50 %s, p99 %s, max %s\n", pct(lat, 50), pct(lat, 99), lat[len(lat)-1])
	}
	fmt.Fprintf(&b, "report: %s (summary.txt, history.jsonl, history-checked.jsonl, nemesis.jsonl, linearizability.html, plot.svg)\n", r.Dir)
	for i, d := range r.Resolution.Duplicates {
		if i == 3 {
			fmt.Fprintf(&b, "  … %d more executed twice (summary.json)\n", len(r.Resolution.Duplicates)-i)
			break
		}
		fmt.Fprintf(&b, "  executed twice: %s\n", d)
	}
	for i, p := range f.Problems {
		if i == 12 {
			fmt.Fprintf(&b, "  … %d more in summary.json\n", len(f.Problems)-i)
			break
		}
		fmt.Fprintf(&b, "  PROBLEM %s\n", firstLine(p))
	}
	return b.String()
}

func linVerdict(l LinearizabilityResult) string {
	switch l.Result {
	case porcupine.Ok:
		return "linearizable"
	case porcupine.Illegal:
		return fmt.Sprintf("NOT linearizable (keys %v)", l.IllegalKeys)
	}
	return "unknown (the checker timed out)"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// latencies returns the sorted latencies of the OK operations.
func latencies(ops []Op) []time.Duration {
	var lat []time.Duration
	for _, o := range ops {
		if o.Status == StatusOK {
			lat = append(lat, o.Latency())
		}
	}
	slices.Sort(lat)
	return lat
}

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))].Round(time.Millisecond)
}

// WriteReport writes the run's folder: summary.txt, summary.json, history.jsonl,
// nemesis.jsonl, linearizability.html (porcupine's visualization, faults as annotations) and
// plot.svg (throughput and latency over time, faults shaded).
func WriteReport(r *Result) error {
	write := func(name string, data []byte) error {
		return os.WriteFile(filepath.Join(r.Dir, name), data, 0o644)
	}
	if err := write("summary.txt", []byte(r.Summary())); err != nil {
		return err
	}
	fig, err := json.MarshalIndent(r.Figures(), "", "  ")
	if err != nil {
		return err
	}
	if err := write("summary.json", append(fig, '\n')); err != nil {
		return err
	}
	for name, items := range map[string]any{"history.jsonl": r.Ops, "history-checked.jsonl": r.Checked, "nemesis.jsonl": r.Timeline} {
		f, err := os.Create(filepath.Join(r.Dir, name))
		if err != nil {
			return err
		}
		switch v := items.(type) {
		case []Op:
			err = WriteJSONLines(f, v)
		case []Event:
			err = WriteJSONLines(f, v)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	info := r.Linearizability.Info
	info.AddAnnotations(annotations(r.Timeline))
	if err := porcupine.VisualizePath(RegisterModel, info, filepath.Join(r.Dir, "linearizability.html")); err != nil {
		return err
	}
	return write("plot.svg", Plot(r.Ops, r.Timeline, r.Duration))
}

// annotations shows the faults on porcupine's timeline.
func annotations(events []Event) []porcupine.Annotation {
	var out []porcupine.Annotation
	for _, e := range events {
		out = append(out, porcupine.Annotation{
			Tag: "nemesis", Start: int64(e.Start), End: int64(max(e.End, e.Start+1)),
			Description: e.Note, Details: fmt.Sprintf("%s %s, recovery %s", e.Kind, names(e.Nodes), e.Recovery),
			BackgroundColor: faultColor(e.Kind),
		})
	}
	return out
}

// faultColor is the shade of a fault kind in the plot and the visualization.
func faultColor(kind string) string {
	switch kind {
	case "kill", "restart":
		return "#f4c7c3"
	case "partition":
		return "#c6dafc"
	case "pause":
		return "#fce8b2"
	case "delay", "drop":
		return "#d9ead3"
	}
	return "#e0e0e0"
}
