package load

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the human summary of s.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	c := &s.Config
	load := fmt.Sprintf("%g tx/s fixed", c.Rate)
	if c.stepping() {
		load = fmt.Sprintf("from %g tx/s by %g every %s", c.StepFrom, c.StepBy, c.StepEvery)
		if c.UntilSaturation {
			load += " until saturation"
		}
	}
	if s.Label != "" {
		p("== %s ==", s.Label)
	}
	p("load:       %s, %d-byte txs, %s/%s (batch %d), %d conn/endpoint, %d endpoint(s), run %s",
		load, c.Size, c.Transport, c.Mode, c.batchSize(), c.Connections, len(c.Endpoints), s.RunID)
	for _, n := range s.Nodes {
		p("node:       %s  %s  %s v%s", n.Endpoint, n.Moniker, n.Network, n.Version)
	}
	t := &s.Totals
	p("sent:       %d of %d offered in %.1fs (%.1f tx/s); not sent %d", t.Sent, t.Offered, s.SendSeconds, s.Throughput.Sent, t.NotSent)
	p("answers:    accepted %d; rejected: mempool full %d, cache %d, check_tx %d, other %d; failed %d",
		t.Accepted, t.Rejected.MempoolFull, t.Rejected.Cache, t.Rejected.CheckTx, t.Rejected.Other, t.Failed)
	p("committed:  %d (%.1f tx/s, peak %d in 1s); accepted but uncommitted %d; foreign %d; duplicates %d",
		t.Committed, s.Throughput.Committed, s.Throughput.PeakCommitted1s, t.AcceptedUncommitted, t.ForeignCommitted, t.DuplicateCommits)
	l := &s.Latency
	p("latency:    p50 %s  p90 %s  p99 %s  max %s  (mean %s, %d txs)",
		fmtMS(l.P50), fmtMS(l.P90), fmtMS(l.P99), fmtMS(l.Max), fmtMS(l.Mean), l.Count)
	bl := &s.Blocks
	p("blocks:     %d (heights %d..%d); interval p50 %s p99 %s max %s; txs/block mean %.1f p50 %d max %d",
		bl.Count, bl.FirstHeight, bl.LastHeight, fmtMS(bl.Interval.P50), fmtMS(bl.Interval.P99), fmtMS(bl.Interval.Max),
		bl.TxsPerBlockMean, bl.TxsPerBlockP50, bl.TxsPerBlockMax)
	for _, st := range s.Steps {
		mark := ""
		if st.Saturated {
			mark = "  SATURATED: " + st.SaturatedWhy
		}
		p("step:       %7.0f tx/s -> committed %8.1f tx/s, p50 %s p99 %s, not sent %d, rejected %d, failed %d%s",
			st.Rate, st.CommittedTPS, fmtMS(st.LatencyP50), fmtMS(st.LatencyP99), st.NotSent, st.Rejected, st.Failed, mark)
	}
	if sat := s.Saturation; sat != nil {
		p("saturation: reached %v; max sustained %g tx/s; peak committed %.1f tx/s", sat.Reached, sat.MaxSustainedRate, sat.PeakCommittedTPS)
	}
	if r := s.Resources; r != nil {
		for _, pr := range r.Procs {
			if pr.Error != "" {
				p("process:    %s (pid %d): %s", pr.Name, pr.PID, pr.Error)
				continue
			}
			p("process:    %s (pid %d): cpu %.2fs, peak rss %.1f MB", pr.Name, pr.PID, pr.CPUSeconds, float64(pr.PeakRSSBytes)/1e6)
		}
		p("cpu:        nodes %.2fs = %.1f µs per committed tx (%.1f µs per node); generator %.2fs",
			r.CPUSeconds, r.CPUPerCommittedTxUS, r.PerNodeCPUPerCommittedTxUS, r.GeneratorCPUSeconds)
	}
	for k, v := range t.Reasons {
		p("reason:     %d × %s", v, k)
	}
	for _, wn := range s.Warnings {
		p("warning:    %s", wn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func fmtMS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// progressLine is the one-line view of a run in progress.
func progressLine(elapsed time.Duration, rate float64, tot, last snapshot, pending int64) string {
	return fmt.Sprintf("[%4ds] rate %6.0f/s | sent %8d ok %8d rej %6d fail %5d drop %6d | committed %8d (%5d/s) | height %d | pending %d",
		int(elapsed.Seconds()), rate, tot.sent, tot.outcomes[Accepted],
		tot.outcomes[MempoolFull]+tot.outcomes[InCache]+tot.outcomes[CheckTxCode]+tot.outcomes[OtherReject],
		tot.outcomes[Failed], tot.notSent, tot.committed, last.committed, tot.lastHeight, pending)
}
