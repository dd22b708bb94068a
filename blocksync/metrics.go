package blocksync

import (
	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/types"
)

// MetricsSubsystem is the subsystem of the block sync's metrics: their names are
// "<namespace>_blocksync_<name>", CometBFT v0.38's names.
const MetricsSubsystem = "blocksync"

// Metrics are the block sync's instruments; NewMetrics makes them.
type Metrics struct {
	// Syncing is 1 while the node syncs blocks from its peers, 0 otherwise.
	Syncing metrics.Gauge
	// NumTxs and BlockSizeBytes describe the last block applied by the sync.
	NumTxs         metrics.Gauge
	BlockSizeBytes metrics.Gauge
	// TotalTxs adds up the transactions of the blocks the sync applied since start.
	TotalTxs metrics.Gauge
	// LatestBlockHeight is the height of the last block applied by the sync.
	LatestBlockHeight metrics.Gauge
}

// NewMetrics makes the block sync's metrics with p.
func NewMetrics(p metrics.Provider) *Metrics {
	s := metrics.Subsystem{Provider: p, Name: MetricsSubsystem}
	return &Metrics{
		Syncing:           s.Gauge("syncing", "1 while syncing blocks from peers, else 0.").With(),
		NumTxs:            s.Gauge("num_txs", "Transactions in the last synced block.").With(),
		TotalTxs:          s.Gauge("total_txs", "Transactions in the blocks synced since start.").With(),
		BlockSizeBytes:    s.Gauge("block_size_bytes", "Size of the last synced block.").With(),
		LatestBlockHeight: s.Gauge("latest_block_height", "Height of the last synced block.").With(),
	}
}

// NopMetrics returns metrics that do nothing, the reactor's default.
func NopMetrics() *Metrics { return NewMetrics(metrics.Nop) }

// applied records a block the sync applied.
func (m *Metrics) applied(block *types.Block) {
	m.NumTxs.Set(float64(len(block.Txs)))
	m.TotalTxs.Add(float64(len(block.Txs)))
	m.BlockSizeBytes.Set(float64(block.Size()))
	m.LatestBlockHeight.Set(float64(block.Height))
}
