// Package appconn holds the node's four connections to the ABCI application (abci.md §1) —
// Consensus, Mempool, Query and Snapshot, each a small interface with exactly the calls the node
// makes on that connection — and Conns, which creates their clients, connects them in CometBFT's
// order (query → snapshot → mempool → consensus) and reports the first one that breaks.
//
// Clients come from a ClientCreator: NewLocalCreator (an in-process app; one mutex serializes
// all four connections, so the app needs no locking of its own), NewConnSyncLocalCreator (an
// in-process app; one mutex per connection, so e.g. CheckTx runs while FinalizeBlock does and the
// app must guard state shared between connections — CometBFT's "*_connsync" apps), and
// NewRemoteCreator (four socket clients to one address).
//
// Failure: when any client breaks (an exception, EOF, an I/O error, a mismatched response — see
// abci/client), Conns.Run logs "<conn> connection terminated. Did the application crash? Please
// restart ballot", stops the other clients and returns that client's error, whose text starts
// with "<conn> connection: ". The node stops on it; it never runs on with a broken app.
package appconn
