package types

import (
	"context"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// BaseApplication is an Application that accepts everything and stores nothing. Embed it and
// override the methods an application needs.
type BaseApplication struct{}

var _ Application = BaseApplication{}

// Info reports height 0 and an empty app hash.
func (BaseApplication) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	return &abci.ResponseInfo{}, nil
}

// Query answers every query with code 0 and no value.
func (BaseApplication) Query(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error) {
	return &abci.ResponseQuery{Code: CodeTypeOK}, nil
}

// CheckTx accepts every transaction.
func (BaseApplication) CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	return &abci.ResponseCheckTx{Code: CodeTypeOK}, nil
}

// InitChain keeps the genesis validators and parameters.
func (BaseApplication) InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	return &abci.ResponseInitChain{}, nil
}

// PrepareProposal proposes the transactions it is given, in order, dropping those that would
// exceed the request's MaxTxBytes.
func (BaseApplication) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	txs := make([][]byte, 0, len(req.Txs))
	var total int64
	for _, tx := range req.Txs {
		total += int64(len(tx))
		if total > req.MaxTxBytes {
			break
		}
		txs = append(txs, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}

// ProcessProposal accepts every proposal.
func (BaseApplication) ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}

// ExtendVote returns an empty extension.
func (BaseApplication) ExtendVote(context.Context, *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	return &abci.ResponseExtendVote{}, nil
}

// VerifyVoteExtension accepts every extension.
func (BaseApplication) VerifyVoteExtension(context.Context, *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT}, nil
}

// FinalizeBlock returns a successful result for every transaction and no state change.
func (BaseApplication) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	results := make([]*abci.ExecTxResult, len(req.Txs))
	for i := range req.Txs {
		results[i] = &abci.ExecTxResult{Code: CodeTypeOK}
	}
	return &abci.ResponseFinalizeBlock{TxResults: results}, nil
}

// Commit retains every height.
func (BaseApplication) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	return &abci.ResponseCommit{}, nil
}

// ListSnapshots lists none.
func (BaseApplication) ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	return &abci.ResponseListSnapshots{}, nil
}

// OfferSnapshot rejects every snapshot, as the application has no way to restore one.
func (BaseApplication) OfferSnapshot(context.Context, *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT}, nil
}

// LoadSnapshotChunk returns no chunk.
func (BaseApplication) LoadSnapshotChunk(context.Context, *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	return &abci.ResponseLoadSnapshotChunk{}, nil
}

// ApplySnapshotChunk aborts: the application restores no snapshots.
func (BaseApplication) ApplySnapshotChunk(context.Context, *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
}
