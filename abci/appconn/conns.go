package appconn

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/libs/log"
)

// Conns is the node's set of four application connections.
type Conns struct {
	clients   map[string]client.Client
	logger    log.Logger
	connected chan struct{}
	started   atomic.Bool

	mtx      sync.Mutex
	firstErr error
}

// NewConns creates the four clients with creator (in connection order); none is started until Run.
// A nil logger discards.
func NewConns(creator ClientCreator, logger log.Logger) (*Conns, error) {
	if logger == nil {
		logger = log.NewNop()
	}
	c := &Conns{clients: make(map[string]client.Client, len(connectOrder)), logger: logger, connected: make(chan struct{})}
	for _, conn := range connectOrder {
		cl, err := creator.NewClient(conn)
		if err != nil {
			return nil, fmt.Errorf("creating the %s connection's client: %w", conn, err)
		}
		c.clients[conn] = cl
	}
	return c, nil
}

// Consensus returns the consensus connection. It may be used before Run (socket calls then wait
// for the connection).
func (c *Conns) Consensus() Consensus { return c.clients[ConnConsensus] }

// Mempool returns the mempool connection.
func (c *Conns) Mempool() Mempool { return c.clients[ConnMempool] }

// Query returns the query connection.
func (c *Conns) Query() Query { return c.clients[ConnQuery] }

// Snapshot returns the snapshot (state-sync) connection.
func (c *Conns) Snapshot() Snapshot { return c.clients[ConnSnapshot] }

// Connected is closed once all four clients are connected.
func (c *Conns) Connected() <-chan struct{} { return c.connected }

// Error returns the error of the first client that broke, or nil while all work.
func (c *Conns) Error() error {
	c.mtx.Lock()
	defer c.mtx.Unlock()
	return c.firstErr
}

// Run starts the clients one at a time in the order query → snapshot → mempool → consensus, each
// once the previous one is connected, and then serves until ctx is cancelled (returning nil) or a
// client breaks: then it logs that the connection terminated, stops the other clients, and
// returns the broken client's error (it names the connection). Run may be called once.
func (c *Conns) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return client.ErrAlreadyStarted
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type exit struct {
		conn string
		err  error
	}
	exits := make(chan exit, len(connectOrder))
	running := 0
	// stop records the first failure, stops every client and waits for them.
	stop := func(first exit) error {
		c.record(first.conn, first.err)
		cancel()
		for range running - 1 {
			e := <-exits
			c.record(e.conn, e.err)
		}
		return c.Error()
	}

	for _, conn := range connectOrder {
		cl := c.clients[conn]
		running++
		go func() { exits <- exit{conn, cl.Run(ctx)} }()
		select {
		case <-cl.Connected():
			c.logger.Debug("abci connection ready", "conn", conn)
		case e := <-exits:
			return stop(e)
		}
	}
	close(c.connected)
	return stop(<-exits)
}

// record keeps the first client error and logs it.
func (c *Conns) record(conn string, err error) {
	if err == nil {
		return
	}
	c.mtx.Lock()
	first := c.firstErr == nil
	if first {
		c.firstErr = err
	}
	c.mtx.Unlock()
	if first {
		c.logger.Error(conn+" connection terminated. Did the application crash? Please restart ballot", "err", err)
	}
}
