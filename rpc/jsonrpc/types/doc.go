// Package types holds the JSON-RPC 2.0 envelope as CometBFT v0.38 writes it: requests
// (string or integer ids, notifications without one), responses (key order jsonrpc, id,
// result|error), the error codes and messages of rpc.md §2, and the Context every route
// handler receives.
//
// Envelopes are encoded with encoding/json; a result is encoded with libs/json (the
// cmtjson rules) when a success response is built, so RPCResponse.Result holds finished
// JSON. All values are plain data: safe to share once built, not safe to modify
// concurrently.
package types
