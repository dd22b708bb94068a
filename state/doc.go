// Package state holds the chain state that block execution advances, its durable store, and the
// consensus-level validity rules for blocks.
//
// State (state.go) is a plain value: the result of executing every block up to LastBlockHeight.
// It is copied by value; the validator sets it points to are shared, so callers that change a
// set work on State.Copy or on a set's Copy. MakeGenesisState derives the first State from a
// genesis document, MakeBlock builds the next block's header from a State, and UpdateState
// (update.go) computes the State after a block from the application's FinalizeBlock results:
// validator updates returned at height H take effect at H+2, consensus-param updates at H+1
// (consensus.md §9, abci.md §4.3). These functions are pure: no I/O, no clock.
//
// ValidateBlock (validation.go) checks a block against a State (consensus.md §8); it is pure too,
// the current time arrives as an argument.
//
// Store (store.go) persists the State and, per height, what the crash-recovery handshake and the
// RPC need afterwards: the validator set of every height, the consensus params of every height
// and the FinalizeBlock response of every height (plus the last one under its own key). The key
// layout and value encodings are CometBFT v0.38's, so a CometBFT state.db can be read. Every
// write the handshake relies on is synced before the call returns; the state itself (Save) is
// not, because the handshake can rebuild it from what is. Stored bytes that do not
// decode give an error wrapping ErrCorrupted that names the key; the store never panics on them.
//
// The block executor and the handshake (other files of this package) build on these pieces.
package state
