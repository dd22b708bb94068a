// Package blocksync is the blocksync reactor on channel 0x40 (p2p.md §8): it serves the block
// store to peers, and lets a node that is behind — or freshly wiped — fetch the blocks it lacks
// from its peers, verify and execute them, and hand over to consensus once it has caught up.
//
// # Serving
//
// Every peer gets a serving goroutine (started by AddPeer) that first sends our store's range
// (StatusResponse{height, base}) and then answers the peer's StatusRequests and BlockRequests
// from the store: the block, with its extended commit when vote extensions were enabled at its
// height, or NoBlockResponse when the store lacks it. Serving goes on for as long as the
// reactor runs, syncing or not.
//
// # Syncing
//
// A reactor built with sync = true fetches blocks in Run. A scheduler goroutine owns the Pool:
// it learns the peers' ranges from StatusResponses (asking every StatusInterval), requests
// heights in a window of RequestWindow above the next height to apply, at most
// MaxPendingPerPeer per peer and from two peers for the DualRequestWindow next heights, frees
// requests unanswered after RetryTimeout for another peer, and drops peers that send nothing for
// PeerTimeout or send too slowly. A second goroutine, the applier, takes blocks H and H+1 as
// soon as both are in: it verifies H with the commit H+1 carries (VerifyCommit on the state's
// validators) and with the extended commit sent with H when vote extensions are enabled at H
// (VerifyCommitExtended; it must be absent otherwise), validates H on the state
// (BlockExecutor.ValidateBlock), saves it — with its extended commit, or with H+1's last commit
// as seen commit — and executes it (ApplyVerifiedBlock). When H does not verify, both peers that
// sent H and H+1 are stopped and both heights are asked again. A failure to save or execute a
// verified block ends Run with an error.
//
// The sync ends — Done is closed and Result gives the state for consensus — when the extended
// commit of the last block is at hand (if extensions were enabled there) and either the node's
// validator holds at least a third of the voting power, or at least one peer reported its
// range and the next height to apply is at least the highest peer height minus one.
//
// # Peers that misbehave
//
// A peer is stopped for: a message that fails the stateless checks (negative heights, base
// above height, more than 10000 signatures in a block's last commit or an extended commit, an
// undecodable block or commit, an unknown message) — ErrMalformed; a block nobody asked it for,
// or any block while this node does not sync — ErrUnsolicited (blocks arriving after the sync
// ended are dropped); a block that does not verify — ErrBadBlock; a reported height lower than
// before — ErrHeightDecreased; timeouts and low rates — ErrPeerTimeout.
//
// # Lifecycle
//
// New builds the reactor, the switch runs AddPeer, RemovePeer and Receive, and Run syncs (if
// asked) and then serves until its context ends; it stops the serving goroutines before it
// returns. Run should start before the switch connects peers: until it does, events for the
// sync wait in a small buffer.
package blocksync
