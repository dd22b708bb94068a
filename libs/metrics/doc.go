// Package metrics is the instrument vocabulary of ballot's packages: the Counter, Gauge and
// Histogram interfaces (and their labelled vectors) that a package's Metrics struct holds, the
// Desc that names one metric, and the Provider that makes instruments from descriptions.
//
// A package declares its metrics once, in a constructor that takes a Provider
// (consensus.NewMetrics, p2p.NewMetrics, ...). With Nop every instrument does nothing, which is
// every package's default; with the Prometheus provider of package metrics/prom the same
// constructor registers real collectors. Specs runs such a constructor against a recording
// provider, so the list of a package's metrics is never written twice.
//
// Names follow CometBFT v0.38's: the exposed name is <namespace>_<subsystem>_<name>, with the
// namespace chosen by the provider ("cometbft" by default, instrumentation.namespace), so
// dashboards written for CometBFT work unchanged.
//
// Contracts: instruments are safe for concurrent use and never block; With panics when given a
// number of label values different from the Desc's Labels (a programming error, like a wrong
// format string). Callers on hot paths keep the instrument With returns instead of calling With
// again for every update.
package metrics
