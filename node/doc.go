// Package node assembles a ballot node from its parts — stores, application connections, the
// ABCI handshake, mempool, block executor, event bus, consensus driver and WAL — and runs them
// together. Node.Run is the whole lifecycle: it returns when its context is canceled (a clean
// stop) or when a part fails that the node cannot continue without (a broken application
// connection, a failed disk write), after stopping every other part.
package node
