// Command ballot is the ballot node's operator CLI: it initializes home directories, manages keys
// and testnets, and (with the engine) runs the node. Its commands, flags and files match
// CometBFT v0.38's `cometbft` binary; the home directory is ~/.ballot (BALLOT_HOME, --home) and
// environment overrides use the BALLOT_ prefix.
package main
