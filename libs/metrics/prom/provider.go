package prom

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ballot-bft/ballot/libs/metrics"
)

// Provider makes instruments backed by Prometheus collectors in its own registry.
type Provider struct {
	namespace string
	labels    prometheus.Labels
	registry  *prometheus.Registry
}

var _ metrics.Provider = (*Provider)(nil)

// New returns a provider whose metrics are named "<namespace>_<subsystem>_<name>" and carry
// constLabels (e.g. {"chain_id": "..."}). Its registry also holds the Go runtime and process
// collectors.
func New(namespace string, constLabels map[string]string) *Provider {
	p := &Provider{namespace: namespace, labels: prometheus.Labels{}, registry: prometheus.NewRegistry()}
	for k, v := range constLabels {
		p.labels[k] = v
	}
	p.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return p
}

// Gatherer returns the registry, for serving or inspecting what the provider collected.
func (p *Provider) Gatherer() prometheus.Gatherer { return p.registry }

// Handler serves the registry in the Prometheus exposition format, at whatever path it is
// mounted on, with at most maxInFlight concurrent scrapes (0: unlimited; more get 503). It also
// counts its own scrapes (promhttp_metric_handler_requests_total), as CometBFT's does.
func (p *Provider) Handler(maxInFlight int) http.Handler {
	return promhttp.InstrumentMetricHandler(p.registry,
		promhttp.HandlerFor(p.registry, promhttp.HandlerOpts{MaxRequestsInFlight: maxInFlight}))
}

// Counter implements metrics.Provider.
func (p *Provider) Counter(d metrics.Desc) metrics.CounterVec {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: p.namespace, Subsystem: d.Subsystem, Name: d.Name, Help: d.Help, ConstLabels: p.labels,
	}, d.Labels)
	return counterVec{register(p, d, vec)}
}

// Gauge implements metrics.Provider.
func (p *Provider) Gauge(d metrics.Desc) metrics.GaugeVec {
	vec := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: p.namespace, Subsystem: d.Subsystem, Name: d.Name, Help: d.Help, ConstLabels: p.labels,
	}, d.Labels)
	return gaugeVec{register(p, d, vec)}
}

// Histogram implements metrics.Provider.
func (p *Provider) Histogram(d metrics.Desc) metrics.HistogramVec {
	buckets := d.Buckets
	if buckets == nil {
		buckets = metrics.DefaultBuckets()
	}
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: p.namespace, Subsystem: d.Subsystem, Name: d.Name, Help: d.Help, ConstLabels: p.labels,
		Buckets: buckets,
	}, d.Labels)
	return histogramVec{register(p, d, vec)}
}

// register adds c to the registry, or returns the collector registered before under the same
// name (asking twice for a metric shares its series). A Desc that conflicts with an earlier one
// of the same name (other labels, help or kind) is a programming error: it panics.
func register[C prometheus.Collector](p *Provider, d metrics.Desc, c C) C {
	err := p.registry.Register(c)
	if err == nil {
		return c
	}
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic(fmt.Sprintf("prom: registering %s: %v", d.FullName(p.namespace), err))
}

type counterVec struct{ vec *prometheus.CounterVec }

func (v counterVec) With(labelValues ...string) metrics.Counter {
	return v.vec.WithLabelValues(labelValues...)
}

type gaugeVec struct{ vec *prometheus.GaugeVec }

func (v gaugeVec) With(labelValues ...string) metrics.Gauge {
	return v.vec.WithLabelValues(labelValues...)
}

type histogramVec struct{ vec *prometheus.HistogramVec }

func (v histogramVec) With(labelValues ...string) metrics.Histogram {
	return v.vec.WithLabelValues(labelValues...)
}
