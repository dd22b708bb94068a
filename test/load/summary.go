package load

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// Summary is everything a run measured. Its JSON form is the benchmark's record: figures,
// the configuration, versions, timestamps and the nodes' names.
type Summary struct {
	Tool        string `json:"tool"`
	ToolVersion string `json:"tool_version"`
	GoVersion   string `json:"go_version"`
	// Label names the system under test (e.g. "cometbft v0.38.26, timeout_commit=0s"); set by
	// the caller.
	Label string `json:"label,omitempty"`
	RunID string `json:"run_id"`

	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// SendSeconds is how long transactions were sent; DrainSeconds how long commits were
	// awaited afterwards.
	SendSeconds  float64 `json:"send_seconds"`
	DrainSeconds float64 `json:"drain_seconds"`

	Config Config     `json:"config"`
	Nodes  []NodeInfo `json:"nodes"`

	Totals     Totals       `json:"totals"`
	Throughput Throughput   `json:"throughput"`
	Latency    Dist         `json:"commit_latency"`
	Blocks     BlockStats   `json:"blocks"`
	Steps      []StepResult `json:"steps,omitempty"`
	Saturation *Saturation  `json:"saturation,omitempty"`
	Resources  *Resources   `json:"resources,omitempty"`
	Timeline   []Second     `json:"timeline"`
	Warnings   []string     `json:"warnings,omitempty"`
}

// Totals counts transactions over the whole run.
type Totals struct {
	Offered  int64 `json:"offered"`  // permits released by the pacer
	NotSent  int64 `json:"not_sent"` // permits dropped: queue full, no connection, interrupted
	Sent     int64 `json:"sent"`
	Accepted int64 `json:"accepted"`
	Rejected struct {
		MempoolFull int64 `json:"mempool_full"`
		Cache       int64 `json:"cache"`
		CheckTx     int64 `json:"check_tx"`
		Other       int64 `json:"other"`
	} `json:"rejected"`
	Failed              int64            `json:"failed"` // no usable answer
	Committed           int64            `json:"committed"`
	AcceptedUncommitted int64            `json:"accepted_uncommitted"`
	DuplicateCommits    int64            `json:"duplicate_commits"`
	ForeignCommitted    int64            `json:"foreign_committed"` // other clients' txs in the watched blocks
	Reasons             map[string]int64 `json:"reasons,omitempty"` // texts of rejections and failures
}

// Throughput is in transactions per second.
type Throughput struct {
	Offered float64 `json:"offered_tps"` // offered / send seconds
	Sent    float64 `json:"sent_tps"`
	// Committed is committed transactions over the span from the first send to the last
	// observed commit of one of the run's transactions.
	Committed float64 `json:"committed_tps"`
	// PeakCommitted1s is the largest number committed in one second of the timeline.
	PeakCommitted1s int64 `json:"peak_committed_1s"`
}

// BlockStats describes the blocks observed during the run.
type BlockStats struct {
	Count       int   `json:"count"`
	FirstHeight int64 `json:"first_height"`
	LastHeight  int64 `json:"last_height"`
	// Interval is between consecutive heights by header time; ObservedInterval by the time
	// the generator saw them.
	Interval         Dist    `json:"interval"`
	ObservedInterval Dist    `json:"observed_interval"`
	TxsPerBlockMean  float64 `json:"txs_per_block_mean"`
	TxsPerBlockP50   int     `json:"txs_per_block_p50"`
	TxsPerBlockMax   int     `json:"txs_per_block_max"`
	// Busy* cover only the blocks holding at least one of the run's transactions.
	BusyBlocks          int     `json:"busy_blocks"`
	BusyTxsPerBlockMean float64 `json:"busy_txs_per_block_mean"`
}

// StepResult is one step of a stepped run. Offered is exact; the other counts come from the
// per-second timeline: committed figures over the step's last three quarters (commits lag
// sends), the rest over the whole step, so a step's sent/answer counts may include a few
// requests queued at the end of the previous step.
type StepResult struct {
	Rate          float64 `json:"rate_tps"`
	StartSeconds  float64 `json:"start_s"`
	Seconds       float64 `json:"seconds"`
	Offered       int64   `json:"offered"`
	Sent          int64   `json:"sent"`
	NotSent       int64   `json:"not_sent"`
	Accepted      int64   `json:"accepted"`
	Rejected      int64   `json:"rejected"`
	Failed        int64   `json:"failed"`
	Committed     int64   `json:"committed_in_window"`
	CommittedTPS  float64 `json:"committed_tps"`
	LatencyP50    float64 `json:"latency_p50_ms"`
	LatencyP99    float64 `json:"latency_p99_ms"`
	Saturated     bool    `json:"saturated"`
	SaturatedWhy  string  `json:"saturated_why,omitempty"`
	WindowSeconds int     `json:"window_seconds"`
}

// Saturation is the outcome of a stepped run.
type Saturation struct {
	Reached bool `json:"reached"`
	// MaxSustainedRate is the highest step rate that was not saturated (0 if none).
	MaxSustainedRate float64 `json:"max_sustained_rate_tps"`
	// PeakCommittedTPS is the highest per-step committed rate.
	PeakCommittedTPS float64 `json:"peak_committed_tps"`
}

