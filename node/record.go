package node

import (
	"fmt"
	"os"

	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/test/sim"
)

// Option configures a Node in New.
type Option func(*Node)

// WithConsensusRecord makes the node record every call of its consensus machine — the inputs
// and the actions — to the file at path, as an event log that `ballot-sim inspect -replay`
// replays into a fresh machine. The file is created (or truncated) when consensus starts.
func WithConsensusRecord(path string) Option {
	return func(n *Node) { n.recordPath = path }
}

// openRecorder opens the consensus event log, if asked for; the file is closed with the node.
func (n *Node) openRecorder() (consensus.Recorder, error) {
	if n.recordPath == "" {
		return nil, nil
	}
	f, err := os.Create(n.recordPath)
	if err != nil {
		return nil, fmt.Errorf("consensus record: %w", err)
	}
	n.closers = append(n.closers, f.Close)
	n.logger.With("module", "consensus").Info("recording the consensus machine's calls", "file", n.recordPath)
	return sim.NewRecorder(f, 0, n.genDoc.GenesisTime, n.cfg.Consensus.BlockTimeTolerance), nil
}
