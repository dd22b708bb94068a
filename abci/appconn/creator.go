package appconn

import (
	"slices"
	"sync"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/types"
)

// ClientCreator makes the client of one connection. NewClient is called once per connection with
// its name (ConnQuery, …); the client it returns must name that connection in its errors
// (client.WithConnName) and must not have been started.
type ClientCreator interface {
	NewClient(conn string) (client.Client, error)
}

type localCreator struct {
	shared *sync.Mutex // nil: a mutex per connection
	app    types.Application
	opts   []client.Option
}

// NewLocalCreator creates in-process clients of app that share one mutex: no two calls of any
// connections run at the same time.
func NewLocalCreator(app types.Application, opts ...client.Option) ClientCreator {
	return &localCreator{shared: new(sync.Mutex), app: app, opts: opts}
}

// NewConnSyncLocalCreator creates in-process clients of app with a mutex each: calls are
// serialized per connection only, and the app must guard state shared between connections.
func NewConnSyncLocalCreator(app types.Application, opts ...client.Option) ClientCreator {
	return &localCreator{app: app, opts: opts}
}

func (l *localCreator) NewClient(conn string) (client.Client, error) {
	mtx := l.shared
	if mtx == nil {
		mtx = new(sync.Mutex)
	}
	return client.NewLocalClient(mtx, l.app, slices.Concat(l.opts, []client.Option{client.WithConnName(conn)})...), nil
}

type remoteCreator struct {
	addr, transport string
	mustConnect     bool
	opts            []client.Option
}

// NewRemoteCreator creates clients of the app at addr over transport (see client.NewClient), one
// connection each.
func NewRemoteCreator(addr, transport string, mustConnect bool, opts ...client.Option) ClientCreator {
	return &remoteCreator{addr: addr, transport: transport, mustConnect: mustConnect, opts: opts}
}

func (r *remoteCreator) NewClient(conn string) (client.Client, error) {
	return client.NewClient(r.addr, r.transport, r.mustConnect, slices.Concat(r.opts, []client.Option{client.WithConnName(conn)})...)
}
