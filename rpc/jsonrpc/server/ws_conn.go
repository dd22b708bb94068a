package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// ErrConnectionClosed is returned by WriteRPCResponse once the websocket has closed.
var ErrConnectionClosed = errors.New("websocket connection closed")

// wsConn is one websocket client. Its read loop (the goroutine of ServeHTTP) decodes and
// runs requests one at a time; its single writer goroutine owns all writes of data
// frames, taking responses from a bounded queue. Control frames (pings, pongs, close)
// use gorilla's concurrency-safe WriteControl.
type wsConn struct {
	ws         *websocket.Conn
	remoteAddr string
	funcMap    map[string]*RPCFunc
	opts       wsOptions
	logger     log.Logger

	send chan types.RPCResponse // never closed

	parent    context.Context // the request's context: ends at server shutdown
	ctx       context.Context // canceled by Close (and with parent)
	cancel    context.CancelFunc
	closeOnce sync.Once

	mu         sync.Mutex
	inRequest  bool     // the read loop is running a request
	afterReply []func() // started once the current request's reply is queued
}

var _ types.WSConn = (*wsConn)(nil)

func newWSConn(parent context.Context, ws *websocket.Conn, funcMap map[string]*RPCFunc, opts wsOptions, logger log.Logger) *wsConn {
	ctx, cancel := context.WithCancel(parent)
	return &wsConn{
		ws:         ws,
		remoteAddr: ws.RemoteAddr().String(),
		funcMap:    funcMap,
		opts:       opts,
		logger:     logger,
		send:       make(chan types.RPCResponse, opts.writeQueueSize),
		parent:     parent,
		ctx:        ctx,
		cancel:     cancel,
	}
}

// serve runs the connection until it closes.
func (c *wsConn) serve() {
	// When the parent context ends (server shutdown) say goodbye before closing.
	stopGoodbye := context.AfterFunc(c.parent, func() {
		msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "")
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(c.opts.writeWait))
		c.Close()
	})
	defer stopGoodbye()

	writerDone := make(chan struct{})
	go c.writeLoop(writerDone)
	c.readLoop()
	c.Close()
	<-writerDone
}

// RemoteAddr implements types.WSConn.
func (c *wsConn) RemoteAddr() string { return c.remoteAddr }

// Context implements types.WSConn.
func (c *wsConn) Context() context.Context { return c.ctx }

// Close implements types.WSConn: it cancels the context and closes the socket, which
// ends both loops.
func (c *wsConn) Close() {
	c.closeOnce.Do(func() {
		c.cancel()
		_ = c.ws.Close()
	})
}

// WriteRPCResponse implements types.WSConn.
func (c *wsConn) WriteRPCResponse(ctx context.Context, resp types.RPCResponse) error {
	if c.ctx.Err() != nil {
		return ErrConnectionClosed
	}
	select {
	case c.send <- resp:
		return nil
	case <-c.ctx.Done():
		return ErrConnectionClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TryWriteRPCResponse implements types.WSConn.
func (c *wsConn) TryWriteRPCResponse(resp types.RPCResponse) bool {
	if c.ctx.Err() != nil {
		return false
	}
	select {
	case c.send <- resp:
		return true
	default:
		return false
	}
}

// startAfterReply runs fn on a new goroutine once the reply to the request being served
// is queued (at once when no request is being served), so that a subscription's events
// never overtake the reply to "subscribe".
func (c *wsConn) startAfterReply(fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inRequest {
		c.afterReply = append(c.afterReply, fn)
		return
	}
	go fn()
}

func (c *wsConn) readLoop() {
	c.ws.SetReadLimit(c.opts.readLimit)
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(c.opts.readWait))
	})
	for {
		if err := c.ws.SetReadDeadline(time.Now().Add(c.opts.readWait)); err != nil {
			return
		}
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) || c.ctx.Err() != nil {
				c.logger.Debug("Websocket client left", "err", err)
			} else {
				c.logger.Info("Failed to read websocket request", "err", err)
			}
			return
		}
		c.mu.Lock()
		c.inRequest = true
		c.mu.Unlock()

		if resp, ok := c.respond(data); ok {
			if err := c.WriteRPCResponse(c.ctx, resp); err != nil {
				c.logger.Debug("Websocket response not sent", "err", err)
			}
		}

		c.mu.Lock()
		pending := c.afterReply
		c.afterReply, c.inRequest = nil, false
		c.mu.Unlock()
		for _, fn := range pending {
			go fn()
		}
		if c.ctx.Err() != nil {
			return
		}
	}
}

// respond runs one request frame. ok is false for notifications. A panic in the route
// becomes -32603 with id -1; the connection keeps serving.
func (c *wsConn) respond(data []byte) (resp types.RPCResponse, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			c.logger.Error("Panic in websocket RPC handler", "panic", p, "stack", string(debug.Stack()))
			resp, ok = types.RPCInternalError(uriID, panicError(p)), true
		}
	}()

	var req types.RPCRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return types.RPCParseError(fmt.Errorf("error unmarshaling request: %w", err)), true
	}
	if req.IsNotification() {
		c.logger.Debug("Websocket notification skipped (send an id to get a response)", "method", req.Method)
		return types.RPCResponse{}, false
	}
	f, found := c.funcMap[req.Method]
	if !found {
		return types.RPCMethodNotFoundError(req.ID), true
	}
	args := f.zeroArgs()
	if len(req.Params) > 0 {
		var err error
		if args, err = f.jsonArgs(req.Params); err != nil {
			// CometBFT reports this as an internal error over the websocket.
			return types.RPCInternalError(req.ID, fmt.Errorf("error converting json params to arguments: %w", err)), true
		}
	}
	result, err := f.call(&types.Context{JSONReq: &req, WSConn: c}, args)
	if err != nil {
		return types.RPCInternalError(req.ID, err), true
	}
	return types.NewRPCSuccessResponse(req.ID, result), true
}

// writeLoop is the connection's only writer of data frames. It pings every ping period
// and stops, closing the connection, at the first failed write.
func (c *wsConn) writeLoop(done chan<- struct{}) {
	defer close(done)
	ping := time.NewTicker(c.opts.pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.opts.writeWait)); err != nil {
				c.logger.Debug("Failed to ping websocket client", "err", err)
				c.Close()
				return
			}
		case resp := <-c.send:
			data, err := json.Marshal(resp)
			if err != nil {
				c.logger.Error("Failed to encode websocket response", "err", err)
				continue
			}
			if err := c.ws.SetWriteDeadline(time.Now().Add(c.opts.writeWait)); err != nil {
				c.Close()
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
				c.logger.Debug("Failed to write websocket response", "err", err)
				c.Close()
				return
			}
		}
	}
}
