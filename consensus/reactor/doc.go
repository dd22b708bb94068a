// Package reactor is the consensus reactor: it gossips proposals, block parts and votes between
// validators on the four consensus channels (State 0x20, Data 0x21, Vote 0x22, VoteSetBits 0x23),
// speaking CometBFT v0.38's tendermint.consensus protocol (p2p.md §6–7).
//
// Receiving. Every message is checked statelessly first (p2p.md §7.2); a peer that sends an
// invalid one is disconnected (Switch.StopPeerForError), as is a peer whose message the consensus
// machine rejects (Punish). Position messages (NewRoundStep, NewValidBlock, HasVote, ProposalPOL,
// VoteSetBits) update what we know of the peer (peerState, p2p.md §7.4). Proposals, parts, votes
// and +2/3 claims are handed to the driver with Deliver, waiting a bounded time for room.
//
// Sending. Each peer has a gossip goroutine that owns the peer's state and chooses what to send
// from the driver's latest Snapshot (its View of the height) and the block store: our new
// position (NewRoundStep), new valid blocks (NewValidBlock), a HasVote for every vote we hold, the
// proposal and its parts, the votes of the peer's round, and for a peer on an earlier height the
// stored block's parts and commit. With nothing to send it waits for the snapshot's Changed
// channel, an update from the peer, the +2/3 query timer or the end — it never sleeps to poll. A
// writer goroutine per peer performs the sends (p2p.Peer.Send, bounded by the connection), one at
// a time, so the gossip goroutine stays free to take in the peer's updates.
//
// Announcements are kept per peer (what it was told, not what happened), so a peer hears of every
// position, valid block and vote once, however many snapshots pass while its connection is busy;
// the driver's own messages need no separate broadcast (Broadcast does nothing), since they are in
// the next snapshot.
//
// Lifecycle: New, SetSwitch before the switch starts, Run(ctx) for the peers' goroutines, and
// SwitchToConsensus once the driver runs (until then the node is syncing: peers' positions are
// followed, their proposals, parts and votes ignored, and nothing is sent).
package reactor
