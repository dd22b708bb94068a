package state

import (
	"time"

	"github.com/ballot-bft/ballot/libs/metrics"
)

// MetricsSubsystem is the subsystem of the block executor's metrics: their names are
// "<namespace>_state_<name>", CometBFT v0.38's names.
const MetricsSubsystem = "state"

// Metrics are the block executor's instruments; NewMetrics makes them.
type Metrics struct {
	// BlockProcessingTime observes how long FinalizeBlock took, in milliseconds.
	BlockProcessingTime metrics.Histogram
	// ConsensusParamUpdates counts blocks whose FinalizeBlock changed the consensus params.
	ConsensusParamUpdates metrics.Counter
	// ValidatorSetUpdates counts blocks whose FinalizeBlock changed the validator set.
	ValidatorSetUpdates metrics.Counter
}

// NewMetrics makes the block executor's metrics with p.
func NewMetrics(p metrics.Provider) *Metrics {
	s := metrics.Subsystem{Provider: p, Name: MetricsSubsystem}
	return &Metrics{
		BlockProcessingTime:   s.Histogram("block_processing_time", "Milliseconds FinalizeBlock took.", metrics.LinearBuckets(1, 10, 10)).With(),
		ConsensusParamUpdates: s.Counter("consensus_param_updates", "Blocks that changed the consensus params.").With(),
		ValidatorSetUpdates:   s.Counter("validator_set_updates", "Blocks that changed the validator set.").With(),
	}
}

// NopMetrics returns metrics that do nothing, the executor's default.
func NopMetrics() *Metrics { return NewMetrics(metrics.Nop) }

// WithMetrics makes the executor update m (default: NopMetrics).
func WithMetrics(m *Metrics) ExecutorOption {
	return func(e *BlockExecutor) { e.metrics = m }
}

// millisecondsSince returns the milliseconds from start to now.
func millisecondsSince(start time.Time) float64 {
	return float64(time.Since(start).Nanoseconds()) / 1e6
}
