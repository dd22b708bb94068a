// Package types defines the ABCI 2.0 Application interface that every ballot application
// implements, and BaseApplication, an application with sensible do-nothing defaults to embed.
//
// Requests and responses are the tendermint.abci wire types (package proto/tendermint/abci): ABCI
// is itself a wire edge, and applications in other languages see exactly these messages on the
// socket.
//
// Concurrency: the node calls an Application from its four connections (consensus, mempool,
// query, snapshot). The socket server serializes all calls of one connection; calls on different
// connections may run at the same time, so an application guards state shared between them.
package types
