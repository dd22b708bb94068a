package metrics

import (
	"fmt"
	"math"
)

// Counter is a value that only goes up. Add must be given a non-negative delta.
type Counter interface{ Add(delta float64) }

// Gauge is a value that goes up and down.
type Gauge interface {
	Set(value float64)
	Add(delta float64)
}

// Histogram counts observations in buckets.
type Histogram interface{ Observe(value float64) }

// CounterVec is a family of counters told apart by label values, given in the order of the
// Desc's Labels.
type CounterVec interface {
	With(labelValues ...string) Counter
}

// GaugeVec is a family of gauges told apart by label values.
type GaugeVec interface {
	With(labelValues ...string) Gauge
}

// HistogramVec is a family of histograms told apart by label values.
type HistogramVec interface {
	With(labelValues ...string) Histogram
}

// Desc describes one metric.
type Desc struct {
	// Subsystem is the package's part of the name ("consensus").
	Subsystem string
	// Name is the metric's own part of the name ("height").
	Name string
	// Help is the one-line description served with the metric.
	Help string
	// Labels are the variable labels, in the order With takes their values. The provider's
	// constant labels (chain_id) come on top.
	Labels []string
	// Buckets are a histogram's upper bounds, increasing; nil means DefaultBuckets.
	Buckets []float64
}

// FullName is the exposed name under namespace: "<namespace>_<subsystem>_<name>", leaving out
// empty parts.
func (d Desc) FullName(namespace string) string {
	name := d.Name
	if d.Subsystem != "" {
		name = d.Subsystem + "_" + name
	}
	if namespace != "" {
		name = namespace + "_" + name
	}
	return name
}

// Provider makes instruments. Asking twice for the same Desc returns instruments that update the
// same series. Implementations are safe for concurrent use.
type Provider interface {
	Counter(d Desc) CounterVec
	Gauge(d Desc) GaugeVec
	Histogram(d Desc) HistogramVec
}

// Subsystem makes the instruments of one subsystem: it fills in Desc.Subsystem.
type Subsystem struct {
	Provider Provider
	Name     string
}

// Counter returns the counter family name with the given variable labels.
func (s Subsystem) Counter(name, help string, labels ...string) CounterVec {
	return s.Provider.Counter(Desc{Subsystem: s.Name, Name: name, Help: help, Labels: labels})
}

// Gauge returns the gauge family name with the given variable labels.
func (s Subsystem) Gauge(name, help string, labels ...string) GaugeVec {
	return s.Provider.Gauge(Desc{Subsystem: s.Name, Name: name, Help: help, Labels: labels})
}

// Histogram returns the histogram family name with buckets (nil: DefaultBuckets) and the given
// variable labels.
func (s Subsystem) Histogram(name, help string, buckets []float64, labels ...string) HistogramVec {
	return s.Provider.Histogram(Desc{Subsystem: s.Name, Name: name, Help: help, Labels: labels, Buckets: buckets})
}

// DefaultBuckets are the histogram buckets used when a Desc gives none (Prometheus' defaults,
// which CometBFT's unconfigured histograms also get): 5 ms to 10 s.
func DefaultBuckets() []float64 {
	return []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
}

// LinearBuckets returns count buckets: start, start+width, ... It panics if count < 1.
func LinearBuckets(start, width float64, count int) []float64 {
	if count < 1 {
		panic(fmt.Sprintf("metrics: LinearBuckets with count %d", count))
	}
	b := make([]float64, count)
	for i := range b {
		b[i] = start + float64(i)*width
	}
	return b
}

// ExponentialBuckets returns count buckets: start, start*factor, start*factor², ... It panics
// unless count ≥ 1, start > 0 and factor > 1.
func ExponentialBuckets(start, factor float64, count int) []float64 {
	if count < 1 || start <= 0 || factor <= 1 {
		panic(fmt.Sprintf("metrics: ExponentialBuckets(%v, %v, %d)", start, factor, count))
	}
	b := make([]float64, count)
	v := start
	for i := range b {
		b[i] = v
		v *= factor
	}
	return b
}

// ExponentialBucketsRange returns count buckets growing by a constant factor from lo to hi
// (both included, up to rounding). It panics unless count ≥ 2 and 0 < lo < hi.
func ExponentialBucketsRange(lo, hi float64, count int) []float64 {
	if count < 2 || lo <= 0 || hi <= lo {
		panic(fmt.Sprintf("metrics: ExponentialBucketsRange(%v, %v, %d)", lo, hi, count))
	}
	factor := math.Pow(hi/lo, 1/float64(count-1))
	b := make([]float64, count)
	for i := range b {
		b[i] = lo * math.Pow(factor, float64(i))
	}
	return b
}
