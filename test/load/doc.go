// Package load is the library behind the ballot-load command: a load generator for any set of
// CometBFT-compatible nodes (CometBFT v0.38's JSON-RPC), built for the standard benchmark of
// issue 9 (4 validators on loopback, the kvstore app, unique 250-byte transactions).
//
// A run (see Run) sends unique kvstore transactions ("<run id>-<sequence>=<padding>", exactly
// Config.Size bytes) at a fixed rate or at a rate that steps up until the network saturates, over
// plain JSON-RPC HTTP posts, JSON-RPC batches or websocket requests, with broadcast_tx_async or
// broadcast_tx_sync. Sending is paced by a ticker-driven token bucket (pace.go) feeding one
// bounded queue per endpoint; when a queue is full the permits are counted as "not sent" instead
// of piling up, so a slow node never makes the generator's memory grow without bound.
//
// Commits are observed by watching committed blocks — a websocket subscription to NewBlock on
// one endpoint (gaps filled with the `block` route), or polling `block` by height — and matched
// to sent transactions by the sequence number each transaction carries (the committed bytes
// must equal the regenerated transaction exactly, so this is the same identity as the tx
// hash, without a hash table). Commit latency is measured from the moment a transaction's
// request was written to the moment the block holding it was observed.
//
// The result is a Summary (summary.go): totals, per-second timeline, latency percentiles,
// block interval, txs per block, per-step results, and optionally the CPU time and peak
// resident memory of node processes read from /proc. It is written as JSON and can be drawn as
// an SVG plot (plot.go).
package load
