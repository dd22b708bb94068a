package metrics

import "fmt"

// Kind is the kind of a metric.
type Kind uint8

// The kinds of metrics.
const (
	KindCounter Kind = iota + 1
	KindGauge
	KindHistogram
)

// String returns the Prometheus type name of k ("counter").
func (k Kind) String() string {
	switch k {
	case KindCounter:
		return "counter"
	case KindGauge:
		return "gauge"
	case KindHistogram:
		return "histogram"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Spec is a metric as a package declares it: its kind and description.
type Spec struct {
	Kind Kind
	Desc
}

// Specs returns the metrics build asks its provider for, in order: pass it a package's metrics
// constructor (func(p Provider) { consensus.NewMetrics(p) }). The instruments build gets do
// nothing.
func Specs(build func(Provider)) []Spec {
	r := &recorder{}
	build(r)
	return r.specs
}

// recorder is a Provider that writes down what it is asked for.
type recorder struct{ specs []Spec }

func (r *recorder) Counter(d Desc) CounterVec {
	r.specs = append(r.specs, Spec{KindCounter, d})
	return nopCounterVec{}
}

func (r *recorder) Gauge(d Desc) GaugeVec {
	r.specs = append(r.specs, Spec{KindGauge, d})
	return nopGaugeVec{}
}

func (r *recorder) Histogram(d Desc) HistogramVec {
	r.specs = append(r.specs, Spec{KindHistogram, d})
	return nopHistogramVec{}
}
