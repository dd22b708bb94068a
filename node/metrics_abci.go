package node

import (
	"context"
	"time"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/libs/metrics"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// abciMetrics time the calls on the application connections: CometBFT's
// abci_connection_method_timing_seconds, by method ("finalize_block") and type ("sync", or
// "async" for the enqueueing of a pipelined CheckTx).
type abciMetrics struct {
	timing metrics.HistogramVec
}

func newABCIMetrics(p metrics.Provider) *abciMetrics {
	s := metrics.Subsystem{Provider: p, Name: "abci_connection"}
	return &abciMetrics{timing: s.Histogram("method_timing_seconds", "Duration of each ABCI call, by method.",
		[]float64{.0001, .0004, .002, .009, .02, .1, .65, 2, 6, 25}, "method", "type")}
}

// timer returns the histogram of method and type.
func (m *abciMetrics) timer(method, typ string) metrics.Histogram { return m.timing.With(method, typ) }

// since observes the seconds elapsed since start.
func since(h metrics.Histogram, start time.Time) { h.Observe(time.Since(start).Seconds()) }

// appConns are the application connections as the node's parts use them: wrapped to be timed
// when Prometheus is on, the clients themselves otherwise.
type appConns struct {
	consensus appconn.Consensus
	mempool   appconn.Mempool
	query     appconn.Query
	snapshot  appconn.Snapshot
}

func (a appConns) Consensus() appconn.Consensus { return a.consensus }
func (a appConns) Mempool() appconn.Mempool     { return a.mempool }
func (a appConns) Query() appconn.Query         { return a.query }
func (a appConns) Snapshot() appconn.Snapshot   { return a.snapshot }

// newAppConns returns conns' connections, timed by m if it is not nil.
func newAppConns(conns *appconn.Conns, m *abciMetrics) appConns {
	if m == nil {
		return appConns{consensus: conns.Consensus(), mempool: conns.Mempool(), query: conns.Query(), snapshot: conns.Snapshot()}
	}
	return appConns{
		consensus: newTimedConsensus(conns.Consensus(), m),
		mempool:   newTimedMempool(conns.Mempool(), m),
		query:     newTimedQuery(conns.Query(), m),
		snapshot:  newTimedSnapshot(conns.Snapshot(), m),
	}
}

type timedConsensus struct {
	appconn.Consensus
	flush, initChain, prepare, process, extend, verify, finalize, commit metrics.Histogram
}

func newTimedConsensus(c appconn.Consensus, m *abciMetrics) *timedConsensus {
	return &timedConsensus{Consensus: c,
		flush: m.timer("flush", "sync"), initChain: m.timer("init_chain", "sync"),
		prepare: m.timer("prepare_proposal", "sync"), process: m.timer("process_proposal", "sync"),
		extend: m.timer("extend_vote", "sync"), verify: m.timer("verify_vote_extension", "sync"),
		finalize: m.timer("finalize_block", "sync"), commit: m.timer("commit", "sync")}
}

func (t *timedConsensus) Flush(ctx context.Context) error {
	defer since(t.flush, time.Now())
	return t.Consensus.Flush(ctx)
}

func (t *timedConsensus) InitChain(ctx context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	defer since(t.initChain, time.Now())
	return t.Consensus.InitChain(ctx, req)
}

func (t *timedConsensus) PrepareProposal(ctx context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	defer since(t.prepare, time.Now())
	return t.Consensus.PrepareProposal(ctx, req)
}

func (t *timedConsensus) ProcessProposal(ctx context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	defer since(t.process, time.Now())
	return t.Consensus.ProcessProposal(ctx, req)
}

func (t *timedConsensus) ExtendVote(ctx context.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	defer since(t.extend, time.Now())
	return t.Consensus.ExtendVote(ctx, req)
}

func (t *timedConsensus) VerifyVoteExtension(ctx context.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	defer since(t.verify, time.Now())
	return t.Consensus.VerifyVoteExtension(ctx, req)
}

func (t *timedConsensus) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	defer since(t.finalize, time.Now())
	return t.Consensus.FinalizeBlock(ctx, req)
}

func (t *timedConsensus) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	defer since(t.commit, time.Now())
	return t.Consensus.Commit(ctx, req)
}

type timedMempool struct {
	appconn.Mempool
	flush, checkTx, checkTxAsync metrics.Histogram
}

func newTimedMempool(c appconn.Mempool, m *abciMetrics) *timedMempool {
	return &timedMempool{Mempool: c, flush: m.timer("flush", "sync"),
		checkTx: m.timer("check_tx", "sync"), checkTxAsync: m.timer("check_tx", "async")}
}

func (t *timedMempool) Flush(ctx context.Context) error {
	defer since(t.flush, time.Now())
	return t.Mempool.Flush(ctx)
}

func (t *timedMempool) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	defer since(t.checkTx, time.Now())
	return t.Mempool.CheckTx(ctx, req)
}

// CheckTxAsync times the enqueueing of the request, not the application's answer (as CometBFT).
func (t *timedMempool) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx, cb func(*abci.ResponseCheckTx, error)) (*client.ReqRes, error) {
	defer since(t.checkTxAsync, time.Now())
	return t.Mempool.CheckTxAsync(ctx, req, cb)
}

type timedQuery struct {
	conn        appconn.Query
	info, query metrics.Histogram
}

func newTimedQuery(c appconn.Query, m *abciMetrics) *timedQuery {
	return &timedQuery{conn: c, info: m.timer("info", "sync"), query: m.timer("query", "sync")}
}

func (t *timedQuery) Error() error { return t.conn.Error() }

func (t *timedQuery) Info(ctx context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	defer since(t.info, time.Now())
	return t.conn.Info(ctx, req)
}

func (t *timedQuery) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	defer since(t.query, time.Now())
	return t.conn.Query(ctx, req)
}

type timedSnapshot struct {
	appconn.Snapshot
	list, offer, load, apply metrics.Histogram
}

func newTimedSnapshot(c appconn.Snapshot, m *abciMetrics) *timedSnapshot {
	return &timedSnapshot{Snapshot: c, list: m.timer("list_snapshots", "sync"), offer: m.timer("offer_snapshot", "sync"),
		load: m.timer("load_snapshot_chunk", "sync"), apply: m.timer("apply_snapshot_chunk", "sync")}
}

func (t *timedSnapshot) ListSnapshots(ctx context.Context, req *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	defer since(t.list, time.Now())
	return t.Snapshot.ListSnapshots(ctx, req)
}

func (t *timedSnapshot) OfferSnapshot(ctx context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	defer since(t.offer, time.Now())
	return t.Snapshot.OfferSnapshot(ctx, req)
}

func (t *timedSnapshot) LoadSnapshotChunk(ctx context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	defer since(t.load, time.Now())
	return t.Snapshot.LoadSnapshotChunk(ctx, req)
}

func (t *timedSnapshot) ApplySnapshotChunk(ctx context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	defer since(t.apply, time.Now())
	return t.Snapshot.ApplySnapshotChunk(ctx, req)
}
