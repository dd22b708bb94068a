// Package client is the node's side of ABCI: a Client carries the calls of one of the node's four
// application connections (consensus, mempool, query, snapshot) to the application.
//
// Two implementations exist:
//
//   - LocalClient calls an abci/types.Application in the same process. Calls are serialized by a
//     mutex; NewLocalClient takes that mutex so one can be shared by all four connections
//     (CometBFT's default for built-in apps) or be private to each connection (CometBFT's
//     "connsync" variants, for apps that guard their own state). See abci/appconn for both.
//   - SocketClient speaks the ABCI socket protocol (abci.md §2) over TCP or a unix socket:
//     uvarint-length-delimited Request/Response envelopes, pipelined, answered strictly FIFO,
//     with bytes pushed to the socket by Flush requests.
//
// Lifecycle: Run(ctx) error (STYLE rule 7). Run connects (a SocketClient dials, retrying while the
// app is not up unless mustConnect is set), serves until ctx is cancelled or the connection
// breaks, and returns nil after a cancellation or the error that broke the client. Connected()
// is closed once calls can reach the app. Calls may be issued from any goroutine at any time;
// calls made on a SocketClient before it connects wait for the connection (or their ctx).
//
// Failure: a client that fails is broken for good. An exception response (or, in process, an
// error returned by the Application), a read or write error, EOF, a response of the wrong type or
// a response nobody asked for stops the client; Error() then returns the cause, every pending call
// fails with it and every later call fails with it at once. The error names the connection when
// the client was given one (WithConnName): "consensus connection: app returned exception: boom",
// "mempool connection: unexpected response Info for request CheckTx". The node is expected to
// stop on it rather than run on with a broken application.
package client