// Resources are the node processes' costs over the run (from the start of sending to the end
// of the drain), read from /proc.
type Resources struct {
	Procs []ProcResult `json:"procs"`
	// CPUSeconds is the nodes' CPU time summed over all of them.
	CPUSeconds float64 `json:"cpu_seconds"`
	// CPUPerCommittedTxUS is CPUSeconds per committed transaction, in microseconds (all nodes
	// together); PerNodeCPUPerCommittedTxUS is that divided by the number of nodes.
	CPUPerCommittedTxUS        float64 `json:"cpu_per_committed_tx_us"`
	PerNodeCPUPerCommittedTxUS float64 `json:"per_node_cpu_per_committed_tx_us"`
	MaxPeakRSSBytes            int64   `json:"max_peak_rss_bytes"`
	// GeneratorCPUSeconds is the load generator's own CPU time (it shares the machine).
	GeneratorCPUSeconds float64 `json:"generator_cpu_seconds"`
}

// ProcResult is one node process.
type ProcResult struct {
	Name         string  `json:"name"`
	PID          int     `json:"pid"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
	Error        string  `json:"error,omitempty"`
}

// Second is one second of the timeline (since the start of sending).
type Second struct {
	T         int     `json:"t"`
	Offered   int64   `json:"offered"`
	Sent      int64   `json:"sent"`
	NotSent   int64   `json:"not_sent"`
	Accepted  int64   `json:"accepted"`
	Rejected  int64   `json:"rejected"`
	Failed    int64   `json:"failed"`
	Committed int64   `json:"committed"`
	Blocks    int64   `json:"blocks"`
	P50       float64 `json:"latency_p50_ms"`
	P99       float64 `json:"latency_p99_ms"`
}

// WriteJSON writes s as indented JSON.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}

// fill computes the totals, throughput, latency, block and timeline figures from st.
func (s *Summary) fill(st *Stats, sendSpan time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := &s.Totals
	var lastCommit time.Duration
	for i, b := range st.buckets {
		t.Offered += b.offered
		t.Sent += b.sent
		t.NotSent += b.notSent
		t.Accepted += b.outcomes[Accepted]
		t.Rejected.MempoolFull += b.outcomes[MempoolFull]
		t.Rejected.Cache += b.outcomes[InCache]
		t.Rejected.CheckTx += b.outcomes[CheckTxCode]
		t.Rejected.Other += b.outcomes[OtherReject]
		t.Failed += b.outcomes[Failed]
		t.Committed += b.committed
		s.Throughput.PeakCommitted1s = max(s.Throughput.PeakCommitted1s, b.committed)
		s.Timeline = append(s.Timeline, Second{T: i, Offered: b.offered, Sent: b.sent, NotSent: b.notSent,
			Accepted: b.outcomes[Accepted], Committed: b.committed, Blocks: b.blocks, Failed: b.outcomes[Failed],
			Rejected: b.outcomes[MempoolFull] + b.outcomes[InCache] + b.outcomes[CheckTxCode] + b.outcomes[OtherReject]})
	}
	t.DuplicateCommits = st.dupCommit
	t.ForeignCommitted = st.foreign
	if len(st.reasons) > 0 {
		t.Reasons = make(map[string]int64, len(st.reasons)+1)
		for k, v := range st.reasons {
			t.Reasons[k] = v
		}
		if st.other > 0 {
			t.Reasons["(other texts)"] = st.other
		}
	}

	all := make([]time.Duration, 0, len(st.latencies))
	perSecond := make([][]time.Duration, len(s.Timeline))
	for _, l := range st.latencies {
		all = append(all, l.latency)
		lastCommit = max(lastCommit, l.at)
		if i := int(l.at / time.Second); i < len(perSecond) {
			perSecond[i] = append(perSecond[i], l.latency)
		}
	}
	s.Latency = Summarize(all)
	for i, ls := range perSecond {
		d := Summarize(ls)
		s.Timeline[i].P50, s.Timeline[i].P99 = d.P50, d.P99
	}

	if sec := sendSpan.Seconds(); sec > 0 {
		s.Throughput.Offered = round2(float64(t.Offered) / sec)
		s.Throughput.Sent = round2(float64(t.Sent) / sec)
	}
	if lastCommit > 0 {
		s.Throughput.Committed = round2(float64(t.Committed) / lastCommit.Seconds())
	}
	s.Blocks = blockStats(st.blocks)
}

func blockStats(blocks []blockSample) BlockStats {
	var bs BlockStats
	if len(blocks) == 0 {
		return bs
	}
	bs.Count = len(blocks)
	bs.FirstHeight, bs.LastHeight = blocks[0].height, blocks[len(blocks)-1].height
	var interval, observed []time.Duration
	txs := make([]int, 0, len(blocks))
	var total, busyTotal int
	for i, b := range blocks {
		txs = append(txs, b.txs)
		total += b.txs
		if b.ours > 0 {
			bs.BusyBlocks++
			busyTotal += b.txs
		}
		if i > 0 && blocks[i-1].height == b.height-1 {
			interval = append(interval, b.time.Sub(blocks[i-1].time))
			observed = append(observed, b.observedAt-blocks[i-1].observedAt)
		}
	}
	bs.Interval = Summarize(interval)
	bs.ObservedInterval = Summarize(observed)
	slices.Sort(txs)
	bs.TxsPerBlockMean = round2(float64(total) / float64(len(blocks)))
	bs.TxsPerBlockP50 = txs[(len(txs)-1)/2]
	bs.TxsPerBlockMax = txs[len(txs)-1]
	if bs.BusyBlocks > 0 {
		bs.BusyTxsPerBlockMean = round2(float64(busyTotal) / float64(bs.BusyBlocks))
	}
	return bs
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
