package client

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// MaxMessageSize is the largest response a SocketClient accepts (abci.md §2.1: 2^31−1 bytes).
const MaxMessageSize = math.MaxInt32

// queueDepth bounds the requests accepted but not yet written to the socket (CometBFT: 256).
// Callers beyond it wait for room (or their ctx).
const queueDepth = 256

// SocketClient is a Client speaking the ABCI socket protocol. One goroutine writes requests into
// a buffered writer and one reads responses; requests are pipelined and every response is matched
// to the oldest unanswered request. A synchronous call queues its request and a Flush and waits
// for the Flush's answer. Whenever the send queue runs empty after requests other than Flush were
// written (asynchronous CheckTx), the writer sends a Flush itself, so that an app which, like the
// reference server, only flushes its answers on Flush still answers promptly.
type SocketClient struct {
	addr        string
	network     string
	address     string
	mustConnect bool
	opts        options

	slots     chan struct{} // one token per queued request; capacity queueDepth
	wake      chan struct{} // capacity 1: the queue may be non-empty
	connected chan struct{}
	stopped   chan struct{} // closed once err is set
	started   atomic.Bool

	mtx   sync.Mutex
	err   error
	queue []*ReqRes // accepted, not yet taken by the writer
	sent  []*ReqRes // taken by the writer, unanswered, oldest first
}

// NewSocketClient returns a client of the app at addr (see ParseAddr). It does not dial: Run does.
// With mustConnect, Run fails if the first dial fails; otherwise it retries every retry interval
// (WithRetryInterval), logging at most one INFO line every few seconds.
func NewSocketClient(addr string, mustConnect bool, opts ...Option) (*SocketClient, error) {
	network, address, err := ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	return &SocketClient{
		addr:        addr,
		network:     network,
		address:     address,
		mustConnect: mustConnect,
		opts:        buildOptions(opts),
		slots:       make(chan struct{}, queueDepth),
		wake:        make(chan struct{}, 1),
		connected:   make(chan struct{}),
		stopped:     make(chan struct{}),
	}, nil
}

// Connected is closed once the client has connected to the app.
func (c *SocketClient) Connected() <-chan struct{} { return c.connected }

// Error returns the error that broke or closed the client, or nil.
func (c *SocketClient) Error() error {
	c.mtx.Lock()
	defer c.mtx.Unlock()
	return c.err
}

// fail breaks the client with err (the first error wins) and completes every queued and
// unanswered request with it.
func (c *SocketClient) fail(err error) {
	c.mtx.Lock()
	if c.err != nil {
		c.mtx.Unlock()
		return
	}
	c.err = c.opts.named(err)
	err = c.err
	sent, queue := c.sent, c.queue
	c.sent, c.queue = nil, nil
	c.mtx.Unlock()
	close(c.stopped)
	for range queue {
		<-c.slots
	}
	for _, rr := range sent {
		rr.complete(nil, err)
	}
	for _, rr := range queue {
		rr.complete(nil, err)
	}
}

// enqueue hands requests to the writer, in order, waiting for room in the queue.
func (c *SocketClient) enqueue(ctx context.Context, reqs ...*ReqRes) error {
	for i := range reqs {
		select {
		case c.slots <- struct{}{}:
		case <-ctx.Done():
			c.release(i)
			return ctx.Err()
		case <-c.stopped:
			c.release(i)
			return c.Error()
		}
	}
	c.mtx.Lock()
	if err := c.err; err != nil {
		c.mtx.Unlock()
		c.release(len(reqs))
		return err
	}
	c.queue = append(c.queue, reqs...)
	c.mtx.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

func (c *SocketClient) release(n int) {
	for range n {
		<-c.slots
	}
}

// call sends req followed by a Flush and waits for both answers.
func (c *SocketClient) call(ctx context.Context, req *abci.Request) (*abci.Response, error) {
	rr := newReqRes(req, nil)
	flush := newReqRes(flushRequest(), nil)
	if err := c.enqueue(ctx, rr, flush); err != nil {
		return nil, err
	}
	if _, err := flush.Wait(ctx); err != nil {
		return nil, err
	}
	// Answers arrive in order, and a failure completes every request, so rr is done.
	res, err := rr.Response()
	if res == nil && err == nil {
		panic("abci client: Flush answered before the request preceding it")
	}
	return res, err
}

// Flush waits until every request queued before it has been answered.
func (c *SocketClient) Flush(ctx context.Context) error {
	flush := newReqRes(flushRequest(), nil)
	if err := c.enqueue(ctx, flush); err != nil {
		return err
	}
	_, err := flush.Wait(ctx)
	return err
}

// CheckTxAsync queues a CheckTx; see Client.
func (c *SocketClient) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx, cb func(*abci.ResponseCheckTx, error)) (*ReqRes, error) {
	rr := newReqRes(&abci.Request{Value: &abci.Request_CheckTx{CheckTx: req}}, checkTxCallback(cb))
	if err := c.enqueue(ctx, rr); err != nil {
		return nil, err
	}
	return rr, nil
}

// errUnanswered is a response that does not answer the oldest request.
func errUnanswered(req *abci.Request, res *abci.Response) error {
	if req == nil {
		return fmt.Errorf("%w %s with no request outstanding", ErrUnexpectedResponse, responseName(res))
	}
	return fmt.Errorf("%w %s for request %s", ErrUnexpectedResponse, responseName(res), requestName(req))
}
