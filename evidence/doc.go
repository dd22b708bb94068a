// Package evidence keeps the evidence pool: proof that validators misbehaved, from detection to
// its commitment in a block (types.md §11).
//
// # Sources
//
// Evidence reaches the pool three ways:
//   - consensus reports two conflicting votes of one validator with ReportConflictingVotes. The
//     pair is buffered and becomes DuplicateVoteEvidence at the next Update that has committed
//     the votes' height, because the evidence must carry the time of the block at that height;
//   - a peer (or the RPC's broadcast_evidence) hands evidence to AddEvidence, which verifies it
//     against the chain before keeping it;
//   - a proposed block carries evidence that CheckEvidence verifies; evidence new to the pool is
//     kept as pending as well.
//
// # Verification
//
// Evidence is valid when it passes ValidateBasic, its height is at most the last committed height,
// its time is the time of the block at its height, it has not expired (expired only when it is
// older than evidence.max_age_num_blocks blocks AND older than evidence.max_age_duration, both
// measured from the last block), and the evidence-specific check passes: VerifyDuplicateVote
// against the validator set of the votes' height, VerifyLightClientAttack against the headers
// and validator set kept by the node. Every rejection wraps types.ErrInvalidEvidence (the
// evidence reactor disconnects the peer that sent it) and one of this package's sentinel errors
// naming the reason. Other errors (a database failure) do not wrap types.ErrInvalidEvidence.
//
// # Lifecycle
//
// Verified evidence is pending: it is offered to proposers (PendingEvidence, oldest first, up to
// a byte budget) and to the gossip reactor. When a block is committed, the block executor calls
// Update with the new state and the block's evidence: that evidence leaves the pending set and
// is marked committed, so it is never accepted again; pending evidence that has expired is
// dropped; buffered conflicting votes are turned into evidence.
//
// # Storage
//
// The pool persists in its own database (data/evidence.db) with CometBFT v0.38's layout:
// pending evidence under 0x01 ‖ "%016X/%X" (height, hash) holding proto(tendermint.types.Evidence),
// committed markers under 0x00 ‖ the same suffix holding proto(google.protobuf.Int64Value) of the
// height of the block that committed it. Keys sort by height, so iteration is oldest first.
// Committed markers are never deleted (they are small, one per committed evidence).
//
// # Gossip
//
// Every evidence that becomes pending gets a sequence number, increasing in arrival order. A
// per-peer gossip routine keeps the number of the last evidence it handled and asks for the next
// one with NextEvidence or WaitNextEvidence; both skip evidence that stopped being pending, so a
// routine never loses its place and never polls. EvidenceWaitChan gives the same wake-up as a
// channel for routines that select on other events too.
//
// # Concurrency
//
// Every Pool method is safe for concurrent use. Verification runs outside the pool's lock, so a
// slow verification never holds up consensus reporting votes or the executor.
package evidence
