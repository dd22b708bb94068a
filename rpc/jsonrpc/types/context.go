package types

import (
	"context"
	"net/http"
)

// WSConn is a websocket connection as route handlers see it (Context.WSConn). It is what
// subscriptions need: a way to push responses carrying the subscribe request's id, a
// context that ends when the connection does, and a way to drop the client.
//
// All methods are safe for concurrent use.
type WSConn interface {
	// RemoteAddr returns the client's "ip:port": the subscriber identity.
	RemoteAddr() string
	// WriteRPCResponse queues resp for sending, blocking until there is room in the
	// connection's send queue. It fails when ctx ends or the connection is closed.
	WriteRPCResponse(ctx context.Context, resp RPCResponse) error
	// TryWriteRPCResponse queues resp if there is room right now and reports whether it
	// did; it never blocks.
	TryWriteRPCResponse(resp RPCResponse) bool
	// Context is canceled when the connection closes.
	Context() context.Context
	// Close disconnects the client. Responses already queued may be lost. Calling Close
	// more than once is harmless.
	Close()
}

// Context is the first argument of every route handler.
//
//   - JSONReq is set for JSON-RPC calls (HTTP POST and websocket).
//   - WSConn is set for websocket calls.
//   - HTTPReq is set for HTTP calls (URI and POST).
type Context struct {
	JSONReq *RPCRequest
	WSConn  WSConn
	HTTPReq *http.Request
}

// RemoteAddr returns the caller's "ip:port", or "" when unknown.
func (ctx *Context) RemoteAddr() string {
	switch {
	case ctx.HTTPReq != nil:
		return ctx.HTTPReq.RemoteAddr
	case ctx.WSConn != nil:
		return ctx.WSConn.RemoteAddr()
	}
	return ""
}

// Context returns the request's context: for HTTP it ends when the client goes away or
// the handler returns; for a websocket, when the connection closes. Never nil.
func (ctx *Context) Context() context.Context {
	switch {
	case ctx.HTTPReq != nil:
		return ctx.HTTPReq.Context()
	case ctx.WSConn != nil:
		return ctx.WSConn.Context()
	}
	return context.Background()
}
