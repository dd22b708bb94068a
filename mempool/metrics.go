package mempool

import "github.com/ballot-bft/ballot/libs/metrics"

// MetricsSubsystem is the subsystem of the mempool's metrics: their names are
// "<namespace>_mempool_<name>", CometBFT's names.
const MetricsSubsystem = "mempool"

// Metrics are the pool's and its gossip reactor's instruments; NewMetrics makes them. Every
// field must be non-nil. The pool updates them under its mutex, so they must not block.
type Metrics struct {
	// Size is the number of transactions in the pool.
	Size metrics.Gauge
	// SizeBytes is the total raw size of the transactions in the pool.
	SizeBytes metrics.Gauge
	// TxSizeBytes records the raw size of every admitted transaction.
	TxSizeBytes metrics.Histogram
	// FailedTxs counts transactions the app rejected (non-zero code) or the post-check refused.
	FailedTxs metrics.Counter
	// RejectedTxs counts transactions refused for lack of room, before or after the app's answer.
	RejectedTxs metrics.Counter
	// EvictedTxs counts pool transactions a recheck found invalid.
	EvictedTxs metrics.Counter
	// RecheckTimes counts recheck rounds.
	RecheckTimes metrics.Counter
	// AlreadyReceivedTxs counts transactions refused because they were seen before (a
	// CometBFT v1 metric; v0.38 does not have it).
	AlreadyReceivedTxs metrics.Counter
	// ActiveOutboundConnections is the number of peers the gossip reactor is sending
	// transactions to (bounded by experimental_max_gossip_connections_*).
	ActiveOutboundConnections metrics.Gauge
}

// NewMetrics makes the mempool metrics with p. TxSizeBytes uses CometBFT's buckets: 1, 3, 9,
// ... 729 bytes.
func NewMetrics(p metrics.Provider) *Metrics {
	s := metrics.Subsystem{Provider: p, Name: MetricsSubsystem}
	return &Metrics{
		Size:                      s.Gauge("size", "Transactions in the mempool.").With(),
		SizeBytes:                 s.Gauge("size_bytes", "Total size of the mempool's transactions in bytes.").With(),
		TxSizeBytes:               s.Histogram("tx_size_bytes", "Sizes of the transactions admitted, in bytes.", metrics.ExponentialBuckets(1, 3, 7)).With(),
		FailedTxs:                 s.Counter("failed_txs", "Transactions the application or the post-check refused.").With(),
		RejectedTxs:               s.Counter("rejected_txs", "Transactions refused because the mempool was full.").With(),
		EvictedTxs:                s.Counter("evicted_txs", "Mempool transactions a recheck found invalid.").With(),
		RecheckTimes:              s.Counter("recheck_times", "Rechecks of the mempool's transactions.").With(),
		AlreadyReceivedTxs:        s.Counter("already_received_txs", "Transactions refused because they were received before.").With(),
		ActiveOutboundConnections: s.Gauge("active_outbound_connections", "Peers the mempool is gossiping transactions to.").With(),
	}
}

// NopMetrics returns metrics that do nothing, the pool's default.
func NopMetrics() *Metrics { return NewMetrics(metrics.Nop) }

// MetricSpecs lists the mempool's metrics, in Metrics field order.
func MetricSpecs() []metrics.Spec {
	return metrics.Specs(func(p metrics.Provider) { NewMetrics(p) })
}
