// Package client calls a CometBFT-compatible JSON-RPC server: Client over HTTP POST and
// WSClient over the websocket, with subscriptions. Parameters are encoded and results
// decoded with libs/json, so Go values round-trip in CometBFT's encoding (int64 as
// strings, bytes as base64, registered interfaces as {"type","value"}).
//
// A JSON-RPC error comes back as a *types.RPCError (test with errors.As); transport and
// decoding failures are other errors. Both clients are safe for concurrent use.
package client
