// Package p2p is ballot's peer-to-peer layer, wire-compatible with CometBFT v0.38 (p2p protocol 8):
// the node's identity (node key and node ID), peer addresses (NetAddress), the NodeInfo exchange
// and its compatibility checks, and the contracts between the switch and the reactors that run the
// protocols on top of it (reactor.go). The encrypted, multiplexed connection is package p2p/conn.
package p2p
