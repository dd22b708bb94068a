// Package server serves an abci/types.Application over the ABCI socket protocol (abci.md §2), the
// application side of what abci/client.SocketClient speaks.
//
// A SocketServer accepts any number of connections (the node opens four) on tcp:// or unix://
// addresses. Each connection is served by one goroutine that reads requests in order, calls the
// app, and writes the responses into a buffered writer that is flushed when a Flush request is
// answered (and when the buffer fills). Calls of one connection are therefore serialized;
// calls of different connections may run concurrently, so the app guards state they share.
//
// Failure: if the app returns an error (or a nil response), or a request cannot be decoded (bad
// length prefix, a frame over MaxMessageSize, bytes that are not a Request, a Request with no or
// an unknown value), the server answers with an exception response carrying the error text,
// flushes, and closes that connection. Other connections are unaffected. The node treats the
// exception as fatal (abci.md §2.3), so apps report ordinary rejections in response codes.
//
// Lifecycle: Run(ctx) error listens and serves until ctx is cancelled, then closes the listener
// and every connection, waits for their goroutines and returns nil. Serve does the same on a
// listener the caller made (Listen).
package server
