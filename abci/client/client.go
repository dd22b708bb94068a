package client

import (
	"context"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Client carries the ABCI calls of one application connection. All methods are safe for
// concurrent use. Synchronous calls return the app's response, ctx's error if ctx ends first (the
// request may still reach the app; its response is then discarded), or the error that broke the
// client (see Error). Request messages are only read, and must not be modified until the call
// returns (for CheckTxAsync: until the ReqRes is done). Responses belong to the caller.
type Client interface {
	// Run connects and serves until ctx is cancelled (then it returns nil and later calls fail
	// with ErrClientClosed) or the client breaks (then it returns the error Error reports). Run
	// may be called once; a second call returns ErrAlreadyStarted.
	Run(ctx context.Context) error
	// Connected is closed once calls can reach the application.
	Connected() <-chan struct{}
	// Error returns nil while the client works, and the error that broke or closed it afterwards.
	Error() error

	// Echo asks the app to echo msg. The node never sends it; it is a liveness probe.
	Echo(ctx context.Context, msg string) (*abci.ResponseEcho, error)
	// Flush returns once every request sent before it has been answered.
	Flush(ctx context.Context) error

	Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error)
	Query(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error)
	CheckTx(context.Context, *abci.RequestCheckTx) (*abci.ResponseCheckTx, error)
	InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error)
	PrepareProposal(context.Context, *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error)
	ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error)
	ExtendVote(context.Context, *abci.RequestExtendVote) (*abci.ResponseExtendVote, error)
	VerifyVoteExtension(context.Context, *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error)
	FinalizeBlock(context.Context, *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error)
	Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error)
	ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error)
	OfferSnapshot(context.Context, *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error)
	LoadSnapshotChunk(context.Context, *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error)
	ApplySnapshotChunk(context.Context, *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error)

	// CheckTxAsync queues a CheckTx without waiting for its answer and returns its ReqRes; ctx
	// bounds only the wait for room in the send queue. cb, if not nil, is called exactly once with
	// the response or the error that broke the client; callbacks of one client are called in
	// request order, on a goroutine of the client, so they must not block and must not make
	// synchronous calls on the same client. A SocketClient pushes queued requests to the app by
	// itself (it sends a Flush whenever its send queue runs empty); call Flush to wait for all
	// answers. If CheckTxAsync returns an error, the request was not queued and cb is not called.
	CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx, cb func(*abci.ResponseCheckTx, error)) (*ReqRes, error)
}

var (
	_ Client = (*LocalClient)(nil)
	_ Client = (*SocketClient)(nil)
)

// Transports accepted by NewClient.
const (
	TransportSocket = "socket"
	TransportGRPC   = "grpc"
)

// NewClient returns a client of the app at addr ("tcp://host:port", "unix:///path" or bare
// "host:port") over transport. Only TransportSocket is implemented; TransportGRPC and unknown
// transports are errors. If mustConnect is set, Run fails at once when the first dial fails;
// otherwise it retries until the app is up or ctx ends.
func NewClient(addr, transport string, mustConnect bool, opts ...Option) (Client, error) {
	switch transport {
	case TransportSocket:
		return NewSocketClient(addr, mustConnect, opts...)
	case TransportGRPC:
		return nil, fmt.Errorf("abci client: transport %q is not supported (use %q)", transport, TransportSocket)
	default:
		return nil, fmt.Errorf("abci client: unknown transport %q (want %q)", transport, TransportSocket)
	}
}

// named prefixes err with the connection name, if any.
func (o *options) named(err error) error {
	if o.name == "" {
		return err
	}
	return fmt.Errorf("%s connection: %w", o.name, err)
}
