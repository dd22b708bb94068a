package main

import (
	"fmt"
	"io"
	"math"
	"slices"
)

// summary describes the heights of one node.
type summary struct {
	Heights    int `json:"heights"`
	Round0     int `json:"decided_in_round_0"`
	MoreRounds int `json:"more_rounds"`
	// MoreRoundsMeanMS is the mean time of the heights that needed more than one round.
	MoreRoundsMeanMS float64 `json:"more_rounds_mean_ms"`
	TxsMean          float64 `json:"txs_per_height_mean"`
	// Phases and Total cover the heights decided in round 0.
	Phases []phaseStats `json:"phases"`
	Total  phaseStats   `json:"total"`
	// Buckets split the round-0 heights by their number of transactions.
	Buckets []bucket `json:"buckets"`
}

// phaseStats are one phase's times over heights, in ms, and a least-squares fit
// ms = FixedMS + PerTxUS/1000 · txs over those heights.
type phaseStats struct {
	Name    string  `json:"name"`
	Help    string  `json:"help,omitempty"`
	Mean    float64 `json:"mean_ms"`
	P50     float64 `json:"p50_ms"`
	P90     float64 `json:"p90_ms"`
	Max     float64 `json:"max_ms"`
	Share   float64 `json:"share"` // of the summed total
	FixedMS float64 `json:"fit_fixed_ms"`
	PerTxUS float64 `json:"fit_per_tx_us"`
}

type bucket struct {
	Name    string             `json:"name"`
	Heights int                `json:"heights"`
	TxsMean float64            `json:"txs_mean"`
	Total   float64            `json:"total_mean_ms"`
	Phases  map[string]float64 `json:"phases_mean_ms"`
}

var buckets = []struct {
	name   string
	lo, hi int64
}{{"0 txs", 0, 0}, {"1-99 txs", 1, 99}, {"100-999 txs", 100, 999}, {"1000-4999 txs", 1000, 4999}, {">=5000 txs", 5000, math.MaxInt64}}

func summarize(hs []*height) summary {
	s := summary{Heights: len(hs)}
	var r0 []*height
	var txs, more float64
	for _, h := range hs {
		txs += float64(h.Txs)
		if h.Rounds > 1 {
			s.MoreRounds++
			more += h.Total
			continue
		}
		r0 = append(r0, h)
	}
	s.Round0 = len(r0)
	if len(hs) > 0 {
		s.TxsMean = txs / float64(len(hs))
	}
	if s.MoreRounds > 0 {
		s.MoreRoundsMeanMS = more / float64(s.MoreRounds)
	}
	if len(r0) == 0 {
		return s
	}
	x := make([]float64, len(r0))
	for i, h := range r0 {
		x[i] = float64(h.Txs)
	}
	totals := make([]float64, len(r0))
	for i, h := range r0 {
		totals[i] = h.Total
	}
	s.Total = stats("total", "", x, totals)
	for b := 1; b < nBoundaries; b++ {
		ys := make([]float64, len(r0))
		for i, h := range r0 {
			ys[i] = h.Phases[phaseNames[b]]
		}
		p := stats(phaseNames[b], phaseHelp[b], x, ys)
		if s.Total.Mean > 0 {
			p.Share = p.Mean / s.Total.Mean
		}
		s.Phases = append(s.Phases, p)
	}
	for _, bk := range buckets {
		out := bucket{Name: bk.name, Phases: map[string]float64{}}
		for _, h := range r0 {
			if h.Txs < bk.lo || h.Txs > bk.hi {
				continue
			}
			out.Heights++
			out.TxsMean += float64(h.Txs)
			out.Total += h.Total
			for k, v := range h.Phases {
				out.Phases[k] += v
			}
		}
		if out.Heights == 0 {
			continue
		}
		n := float64(out.Heights)
		out.TxsMean /= n
		out.Total /= n
		for k := range out.Phases {
			out.Phases[k] /= n
		}
		s.Buckets = append(s.Buckets, out)
	}
	return s
}

func stats(name, help string, x, y []float64) phaseStats {
	p := phaseStats{Name: name, Help: help}
	sorted := slices.Clone(y)
	slices.Sort(sorted)
	var sum float64
	for _, v := range y {
		sum += v
	}
	n := float64(len(y))
	p.Mean = sum / n
	p.P50 = sorted[int(0.5*(n-1))]
	p.P90 = sorted[int(0.9*(n-1))]
	p.Max = sorted[len(sorted)-1]
	p.FixedMS, p.PerTxUS = fit(x, y)
	return p
}

// fit is the least-squares line y = a + b·x; it returns a and b·1000 (ms per tx → µs per tx).
func fit(x, y []float64) (float64, float64) {
	var sx, sy, sxx, sxy float64
	n := float64(len(x))
	for i := range x {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		sxy += x[i] * y[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return sy / n, 0
	}
	b := (n*sxy - sx*sy) / d
	return (sy - b*sx) / n, b * 1000
}

func printSummary(w io.Writer, endpoint string, s summary) {
	more := ""
	if s.MoreRounds > 0 {
		more = fmt.Sprintf(", taking %.0f ms on average", s.MoreRoundsMeanMS)
	}
	fmt.Fprintf(w, "node %s: %d heights (%d decided in round 0, %d needed more rounds%s), %.1f txs/height\n",
		endpoint, s.Heights, s.Round0, s.MoreRounds, more, s.TxsMean)
	if s.Round0 == 0 {
		return
	}
	fmt.Fprintf(w, "  %-11s %8s %8s %8s %8s %6s %10s %10s\n", "phase", "mean", "p50", "p90", "max", "share", "fixed ms", "µs/tx")
	s.Total.Share = 1
	for _, p := range append(slices.Clone(s.Phases), s.Total) {
		fmt.Fprintf(w, "  %-11s %8.1f %8.1f %8.1f %8.1f %5.0f%% %10.1f %10.1f\n",
			p.Name, p.Mean, p.P50, p.P90, p.Max, 100*p.Share, p.FixedMS, p.PerTxUS)
	}
	for _, b := range s.Buckets {
		fmt.Fprintf(w, "  %-13s %4d heights, %6.0f txs, %7.1f ms:", b.Name, b.Heights, b.TxsMean, b.Total)
		for i := 1; i < nBoundaries; i++ {
			fmt.Fprintf(w, " %s %.1f", phaseNames[i], b.Phases[phaseNames[i]])
		}
		fmt.Fprintln(w)
	}
}
