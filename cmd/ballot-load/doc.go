// Command ballot-load is a load generator and benchmark client for any set of
// CometBFT-compatible nodes (CometBFT v0.38 JSON-RPC): it sends unique kvstore transactions of
// a fixed size at a fixed rate, or stepping up until the network saturates, over JSON-RPC HTTP
// posts, JSON-RPC batches or websocket requests; watches committed blocks to measure committed
// throughput, commit latency percentiles, block interval and transactions per block; shows a
// progress line every second; prints a human summary and optionally writes a JSON summary and
// an SVG (or HTML-wrapped SVG) plot.
//
// Usage:
//
//	ballot-load --endpoints http://127.0.0.1:26657,http://127.0.0.1:26757 --rate 500 --duration 30s --json out.json
//	ballot-load --endpoints ... --step-from 500 --step-by 250 --step-every 10s --until-saturation --duration 3m
//
// Exit status: 0 after a run (whatever it measured), 1 when the run could not start, 2 on bad
// flags. The library is package github.com/ballot-bft/ballot/test/load.
package main
