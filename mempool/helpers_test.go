package mempool

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// newPool returns a Pool at height 1 over app with the test config, edited by edit if not nil.
func newPool(t testing.TB, app *fakeApp, edit func(*config.MempoolConfig), opts ...Option) *Pool {
	t.Helper()
	cfg := config.TestMempoolConfig()
	if edit != nil {
		edit(cfg)
	}
	p, err := NewPool(cfg, app, 1, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustAdd submits txs and fails the test unless each is admitted.
func mustAdd(t testing.TB, p *Pool, txs ...types.Tx) {
	t.Helper()
	for _, tx := range txs {
		res, err := p.CheckTx(context.Background(), tx, "")
		if err != nil {
			t.Fatalf("CheckTx(%q): %v", tx, err)
		}
		if res.Code != 0 {
			t.Fatalf("CheckTx(%q): code %d", tx, res.Code)
		}
	}
}

// commit runs the block executor's sequence for a block of txs at height: Lock, FlushAppConn,
// Update, Unlock. codes gives each tx's result code (default 0).
func commit(p Mempool, height int64, txs types.Txs, codes ...uint32) error {
	results := make([]*abci.ExecTxResult, len(txs))
	for i := range txs {
		results[i] = &abci.ExecTxResult{}
		if i < len(codes) {
			results[i].Code = codes[i]
		}
	}
	p.Lock()
	defer p.Unlock()
	if err := p.FlushAppConn(context.Background()); err != nil {
		return err
	}
	return p.Update(height, txs, results, nil, nil)
}

// numberedTxs returns n distinct txs "<prefix>-000", "<prefix>-001", ...
func numberedTxs(prefix string, n int) types.Txs {
	txs := make(types.Txs, n)
	for i := range txs {
		txs[i] = types.Tx(fmt.Sprintf("%s-%03d", prefix, i))
	}
	return txs
}

// gasScript answers every tx with code 0 and the gas_wanted gas gives it (default 1).
func gasScript(gas map[string]int64) func(*abci.RequestCheckTx) *abci.ResponseCheckTx {
	return func(req *abci.RequestCheckTx) *abci.ResponseCheckTx {
		g, ok := gas[string(req.Tx)]
		if !ok {
			g = 1
		}
		return &abci.ResponseCheckTx{GasWanted: g}
	}
}

// rejectScript answers the txs in bad with code 1 and the others with code 0.
func rejectScript(bad ...types.Tx) func(*abci.RequestCheckTx) *abci.ResponseCheckTx {
	set := make(map[string]bool)
	for _, tx := range bad {
		set[string(tx)] = true
	}
	return func(req *abci.RequestCheckTx) *abci.ResponseCheckTx {
		if set[string(req.Tx)] {
			return &abci.ResponseCheckTx{Code: 1, Log: "bad tx"}
		}
		return &abci.ResponseCheckTx{GasWanted: 1}
	}
}

// recordingMetrics records what the pool reports.
type recordingMetrics struct {
	mu       sync.Mutex
	gauges   map[string]float64
	maxGauge map[string]float64
	counters map[string]float64
	observed []float64
}

type recGauge struct {
	m    *recordingMetrics
	name string
}

func (g recGauge) Set(v float64) {
	g.m.mu.Lock()
	defer g.m.mu.Unlock()
	g.m.gauges[g.name] = v
	g.m.maxGauge[g.name] = max(g.m.maxGauge[g.name], v)
}

func (g recGauge) Add(v float64) {
	g.m.mu.Lock()
	defer g.m.mu.Unlock()
	g.m.counters[g.name] += v
}

func (g recGauge) Observe(v float64) {
	g.m.mu.Lock()
	defer g.m.mu.Unlock()
	g.m.observed = append(g.m.observed, v)
}

func newRecordingMetrics() (*recordingMetrics, *Metrics) {
	rec := &recordingMetrics{gauges: map[string]float64{}, maxGauge: map[string]float64{}, counters: map[string]float64{}}
	at := func(name string) recGauge { return recGauge{rec, name} }
	return rec, &Metrics{
		Size:                      at("size"),
		SizeBytes:                 at("size_bytes"),
		TxSizeBytes:               at("tx_size_bytes"),
		FailedTxs:                 at("failed_txs"),
		RejectedTxs:               at("rejected_txs"),
		EvictedTxs:                at("evicted_txs"),
		RecheckTimes:              at("recheck_times"),
		AlreadyReceivedTxs:        at("already_received_txs"),
		ActiveOutboundConnections: at("active_outbound_connections"),
	}
}

func (m *recordingMetrics) counter(name string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counters[name]
}

func (m *recordingMetrics) gauge(name string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gauges[name]
}

func peerID(s string) p2p.ID { return p2p.ID(s) }

func (m *recordingMetrics) max(name string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.maxGauge[name]
}

type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) add() int64 { return c.n.Add(1) }
