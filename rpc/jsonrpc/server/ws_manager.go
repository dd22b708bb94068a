package server

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/libs/log"
)

// Websocket defaults (rpc.md §6.1).
const (
	DefaultWSWriteQueueSize = 200
	DefaultWSWriteWait      = 10 * time.Second
	DefaultWSReadWait       = 30 * time.Second
	DefaultWSPingPeriod     = DefaultWSReadWait * 9 / 10 // 27 s
	DefaultWSReadLimit      = 1000000
)

// WSOption configures a WebsocketManager.
type WSOption func(*wsOptions)

type wsOptions struct {
	writeQueueSize int
	writeWait      time.Duration
	readWait       time.Duration
	pingPeriod     time.Duration
	readLimit      int64
	onDisconnect   func(remoteAddr string)
}

// WSWriteQueueSize sets each connection's send queue capacity (responses and events not
// yet written to the socket). Values below 1 are raised to 1.
func WSWriteQueueSize(n int) WSOption {
	return func(o *wsOptions) { o.writeQueueSize = max(n, 1) }
}

// WSWriteWait bounds each write to the socket; a client that does not read for that long
// is disconnected.
func WSWriteWait(d time.Duration) WSOption { return func(o *wsOptions) { o.writeWait = d } }

// WSReadWait is how long the server waits for any traffic (a message or a pong) before
// it drops the client.
func WSReadWait(d time.Duration) WSOption { return func(o *wsOptions) { o.readWait = d } }

// WSPingPeriod is how often the server pings; it should be below the read wait.
func WSPingPeriod(d time.Duration) WSOption { return func(o *wsOptions) { o.pingPeriod = d } }

// WSReadLimit caps the size of one incoming message; a larger message closes the
// connection.
func WSReadLimit(n int64) WSOption { return func(o *wsOptions) { o.readLimit = n } }

// WSOnDisconnect sets a callback run once per connection after it closed, with the
// client's remote address (the subscriber identity): the place to drop its subscriptions.
// It runs on the connection's goroutine and should not block for long.
func WSOnDisconnect(fn func(remoteAddr string)) WSOption {
	return func(o *wsOptions) { o.onDisconnect = fn }
}

// WebsocketManager serves "/websocket": it upgrades each request and runs a connection
// that calls funcMap's routes (websocket-only ones included) for every JSON-RPC request
// frame. It is safe for concurrent use; connections are independent.
type WebsocketManager struct {
	upgrader websocket.Upgrader
	funcMap  map[string]*RPCFunc
	logger   log.Logger
	opts     wsOptions
}

// NewWebsocketManager returns a manager for funcMap. Any Origin is accepted, as in
// CometBFT.
func NewWebsocketManager(funcMap map[string]*RPCFunc, logger log.Logger, opts ...WSOption) *WebsocketManager {
	wm := &WebsocketManager{
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		funcMap:  funcMap,
		logger:   logger,
		opts: wsOptions{
			writeQueueSize: DefaultWSWriteQueueSize,
			writeWait:      DefaultWSWriteWait,
			readWait:       DefaultWSReadWait,
			pingPeriod:     DefaultWSPingPeriod,
			readLimit:      DefaultWSReadLimit,
		},
	}
	for _, opt := range opts {
		opt(&wm.opts)
	}
	return wm
}

// ServeHTTP upgrades the request and serves the connection until it closes: the client
// leaves, a read or write fails or times out, the client is dropped as slow, or the
// request's context ends (server shutdown, which sends a "going away" close frame).
func (wm *WebsocketManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := wm.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has already answered with an HTTP error.
		wm.logger.Debug("Failed to upgrade websocket connection", "remote", r.RemoteAddr, "err", err)
		return
	}
	c := newWSConn(r.Context(), ws, wm.funcMap, wm.opts, wm.logger.With("remote", ws.RemoteAddr().String()))
	c.logger.Info("New websocket connection")
	c.serve()
	if wm.opts.onDisconnect != nil {
		wm.opts.onDisconnect(c.remoteAddr)
	}
	c.logger.Info("Websocket connection closed")
}
