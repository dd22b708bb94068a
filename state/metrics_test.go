package state

import (
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// tally counts what an instrument is given.
type tally struct {
	mu       sync.Mutex
	added    float64
	observed []float64
}

func (c *tally) Add(d float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.added += d
}

func (c *tally) Observe(v float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observed = append(c.observed, v)
}

// Every executed block is timed; a block whose FinalizeBlock changes the validator set or the
// consensus params is counted as such.
func TestApplyBlockUpdatesMetrics(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals, extraKeys: []string{"e"}}, newNodeDBs())
	processing, params, vals := &tally{}, &tally{}, &tally{}
	WithMetrics(&Metrics{BlockProcessingTime: processing, ConsensusParamUpdates: params, ValidatorSetUpdates: vals})(n.exec)
	n.app.finalize = func(req *abci.RequestFinalizeBlock, resp *abci.ResponseFinalizeBlock) {
		if req.Height == 3 {
			resp.ConsensusParamUpdates = &tmproto.ConsensusParams{Block: &tmproto.BlockParams{MaxBytes: 2000000, MaxGas: 7}}
		}
	}
	n.commitBlock()
	n.commitBlock(types.Tx(kvstore.NewValidatorTx("ed25519", execKey("e").PubKey().Bytes(), 10)))
	n.commitBlock()

	if len(processing.observed) != 3 {
		t.Fatalf("%d blocks timed, want 3", len(processing.observed))
	}
	for _, ms := range processing.observed {
		if ms < 0 {
			t.Errorf("FinalizeBlock took %v ms", ms)
		}
	}
	if vals.added != 1 || params.added != 1 {
		t.Fatalf("validator set updates %v, param updates %v; want 1 and 1", vals.added, params.added)
	}
}

func TestNopMetricsFillEveryField(t *testing.T) {
	m := NopMetrics()
	if m.BlockProcessingTime == nil || m.ConsensusParamUpdates == nil || m.ValidatorSetUpdates == nil {
		t.Fatalf("NopMetrics left a field nil: %+v", m)
	}
}
