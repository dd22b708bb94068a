// Package version holds ballot's own version and the protocol versions it speaks.
//
// ballot implements the protocols of CometBFT v0.38.26, so the protocol numbers here are the ones
// peers and applications check: block protocol 11, p2p protocol 8, ABCI 2.0.0.
package version
