// Package core is the Tendermint consensus algorithm as a pure, deterministic state machine, with
// the semantics of CometBFT v0.38 (including its lock and unlock rules).
//
// A Machine consumes one Input at a time through Step and returns the Actions the caller must carry
// out. It starts no goroutines, takes no locks, reads no clock (the current time arrives with each
// Step) and does no I/O: signing, block building, block validation, vote extensions, persistence,
// gossip and timers are all requested as Actions, and their results come back as Inputs. This is
// what lets a simulator run whole networks of Machines deterministically.
//
// The driver contract, in brief (each Action type documents its own):
//   - Step is called from one goroutine at a time.
//   - The actions of one Step are carried out in the order returned. A request Action
//     (BuildProposal, SignProposal, SignVote, ProcessProposal, Commit) is answered by the matching
//     Input; the driver feeds the answers to a Step's requests back, in order, after carrying out
//     that Step's actions and before any other Input, so that a request behaves like a synchronous
//     call in CometBFT's implementation. (The machine also tolerates other orders: while it waits
//     for ProcessProposal or Commit it buffers other inputs.)
//   - Every message, fired timeout and PeerMaj23 claim is written to the WAL before Step sees
//     it; answers to requests (ProposalBlockBuilt, ProposalProcessed, Committed) are not, because
//     replay asks again, and neither are the mempool's TxsAvailable and TxsBacklog, whose effect
//     (round 0 started or proposed early) replay works out from the step records that follow. The Machine's own signed messages come back as Inputs
//     with From == "" and are written with fsync, so nothing signed leaves the node before it is
//     durable.
//
// Names follow the paper ("The latest gossip on BFT consensus", Buchman, Kwon, Milosevic 2018) and
// CometBFT's implementation: enterNewRound, enterPropose, enterPrevote, enterPrecommit, enterCommit,
// lockedValue/lockedRound, validValue/validRound.
package core
