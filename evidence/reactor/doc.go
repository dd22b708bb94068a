// Package reactor is the evidence gossip reactor on channel 0x38 (p2p.md §10): it hands the
// evidence peers send to the evidence pool and sends the pool's pending evidence to every peer
// that can accept it.
//
// # Receiving
//
// The channel carries tendermint.types.EvidenceList directly (no wrapper). Every item is
// converted and checked (types.EvidenceFromProto, which runs ValidateBasic); if one fails, the
// peer is stopped and none of the list is added. Then each goes to Pool.AddEvidence: an error
// wrapping types.ErrInvalidEvidence stops the peer (the rest of the list is dropped); other
// errors (a database failure, evidence that expired meanwhile) are only logged. Evidence already
// pending or committed is accepted by the pool without error.
//
// # Sending
//
// AddPeer starts one goroutine for the peer. It walks the pool's pending evidence in arrival
// order (NextEvidence, woken by EvidenceWaitChan — never by polling) and sends each in its own
// EvidenceList message, as CometBFT v0.38 does, once the peer can verify it: the peer's consensus
// height (from PeerHeights) must be above the evidence height, so the peer has committed that
// height. Evidence the peer is not high enough for waits in a per-peer list that is looked at
// again whenever the peer's height changes; evidence more than evidence.max_age_num_blocks below
// the peer's height is skipped (the peer would reject it as expired and disconnect us). Ten
// seconds after something was sent, the walk starts again from the oldest pending evidence, so
// evidence a peer lost (or could not take) is offered again — CometBFT's periodic rebroadcast.
//
// # Lifecycle
//
// New builds the reactor; the switch calls AddPeer, RemovePeer and Receive; Run keeps it alive
// until its context ends, then stops every peer goroutine and waits for them.
package reactor
