package client

import (
	"context"
	"errors"
	"sync"

	"github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// LocalClient calls an Application in the same process. Each call holds the client's mutex while
// the app runs, so calls are serialized per mutex: give the four connections one shared mutex to
// serialize the whole app, or one each when the app is safe for concurrent use across connections.
//
// Calls work from construction on; Run only bounds the client's lifetime. An error returned by the
// app breaks the client exactly like an exception on a socket (an *ExceptionError wrapping it),
// as does a nil response without an error (ErrNilResponse).
type LocalClient struct {
	mtx  *sync.Mutex
	app  types.Application
	opts options

	connected chan struct{}
	stopped   chan struct{} // closed once err is set
	errMtx    sync.Mutex
	err       error
	started   sync.Once
}

// NewLocalClient returns a client of app whose calls are serialized by mtx; a nil mtx gives the
// client a mutex of its own.
func NewLocalClient(mtx *sync.Mutex, app types.Application, opts ...Option) *LocalClient {
	if mtx == nil {
		mtx = new(sync.Mutex)
	}
	c := &LocalClient{
		mtx:       mtx,
		app:       app,
		opts:      buildOptions(opts),
		connected: make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	close(c.connected)
	return c
}

// Run waits for ctx to end (returning nil, after which calls fail with ErrClientClosed) or for the
// client to break (returning the error).
func (c *LocalClient) Run(ctx context.Context) error {
	first := false
	c.started.Do(func() { first = true })
	if !first {
		return ErrAlreadyStarted
	}
	select {
	case <-ctx.Done():
		c.fail(ErrClientClosed)
		if err := c.Error(); !errors.Is(err, ErrClientClosed) {
			return err // the app broke the client before ctx ended
		}
		return nil
	case <-c.stopped:
		return c.Error()
	}
}

// Connected is closed from construction on.
func (c *LocalClient) Connected() <-chan struct{} { return c.connected }

// Error returns the error that broke or closed the client, or nil.
func (c *LocalClient) Error() error {
	c.errMtx.Lock()
	defer c.errMtx.Unlock()
	return c.err
}

func (c *LocalClient) fail(err error) {
	c.errMtx.Lock()
	defer c.errMtx.Unlock()
	if c.err != nil {
		return
	}
	c.err = c.opts.named(err)
	close(c.stopped)
}

// localCall runs one app method under the client's mutex and turns app failures into a broken
// client.
func localCall[Req, Res any](ctx context.Context, c *LocalClient, method func(context.Context, *Req) (*Res, error), req *Req) (*Res, error) {
	if err := c.Error(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mtx.Lock()
	res, err := method(ctx, req)
	c.mtx.Unlock()
	switch {
	case err != nil:
		c.fail(&ExceptionError{Message: err.Error(), Err: err})
		return nil, c.Error()
	case res == nil:
		c.fail(ErrNilResponse)
		return nil, c.Error()
	}
	return res, nil
}

// Echo returns msg.
func (c *LocalClient) Echo(ctx context.Context, msg string) (*abci.ResponseEcho, error) {
	if err := c.Error(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &abci.ResponseEcho{Message: msg}, nil
}

// Flush has nothing to wait for: every call has returned by the time it is made.
func (c *LocalClient) Flush(ctx context.Context) error {
	if err := c.Error(); err != nil {
		return err
	}
	return ctx.Err()
}

// Info runs the app's Info under the client's mutex; see Client.
func (c *LocalClient) Info(ctx context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	return localCall(ctx, c, c.app.Info, req)
}

// Query runs the app's Query under the client's mutex; see Client.
func (c *LocalClient) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	return localCall(ctx, c, c.app.Query, req)
}

// CheckTx runs the app's CheckTx under the client's mutex; see Client.
func (c *LocalClient) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	return localCall(ctx, c, c.app.CheckTx, req)
}

// InitChain runs the app's InitChain under the client's mutex; see Client.
func (c *LocalClient) InitChain(ctx context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	return localCall(ctx, c, c.app.InitChain, req)
}

// PrepareProposal runs the app's PrepareProposal under the client's mutex; see Client.
func (c *LocalClient) PrepareProposal(ctx context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	return localCall(ctx, c, c.app.PrepareProposal, req)
}

// ProcessProposal runs the app's ProcessProposal under the client's mutex; see Client.
func (c *LocalClient) ProcessProposal(ctx context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	return localCall(ctx, c, c.app.ProcessProposal, req)
}

// ExtendVote runs the app's ExtendVote under the client's mutex; see Client.
func (c *LocalClient) ExtendVote(ctx context.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	return localCall(ctx, c, c.app.ExtendVote, req)
}

// VerifyVoteExtension runs the app's VerifyVoteExtension under the client's mutex; see Client.
func (c *LocalClient) VerifyVoteExtension(ctx context.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	return localCall(ctx, c, c.app.VerifyVoteExtension, req)
}

// FinalizeBlock runs the app's FinalizeBlock under the client's mutex; see Client.
func (c *LocalClient) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	return localCall(ctx, c, c.app.FinalizeBlock, req)
}

// Commit runs the app's Commit under the client's mutex; see Client.
func (c *LocalClient) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	return localCall(ctx, c, c.app.Commit, req)
}

// ListSnapshots runs the app's ListSnapshots under the client's mutex; see Client.
func (c *LocalClient) ListSnapshots(ctx context.Context, req *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	return localCall(ctx, c, c.app.ListSnapshots, req)
}

// OfferSnapshot runs the app's OfferSnapshot under the client's mutex; see Client.
func (c *LocalClient) OfferSnapshot(ctx context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	return localCall(ctx, c, c.app.OfferSnapshot, req)
}

// LoadSnapshotChunk runs the app's LoadSnapshotChunk under the client's mutex; see Client.
func (c *LocalClient) LoadSnapshotChunk(ctx context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	return localCall(ctx, c, c.app.LoadSnapshotChunk, req)
}

// ApplySnapshotChunk runs the app's ApplySnapshotChunk under the client's mutex; see Client.
func (c *LocalClient) ApplySnapshotChunk(ctx context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	return localCall(ctx, c, c.app.ApplySnapshotChunk, req)
}

// CheckTxAsync runs CheckTx at once, calls cb on the caller's goroutine and returns the completed
// ReqRes. If the app fails in this call, cb and the ReqRes get the error; if the client was
// already broken or ctx has ended, the error is returned and cb is not called.
func (c *LocalClient) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx, cb func(*abci.ResponseCheckTx, error)) (*ReqRes, error) {
	if err := c.Error(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rr := newReqRes(&abci.Request{Value: &abci.Request_CheckTx{CheckTx: req}}, checkTxCallback(cb))
	res, err := c.CheckTx(ctx, req)
	if err != nil {
		rr.complete(nil, err)
		return rr, nil
	}
	rr.complete(&abci.Response{Value: &abci.Response_CheckTx{CheckTx: res}}, nil)
	return rr, nil
}
