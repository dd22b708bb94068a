package mempool

import (
	"context"
	"sync"
)

// gate is the update exclusion: while it is closed (between Lock and Unlock) no new CheckTx gets
// to the app. CheckTx holds a pass (enter … leave) from its first check until its request is
// queued on the app connection; close waits for the passes out, so that the FlushAppConn after
// Lock covers every request admitted before it.
//
// It is a readers–writer lock whose readers can give up when their context ends.
type gate struct {
	mu      sync.Mutex
	closed  bool
	passes  int
	opened  chan struct{} // non-nil while closed; closed when the gate opens
	drained chan struct{} // non-nil while close waits; closed when passes drops to 0
}

// enter waits until the gate is open and takes a pass. It fails only with ctx's error.
func (g *gate) enter(ctx context.Context) error {
	g.mu.Lock()
	for g.closed {
		opened := g.opened
		g.mu.Unlock()
		select {
		case <-opened:
		case <-ctx.Done():
			return ctx.Err()
		}
		g.mu.Lock()
	}
	g.passes++
	g.mu.Unlock()
	return nil
}

// leave returns a pass taken by enter.
func (g *gate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.passes <= 0 {
		panic("mempool: gate left more often than entered")
	}
	g.passes--
	if g.passes == 0 && g.drained != nil {
		close(g.drained)
		g.drained = nil
	}
}

// close waits until the gate is open (another holder may have it), closes it and waits until
// every pass is returned.
func (g *gate) close() {
	g.mu.Lock()
	for g.closed {
		opened := g.opened
		g.mu.Unlock()
		<-opened
		g.mu.Lock()
	}
	g.closed = true
	g.opened = make(chan struct{})
	if g.passes == 0 {
		g.mu.Unlock()
		return
	}
	drained := make(chan struct{})
	g.drained = drained
	g.mu.Unlock()
	<-drained
}

// open reopens a closed gate. Opening an open gate is a bug of the caller.
func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		panic("mempool: Unlock of an unlocked mempool")
	}
	g.closed = false
	close(g.opened)
	g.opened = nil
}

// isClosed reports whether the gate is closed.
func (g *gate) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}
