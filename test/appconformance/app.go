package appconformance

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/client"
)

// app is the harness's four connections to one application, as a node holds them.
type app struct {
	name string // "app1", "app2"
	addr string

	conns  *appconn.Conns
	cancel context.CancelFunc
	done   chan error
}

// connect opens the four connections (query, snapshot, mempool, consensus), waiting up to
// cfg.ConnectTimeout for the app to accept them.
func (a *app) connect(ctx context.Context, cfg Config) error {
	conns, err := appconn.NewConns(appconn.NewRemoteCreator(a.addr, client.TransportSocket, false,
		client.WithRetryInterval(cfg.RetryInterval)), nil)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- conns.Run(runCtx) }()

	timer, stop := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer stop()
	select {
	case <-conns.Connected():
		a.conns, a.cancel, a.done = conns, cancel, done
		return nil
	case err := <-done:
		cancel()
		return fmt.Errorf("connecting to %s: %w", a.addr, err)
	case <-timer.Done():
		cancel()
		<-done
		return fmt.Errorf("connecting to %s: no answer within %v", a.addr, cfg.ConnectTimeout)
	}
}

// close closes the connections and waits for their goroutines. It returns the error that
// broke a connection earlier, if one did.
func (a *app) close() error {
	if a.conns == nil {
		return nil
	}
	a.cancel()
	err := <-a.done
	a.conns = nil
	if errors.Is(err, client.ErrClientClosed) {
		err = nil
	}
	return err
}

func (a *app) consensus() appconn.Consensus { return a.conns.Consensus() }
func (a *app) mempool() appconn.Mempool     { return a.conns.Mempool() }
func (a *app) query() appconn.Query         { return a.conns.Query() }
func (a *app) snapshot() appconn.Snapshot   { return a.conns.Snapshot() }
