// Package core is the node's RPC routes: every route CometBFT v0.38 serves (rpc.md §5, §6, §7,
// §8), as functions over an Environment, with result types whose JSON (written by libs/json)
// has CometBFT's keys and value encodings.
//
// # Reading, never locking
//
// Routes read only stores (block store, state store, indexers), published snapshots (the
// consensus round state) and the mempool's own concurrent API. They never lock or wait on
// consensus: the consensus driver publishes an immutable RoundState that routes read. Every
// route is safe to call from any goroutine, concurrently.
//
// # Routes
//
// Environment.Routes returns the route table for rpc/jsonrpc/server: the safe routes, the
// websocket-only subscription routes, and — only when the [rpc] unsafe option is set —
// dial_seeds, dial_peers and unsafe_flush_mempool.
//
// Heights follow CometBFT: a missing height is the latest (the block store's height; for
// validators and consensus_params the next height), a given one must be in
// [max(1, base), latest]. Paging takes page (default 1) and per_page (default 30, at most 100;
// values below 1 mean 30). Errors are returned with CometBFT's texts, which the server reports as
// -32603 with the text as data.
//
// # Subscriptions
//
// subscribe, unsubscribe and unsubscribe_all are websocket-only. A subscriber is identified by
// the connection's remote address; the limits max_subscription_clients and
// max_subscriptions_per_client count every subscriber of the event bus, broadcast_tx_commit's
// short-lived ones included. Events are delivered as {query, data: {type, value}, events}, the
// data being one of the tendermint/event/* types registered here with libs/json. The caller of
// Routes must drop a closed connection's subscriptions (Environment.UnsubscribeClient, for the
// server's WSOnDisconnect).
//
// # Examples
//
//	curl -s 'http://127.0.0.1:26657/status'
//	curl -s 'http://127.0.0.1:26657/block?height=5'
//	curl -s 'http://127.0.0.1:26657/broadcast_tx_commit?tx="abc=def"'
//	curl -s 'http://127.0.0.1:26657/tx_search?query="app.key=%27abc%27"&prove=true&order_by="desc"'
//	curl -s -X POST -d '{"jsonrpc":"2.0","id":1,"method":"validators","params":{"height":"5","per_page":"10"}}' http://127.0.0.1:26657/
//
// Over the websocket (ws://127.0.0.1:26657/websocket), send
// {"jsonrpc":"2.0","id":"nb","method":"subscribe","params":{"query":"tm.event='NewBlock'"}}.
//
// This package also registers the evidence types (tendermint/DuplicateVoteEvidence,
// tendermint/LightClientAttackEvidence) with libs/json, so that blocks carrying evidence can be
// written and broadcast_evidence can read its parameter.
package core
