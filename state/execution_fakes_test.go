package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// Test doubles of the executor tests: the recording kvstore, mempool, event publisher and a
// state store that fails on request ("crashes").

// callLog records, in order, the calls the tests care about across the app, the mempool and
// the stores.
type callLog struct {
	mu      sync.Mutex
	entries []string
}

func (l *callLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, fmt.Sprintf(format, args...))
}

func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.entries
	l.entries = nil
	return out
}

var errCrash = errors.New("injected crash")

// recordingApp is the kvstore with hooks and a record of what it was asked.
type recordingApp struct {
	*kvstore.Application
	log *callLog

	mu sync.Mutex
	// Hooks; nil means the kvstore's behaviour.
	prepare       func(*abci.RequestPrepareProposal, *abci.ResponsePrepareProposal) *abci.ResponsePrepareProposal
	processStatus *abci.ResponseProcessProposal_ProposalStatus
	verifyStatus  *abci.ResponseVerifyVoteExtension_VerifyStatus
	extend        func(*abci.RequestExtendVote) []byte
	finalize      func(*abci.RequestFinalizeBlock, *abci.ResponseFinalizeBlock)
	failCommitAt  int64 // Commit of this height fails (the kvstore does not commit)
	initChain     func(*abci.RequestInitChain, *abci.ResponseInitChain)
	info          func(*abci.ResponseInfo)

	prepareReqs  []*abci.RequestPrepareProposal
	processReqs  []*abci.RequestProcessProposal
	extendReqs   []*abci.RequestExtendVote
	verifyReqs   []*abci.RequestVerifyVoteExtension
	finalizeReqs []*abci.RequestFinalizeBlock
	initReqs     []*abci.RequestInitChain
	pending      int64 // height finalized, awaiting Commit
}

func newRecordingApp(t testing.TB, db dbm.DB, opts kvstore.Options, log *callLog) *recordingApp {
	t.Helper()
	app, err := kvstore.NewApplication(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &recordingApp{Application: app, log: log}
}

func (a *recordingApp) InitChain(ctx context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	a.initReqs = append(a.initReqs, req)
	hook := a.initChain
	a.mu.Unlock()
	a.log.add("app.InitChain")
	resp, err := a.Application.InitChain(ctx, req)
	if err == nil && hook != nil {
		hook(req, resp)
	}
	return resp, err
}

func (a *recordingApp) Info(ctx context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	a.mu.Lock()
	hook := a.info
	a.mu.Unlock()
	resp, err := a.Application.Info(ctx, req)
	if err == nil && hook != nil {
		hook(resp)
	}
	return resp, err
}

func (a *recordingApp) PrepareProposal(ctx context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	a.mu.Lock()
	a.prepareReqs = append(a.prepareReqs, req)
	hook := a.prepare
	a.mu.Unlock()
	a.log.add("app.PrepareProposal %d", req.Height)
	resp, err := a.Application.PrepareProposal(ctx, req)
	if err != nil || hook == nil {
		return resp, err
	}
	return hook(req, resp), nil
}

func (a *recordingApp) ProcessProposal(ctx context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	a.mu.Lock()
	a.processReqs = append(a.processReqs, req)
	status := a.processStatus
	a.mu.Unlock()
	a.log.add("app.ProcessProposal %d", req.Height)
	if status != nil {
		return &abci.ResponseProcessProposal{Status: *status}, nil
	}
	return a.Application.ProcessProposal(ctx, req)
}

func (a *recordingApp) ExtendVote(ctx context.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	a.mu.Lock()
	a.extendReqs = append(a.extendReqs, req)
	hook := a.extend
	a.mu.Unlock()
	if hook != nil {
		return &abci.ResponseExtendVote{VoteExtension: hook(req)}, nil
	}
	return a.Application.ExtendVote(ctx, req)
}

func (a *recordingApp) VerifyVoteExtension(ctx context.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	a.mu.Lock()
	a.verifyReqs = append(a.verifyReqs, req)
	status := a.verifyStatus
	a.mu.Unlock()
	if status != nil {
		return &abci.ResponseVerifyVoteExtension{Status: *status}, nil
	}
	return a.Application.VerifyVoteExtension(ctx, req)
}

func (a *recordingApp) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	a.finalizeReqs = append(a.finalizeReqs, req)
	hook := a.finalize
	a.pending = req.Height
	a.mu.Unlock()
	a.log.add("app.FinalizeBlock %d", req.Height)
	resp, err := a.Application.FinalizeBlock(ctx, req)
	if err == nil && hook != nil {
		hook(req, resp)
	}
	return resp, err
}

func (a *recordingApp) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	fail := a.failCommitAt != 0 && a.failCommitAt == a.pending
	a.mu.Unlock()
	if fail {
		a.log.add("app.Commit failed")
		return nil, errCrash
	}
	a.log.add("app.Commit")
	return a.Application.Commit(ctx, req)
}

// calls returns the number of InitChain and FinalizeBlock calls so far.
func (a *recordingApp) calls() (initChains, finalizes int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.initReqs), len(a.finalizeReqs)
}

