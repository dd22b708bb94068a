package types

import (
	"context"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Application is an ABCI 2.0 application. A returned error is an exception: the node treats the
// connection as broken and stops, so applications report ordinary failures (an invalid
// transaction, an unknown query path) in the response's code instead.
type Application interface {
	// Info/query connection.

	// Info reports the last committed height and app hash; the node uses it in the handshake.
	Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error)
	// Query reads application state, optionally at a height.
	Query(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)

	// Mempool connection.

	// CheckTx validates a transaction for the mempool (type New) or revalidates it after a
	// commit (type Recheck).
	CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error)

	// Consensus connection.

	// InitChain is called once, at genesis, before the first block.
	InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error)
	// PrepareProposal lets the proposer reorder, add or remove transactions of its block.
	PrepareProposal(context.Context, *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error)
	// ProcessProposal accepts or rejects a proposed block.
	ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error)
	// ExtendVote returns the extension to attach to this validator's precommit.
	ExtendVote(context.Context, *abci.RequestExtendVote) (*abci.ResponseExtendVote, error)
	// VerifyVoteExtension accepts or rejects another validator's vote extension.
	VerifyVoteExtension(context.Context, *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error)
	// FinalizeBlock executes a decided block and returns the results and the new app hash.
	FinalizeBlock(context.Context, *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error)
	// Commit makes the state of the last finalized block durable.
	Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error)

	// State-sync (snapshot) connection.

	// ListSnapshots lists the snapshots the application can serve.
	ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error)
	// OfferSnapshot offers a snapshot from a peer to restore from.
	OfferSnapshot(context.Context, *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error)
	// LoadSnapshotChunk returns one chunk of a local snapshot.
	LoadSnapshotChunk(context.Context, *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error)
	// ApplySnapshotChunk applies one chunk of the snapshot being restored.
	ApplySnapshotChunk(context.Context, *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error)
}
