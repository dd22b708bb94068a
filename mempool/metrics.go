package mempool

// MetricsSubsystem is the subsystem of the mempool's metrics: their full names are
// "cometbft_mempool_<name>" with the names of MetricDescs (CometBFT's names).
const MetricsSubsystem = "mempool"

// Gauge is a value that goes up and down (prometheus.Gauge satisfies it).
type Gauge interface{ Set(float64) }

// Counter is a value that only goes up (prometheus.Counter satisfies it).
type Counter interface{ Add(float64) }

// Histogram records observations in buckets (prometheus.Histogram satisfies it).
type Histogram interface{ Observe(float64) }

// Metrics are the pool's instruments. Every field must be non-nil; NopMetrics fills them with
// instruments that do nothing. The pool updates them under its mutex, so they must not block.
type Metrics struct {
	// Size is the number of transactions in the pool.
	Size Gauge
	// SizeBytes is the total raw size of the transactions in the pool.
	SizeBytes Gauge
	// TxSizeBytes records the raw size of every admitted transaction.
	TxSizeBytes Histogram
	// FailedTxs counts transactions the app rejected (non-zero code) or the post-check refused.
	FailedTxs Counter
	// RejectedTxs counts transactions refused for lack of room, before or after the app's answer.
	RejectedTxs Counter
	// EvictedTxs counts pool transactions a recheck found invalid.
	EvictedTxs Counter
	// RecheckTimes counts recheck rounds.
	RecheckTimes Counter
	// AlreadyReceivedTxs counts transactions refused because they were seen before.
	AlreadyReceivedTxs Counter
}

// MetricDesc describes one metric for registration with a metrics provider.
type MetricDesc struct {
	Name string // e.g. "size"; the full name is "cometbft_mempool_size"
	Kind string // "gauge", "counter" or "histogram"
	Help string
}

// MetricDescs lists the metrics of Metrics, in field order. TxSizeBytes uses CometBFT's
// exponential buckets: start 1, factor 3, 7 buckets.
var MetricDescs = []MetricDesc{
	{"size", "gauge", "Number of uncommitted transactions in the mempool."},
	{"size_bytes", "gauge", "Total size of the mempool in bytes."},
	{"tx_size_bytes", "histogram", "Histogram of transaction sizes in bytes."},
	{"failed_txs", "counter", "Number of failed transactions."},
	{"rejected_txs", "counter", "Number of rejected transactions."},
	{"evicted_txs", "counter", "Number of evicted transactions."},
	{"recheck_times", "counter", "Number of times transactions are rechecked in the mempool."},
	{"already_received_txs", "counter", "Number of duplicate transaction reception."},
}

// NopMetrics returns Metrics whose instruments do nothing.
func NopMetrics() *Metrics {
	return &Metrics{
		Size:               nopMetric{},
		SizeBytes:          nopMetric{},
		TxSizeBytes:        nopMetric{},
		FailedTxs:          nopMetric{},
		RejectedTxs:        nopMetric{},
		EvictedTxs:         nopMetric{},
		RecheckTimes:       nopMetric{},
		AlreadyReceivedTxs: nopMetric{},
	}
}

type nopMetric struct{}

func (nopMetric) Set(float64)     {}
func (nopMetric) Add(float64)     {}
func (nopMetric) Observe(float64) {}
