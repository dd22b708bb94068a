package metrics

// Nop is the Provider whose instruments do nothing; every package's metrics default to it.
var Nop Provider = nopProvider{}

type nopProvider struct{}

func (nopProvider) Counter(Desc) CounterVec     { return nopCounterVec{} }
func (nopProvider) Gauge(Desc) GaugeVec         { return nopGaugeVec{} }
func (nopProvider) Histogram(Desc) HistogramVec { return nopHistogramVec{} }

// nopInstrument is a Counter, Gauge and Histogram that does nothing.
type nopInstrument struct{}

func (nopInstrument) Add(float64)     {}
func (nopInstrument) Set(float64)     {}
func (nopInstrument) Observe(float64) {}

type (
	nopCounterVec   struct{}
	nopGaugeVec     struct{}
	nopHistogramVec struct{}
)

func (nopCounterVec) With(...string) Counter     { return nopInstrument{} }
func (nopGaugeVec) With(...string) Gauge         { return nopInstrument{} }
func (nopHistogramVec) With(...string) Histogram { return nopInstrument{} }
