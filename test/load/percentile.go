package load

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted (ascending) by the
// nearest-rank method: the smallest value such that at least p% of the values are ≤ it, i.e.
// sorted[ceil(p/100·n) − 1]. It returns 0 for an empty slice; p ≤ 0 gives the minimum.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Dist summarises a set of durations, in milliseconds.
type Dist struct {
	Count int     `json:"count"`
	Min   float64 `json:"min_ms"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// Summarize sorts values in place and returns their distribution (all zero when empty).
func Summarize(values []time.Duration) Dist {
	if len(values) == 0 {
		return Dist{}
	}
	slices.Sort(values)
	var sum float64
	for _, v := range values {
		sum += float64(v)
	}
	return Dist{
		Count: len(values),
		Min:   ms(values[0]),
		Mean:  roundMS(sum / float64(len(values)) / float64(time.Millisecond)),
		P50:   ms(Percentile(values, 50)),
		P90:   ms(Percentile(values, 90)),
		P99:   ms(Percentile(values, 99)),
		Max:   ms(values[len(values)-1]),
	}
}

// ms is d in milliseconds, rounded to the microsecond.
func ms(d time.Duration) float64 { return roundMS(float64(d) / float64(time.Millisecond)) }

func roundMS(v float64) float64 { return math.Round(v*1000) / 1000 }
