// Package consensus runs the Tendermint consensus state machine of package consensus/core in a
// node: the driver carries out the machine's actions — signing with the priv validator, writing the
// WAL, building and executing blocks through the block executor, scheduling timeouts, publishing
// events and handing messages to the gossip layer — and feeds the results back, one input at a
// time, from a single goroutine.
package consensus
