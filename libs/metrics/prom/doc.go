// Package prom is the Prometheus metrics.Provider: instruments registered in a registry of
// their own (with the Go runtime and process collectors, as a CometBFT node serves them) and the
// HTTP handler that serves the registry in the Prometheus text format.
//
// Every metric carries the provider's constant labels (the node sets chain_id, as CometBFT
// does) in addition to its own variable labels. A Provider is safe for concurrent use; asking
// twice for the same metric returns instruments that update the same series.
package prom
