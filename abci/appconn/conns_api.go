package appconn

import (
	"context"

	"github.com/ballot-bft/ballot/abci/client"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Names of the four connections, as they appear in errors and logs.
const (
	ConnQuery     = "query"
	ConnSnapshot  = "snapshot"
	ConnMempool   = "mempool"
	ConnConsensus = "consensus"
)

// connectOrder is the order in which Conns connects its clients (CometBFT's order).
var connectOrder = []string{ConnQuery, ConnSnapshot, ConnMempool, ConnConsensus}

// Consensus is the consensus connection: the handshake's InitChain, the per-height calls, and
// Flush. Methods are safe for concurrent use, but the node issues them from one goroutine, in
// the order of abci.md §3–§4. Error is non-nil once the connection is broken; every call then
// fails with it.
type Consensus interface {
	Error() error
	Flush(context.Context) error
	InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error)
	PrepareProposal(context.Context, *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error)
	ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error)
	ExtendVote(context.Context, *abci.RequestExtendVote) (*abci.ResponseExtendVote, error)
	VerifyVoteExtension(context.Context, *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error)
	FinalizeBlock(context.Context, *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error)
	Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error)
}

// Mempool is the mempool connection: pipelined CheckTx (NEW and RECHECK) with callbacks, the
// synchronous CheckTx of RPC check_tx, and Flush (which the node sends before Commit so that every
// CheckTx in flight has been answered). See client.Client.CheckTxAsync for the callback contract.
type Mempool interface {
	Error() error
	Flush(context.Context) error
	CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error)
	CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx, cb func(*abci.ResponseCheckTx, error)) (*client.ReqRes, error)
}

// Query is the query (info) connection: the handshake's Info, RPC abci_info/abci_query, peer
// filtering and state-sync's app check.
type Query interface {
	Error() error
	Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error)
	Query(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)
}

// Snapshot is the state-sync connection.
type Snapshot interface {
	Error() error
	ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error)
	OfferSnapshot(context.Context, *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error)
	LoadSnapshotChunk(context.Context, *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error)
	ApplySnapshotChunk(context.Context, *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error)
}

// The clients of package client carry every connection.
var (
	_ Consensus = client.Client(nil)
	_ Mempool   = client.Client(nil)
	_ Query     = client.Client(nil)
	_ Snapshot  = client.Client(nil)
)
