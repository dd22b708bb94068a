// Package node assembles a ballot node from its parts — stores, application connections, the
// ABCI handshake, mempool, block executor, event bus, indexers, the p2p layer (switch, address
// book, and the block sync, consensus, mempool, evidence and PEX reactors), the consensus driver
// and its WAL, the JSON-RPC, Prometheus metrics and pprof — and runs them together. After the
// handshake, block sync runs first and hands the state it reached to the consensus driver.
// Node.Run is the whole lifecycle: it returns when its context is canceled (a clean stop) or
// when a part fails that the node cannot continue without (a broken application connection, a
// failed disk write), after stopping every other part.
package node
