// Package p2p is ballot's peer-to-peer layer. So far it holds the node's identity: the node key
// (config/node_key.json) and the node ID derived from it, in CometBFT v0.38's formats.
package p2p
