package client

import (
	"context"
	"sync/atomic"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// ReqRes is one request in flight and, once Done is closed, its outcome.
type ReqRes struct {
	// Request is the envelope sent to the app. It must not be modified.
	Request *abci.Request

	cb        func(*abci.Response, error)
	done      chan struct{}
	completed atomic.Bool
	res       *abci.Response
	err       error
}

func newReqRes(req *abci.Request, cb func(*abci.Response, error)) *ReqRes {
	return &ReqRes{Request: req, cb: cb, done: make(chan struct{})}
}

// Done is closed once the request has an outcome.
func (r *ReqRes) Done() <-chan struct{} { return r.done }

// Response returns the outcome: the app's response, or the error that broke the client. Before
// Done is closed it returns (nil, nil).
func (r *ReqRes) Response() (*abci.Response, error) {
	select {
	case <-r.done:
		return r.res, r.err
	default:
		return nil, nil
	}
}

// Wait waits for the outcome or for ctx to end.
func (r *ReqRes) Wait(ctx context.Context) (*abci.Response, error) {
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// complete records the outcome, runs the callback and closes Done. It is called exactly once.
func (r *ReqRes) complete(res *abci.Response, err error) {
	if !r.completed.CompareAndSwap(false, true) {
		panic("abci client: request completed twice")
	}
	r.res, r.err = res, err
	if r.cb != nil {
		r.cb(res, err)
	}
	close(r.done)
}

// checkTxCallback adapts a typed CheckTx callback to an envelope callback.
func checkTxCallback(cb func(*abci.ResponseCheckTx, error)) func(*abci.Response, error) {
	if cb == nil {
		return nil
	}
	return func(res *abci.Response, err error) {
		if err != nil {
			cb(nil, err)
			return
		}
		cb(res.GetCheckTx(), nil)
	}
}