// recordingMempool is a FIFO of transactions that records the executor's calls.
type recordingMempool struct {
	log *callLog

	mu      sync.Mutex
	txs     types.Txs
	locked  bool
	reaps   [][2]int64 // (maxBytes, maxGas) of every reap
	updates []int64
}

func (m *recordingMempool) add(txs ...types.Tx) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.txs = append(m.txs, txs...)
}

func (m *recordingMempool) Lock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.locked = true
	m.log.add("mempool.Lock")
}

func (m *recordingMempool) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.locked = false
	m.log.add("mempool.Unlock")
}

func (m *recordingMempool) FlushAppConn(context.Context) error {
	m.log.add("mempool.FlushAppConn")
	return nil
}

func (m *recordingMempool) Update(height int64, txs types.Txs, results []*abci.ExecTxResult) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.locked {
		return errors.New("mempool update without the lock")
	}
	if len(txs) != len(results) {
		return fmt.Errorf("mempool update: %d txs, %d results", len(txs), len(results))
	}
	committed := map[string]bool{}
	for _, tx := range txs {
		committed[string(tx)] = true
	}
	kept := m.txs[:0]
	for _, tx := range m.txs {
		if !committed[string(tx)] {
			kept = append(kept, tx)
		}
	}
	m.txs = kept
	m.updates = append(m.updates, height)
	m.log.add("mempool.Update %d", height)
	return nil
}

func (m *recordingMempool) ReapMaxBytesMaxGas(maxBytes, maxGas int64) types.Txs {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reaps = append(m.reaps, [2]int64{maxBytes, maxGas})
	var out types.Txs
	for _, tx := range m.txs {
		if maxBytes >= 0 && types.ComputeProtoSizeForTxs(append(out[:len(out):len(out)], tx)) > maxBytes {
			break
		}
		if maxGas >= 0 && int64(len(out)+1) > maxGas { // every kvstore tx wants 1 gas
			break
		}
		out = append(out, tx)
	}
	return out
}

// recordingEvents records the published events as short strings, and the data of some.
type recordingEvents struct {
	mu         sync.Mutex
	events     []string
	txs        []*abci.TxResult
	valUpdates [][]*types.Validator
	headers    []types.Header
}

func (r *recordingEvents) record(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recordingEvents) PublishEventNewBlock(d types.EventDataNewBlock) error {
	r.record("NewBlock %d %v results=%d", d.Block.Height, d.Block.HashesTo(d.BlockID.Hash), len(d.ResultFinalizeBlock.TxResults))
	return nil
}

func (r *recordingEvents) PublishEventNewBlockHeader(d types.EventDataNewBlockHeader) error {
	r.mu.Lock()
	r.headers = append(r.headers, d.Header)
	r.mu.Unlock()
	r.record("NewBlockHeader %d", d.Header.Height)
	return nil
}

func (r *recordingEvents) PublishEventNewBlockEvents(d types.EventDataNewBlockEvents) error {
	r.record("NewBlockEvents %d events=%d txs=%d", d.Height, len(d.Events), d.NumTxs)
	return nil
}

func (r *recordingEvents) PublishEventNewEvidence(d types.EventDataNewEvidence) error {
	r.record("NewEvidence %d", d.Height)
	return nil
}

func (r *recordingEvents) PublishEventTx(d types.EventDataTx) error {
	res := d.TxResult
	r.mu.Lock()
	r.txs = append(r.txs, &res)
	r.mu.Unlock()
	r.record("Tx %d/%d %s code=%d", res.Height, res.Index, res.Tx, res.Result.Code)
	return nil
}

func (r *recordingEvents) PublishEventValidatorSetUpdates(d types.EventDataValidatorSetUpdates) error {
	r.mu.Lock()
	r.valUpdates = append(r.valUpdates, d.ValidatorUpdates)
	r.mu.Unlock()
	r.record("ValidatorSetUpdates %d", len(d.ValidatorUpdates))
	return nil
}

func (r *recordingEvents) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// crashStore is a Store that records its writes in the call log and fails the ones it is told
// to.
type crashStore struct {
	Store
	log *callLog

	failSaveAt     int64 // Save of the state after this height fails
	failResponseAt int64 // SaveFinalizeBlockResponse of this height fails
}

func (s *crashStore) Save(st State) error {
	if s.failSaveAt != 0 && st.LastBlockHeight == s.failSaveAt {
		s.log.add("store.Save %d failed", st.LastBlockHeight)
		return errCrash
	}
	s.log.add("store.Save %d", st.LastBlockHeight)
	return s.Store.Save(st)
}

func (s *crashStore) SaveFinalizeBlockResponse(height int64, resp *abci.ResponseFinalizeBlock) error {
	if s.failResponseAt == height {
		s.log.add("store.SaveFinalizeBlockResponse %d failed", height)
		return errCrash
	}
	s.log.add("store.SaveFinalizeBlockResponse %d", height)
	return s.Store.SaveFinalizeBlockResponse(height, resp)
}
