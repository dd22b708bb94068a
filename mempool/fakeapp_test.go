package mempool

import (
	"context"
	"sync"

	"github.com/ballot-bft/ballot/abci/client"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// fakeApp is a scripted appconn.Mempool. In inline mode it answers CheckTxAsync on the caller's
// goroutine, like a LocalClient. Otherwise requests wait in a FIFO queue, like a socket client's,
// until the test answers them (answer, answerAll) or serve does; Flush waits for every request
// queued before it.
type fakeApp struct {
	mu       sync.Mutex
	script   func(*abci.RequestCheckTx) *abci.ResponseCheckTx
	inline   bool
	queue    []fakeCall // unanswered requests and flush markers, oldest first
	requests []*abci.RequestCheckTx
	broken   error
	grew     chan struct{} // closed and replaced whenever the queue grows
	// beforeQueue, if set, runs at the start of CheckTxAsync (to hold a caller there).
	beforeQueue func(ctx context.Context) error
}

type fakeCall struct {
	req     *abci.RequestCheckTx
	cb      func(*abci.ResponseCheckTx, error)
	flushed chan struct{} // set for a flush marker
}

// okScript accepts everything with gas_wanted 1.
func okScript(*abci.RequestCheckTx) *abci.ResponseCheckTx {
	return &abci.ResponseCheckTx{GasWanted: 1}
}

func newFakeApp(inline bool) *fakeApp {
	return &fakeApp{script: okScript, inline: inline, grew: make(chan struct{})}
}

func (a *fakeApp) setScript(script func(*abci.RequestCheckTx) *abci.ResponseCheckTx) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.script = script
}

func (a *fakeApp) Error() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.broken
}

func (a *fakeApp) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.broken != nil {
		return nil, a.broken
	}
	a.requests = append(a.requests, req)
	return a.script(req), nil
}

func (a *fakeApp) CheckTxAsync(ctx context.Context, req *abci.RequestCheckTx, cb func(*abci.ResponseCheckTx, error)) (*client.ReqRes, error) {
	if a.beforeQueue != nil {
		if err := a.beforeQueue(ctx); err != nil {
			return nil, err
		}
	}
	a.mu.Lock()
	if a.broken != nil {
		err := a.broken
		a.mu.Unlock()
		return nil, err
	}
	a.requests = append(a.requests, req)
	if a.inline {
		res := a.script(req)
		a.mu.Unlock()
		cb(res, nil)
		return nil, nil
	}
	a.push(fakeCall{req: req, cb: cb})
	a.mu.Unlock()
	return nil, nil
}

// push appends to the queue; called with mu held.
func (a *fakeApp) push(call fakeCall) {
	a.queue = append(a.queue, call)
	close(a.grew)
	a.grew = make(chan struct{})
}

func (a *fakeApp) Flush(ctx context.Context) error {
	a.mu.Lock()
	if a.broken != nil {
		err := a.broken
		a.mu.Unlock()
		return err
	}
	if len(a.queue) == 0 {
		a.mu.Unlock()
		return nil
	}
	marker := fakeCall{flushed: make(chan struct{})}
	a.push(marker)
	a.mu.Unlock()
	select {
	case <-marker.flushed:
		return a.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answer answers up to n queued requests in order (flush markers on the way are released) and
// returns how many it answered.
func (a *fakeApp) answer(n int) int {
	answered := 0
	for answered < n {
		a.mu.Lock()
		if len(a.queue) == 0 {
			a.mu.Unlock()
			return answered
		}
		call := a.queue[0]
		a.queue = a.queue[1:]
		if call.flushed != nil {
			a.mu.Unlock()
			close(call.flushed)
			continue
		}
		res := a.script(call.req)
		a.mu.Unlock()
		call.cb(res, nil)
		answered++
	}
	// Release flush markers that now have nothing before them.
	a.mu.Lock()
	for len(a.queue) > 0 && a.queue[0].flushed != nil {
		close(a.queue[0].flushed)
		a.queue = a.queue[1:]
	}
	a.mu.Unlock()
	return answered
}

func (a *fakeApp) answerAll() int { return a.answer(int(^uint(0) >> 1)) }

// serve answers requests as they are queued until ctx ends.
func (a *fakeApp) serve(ctx context.Context) {
	for {
		a.mu.Lock()
		grew := a.grew
		a.mu.Unlock()
		a.answerAll()
		select {
		case <-grew:
		case <-ctx.Done():
			return
		}
	}
}

// breakConn breaks the connection: queued requests fail with err, later calls too.
func (a *fakeApp) breakConn(err error) {
	a.mu.Lock()
	a.broken = err
	queue := a.queue
	a.queue = nil
	a.mu.Unlock()
	for _, call := range queue {
		if call.flushed != nil {
			close(call.flushed)
		} else {
			call.cb(nil, err)
		}
	}
}

// reconnect undoes breakConn: later calls reach the app again.
func (a *fakeApp) reconnect() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.broken = nil
}

// pending returns the number of unanswered requests.
func (a *fakeApp) pending() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, call := range a.queue {
		if call.flushed == nil {
			n++
		}
	}
	return n
}

// flushQueued reports whether a Flush is waiting in the queue.
func (a *fakeApp) flushQueued() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, call := range a.queue {
		if call.flushed != nil {
			return true
		}
	}
	return false
}

// count returns the number of requests of type typ received so far.
func (a *fakeApp) count(typ abci.CheckTxType) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, req := range a.requests {
		if req.Type == typ {
			n++
		}
	}
	return n
}

// waitPending waits until at least n requests are unanswered.
func (a *fakeApp) waitPending(n int) {
	for {
		a.mu.Lock()
		grew := a.grew
		a.mu.Unlock()
		if a.pending() >= n {
			return
		}
		<-grew
	}
}

func (a *fakeApp) setInline(inline bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.inline = inline
}
