// Package server is CometBFT v0.38's JSON-RPC server (rpc.md §1, §2, §4, §6.1): routes
// are plain Go functions wrapped by NewRPCFunc, served over three transports.
//
//   - URI: any HTTP method on "/<route>", arguments from the query string (§4.1: bare
//     integers, "quoted" strings, 0x-hex for strings and bytes, true/false, JSON arrays),
//     response id -1; errors are HTTP 500, a websocket-only route is 404.
//   - JSON-RPC: a request object or a batch array POSTed to "/", arguments from params by
//     name or by position (§4.2, decoded with libs/json); always HTTP 200 except a parse
//     error (500) and an unreadable or oversized body (400). Notifications (no id) get no
//     response; a body of only notifications gets an empty 200. An empty body on "/"
//     gets the HTML index of routes.
//   - Websocket on "/websocket": one JSON-RPC request per frame, all routes including
//     websocket-only ones. Each connection has one read loop that runs requests in order
//     and one writer goroutine fed by a bounded queue, pings every 27 s and drops clients
//     silent for 30 s. Parameter errors are -32603 here (CometBFT's quirk).
//
// Serve adds the protections of §1 around a handler: body and header limits, connection
// cap, timeouts, X-Server-Time, CORS, TLS, and panic recovery (a panic is -32603 with id
// -1, never a dead server). Route errors are -32603 with the error text as data.
//
// Subscriptions are built on top by the caller: a websocket-only route receives the
// connection as ctx.WSConn (types.WSConn), subscribes to an event bus with the remote
// address as client identity, and hands the subscription to ForwardEvents, which pushes
// each event as a response carrying the subscribe request's id; WSOnDisconnect is where
// the caller removes a closed connection's subscriptions.
//
// Everything here is safe for concurrent use; route functions run concurrently (one
// goroutine per HTTP request, one per websocket connection) and must be safe for it.
package server
