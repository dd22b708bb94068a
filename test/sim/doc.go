// Package sim is ballot's deterministic whole-network simulator: N nodes, each a real
// consensus/core Machine behind a fake driver, on a simulated network under a simulated clock,
// with injected faults and continuously checked invariants. A run is a pure function of its
// Config (and so of its seed): the same seed replays the same run bit for bit.
//
// # Determinism
//
// One scheduler owns a simulated clock and a queue of events (message deliveries, timer
// firings, gossip ticks, WAL flushes, client transactions, faults) ordered by (time, sequence
// number); one math/rand/v2 PCG seeded from Config.Seed supplies every random choice (latency,
// drops, duplicates, fault plans, client traffic, equivocation targets). Nothing reads the wall
// clock, no goroutines run, and no map iteration order reaches the event order.
//
// # Nodes
//
// Each node has a validator key (ed25519 from the seed), durable state that survives crashes
// (block store and chain state, the application, the signer's last-signed position, the WAL)
// and volatile state that does not (machine, mempool, gossip view, timeout ticker). The driver
// follows the core's contract exactly: requests are answered at once, before any other input;
// inputs go to the WAL before Step (own messages with fsync); the ticker accepts only a strictly
// later height/round/step. Blocks are built with types.MakeBlock and Header.Populate and timed
// by types.MedianTime of their last commit; ValidateBlock checks header fields, the last block
// ID, the last commit (ValidatorSet.VerifyCommit) and the time. The application is a
// kvstore-like map of "key=value" transactions whose hash chains the blocks' transactions; it
// refuses a transaction already committed. Validators never change (phase 1).
//
// A crash loses the machine and every WAL record written after the last sync (own messages and
// EndHeight markers are synced when written; a background flush syncs every WALFlushInterval).
// A restart rebuilds the machine for the height after the last stored block, replays the WAL
// records since EndHeight of the previous height, then starts round 0, as a real node does.
//
// # Network and gossip
//
// Every message gets its own latency (a minimum plus an exponential tail), may be dropped or
// duplicated, and is lost if a partition or a downed link separates the two nodes at sending or
// at delivery. Partitions put nodes into groups; a bridge node talks to every group. The core
// broadcasts its own messages once; the gossip layer (gossip.go) models the reactor's catch-up:
// periodic statuses answered with the votes, +2/3 claims, proposal, parts or stored commit the
// peer lacks.
//
// # Byzantine nodes
//
// A Twin validator runs on two nodes with the same key, each honest, which the scenarios put on
// opposite sides of partitions so that together they equivocate. An Equivocator signs, past its
// double-sign guard, a second proposal for another block in each round it proposes, and sends
// each proposal to a different half of its peers. Invariants bind honest nodes only.
//
// # Invariants
//
// Checked as the run goes: agreement (one block per height across honest nodes), validity
// (every committed block passed ValidateBlock, and checks out against the canonical chain), one
// app hash per height, every transaction at most once in the chain, no honest validator signing
// two different votes for one height/round/type, and — from Config.HealAt on — liveness: every
// honest node commits above the previous checkpoint's highest height within each
// Config.LivenessBound. At the end every acknowledged transaction must be in the chain. A panic
// in the core is a violation too, and so is an honest machine asking its signer for a signature
// the double-sign guard refuses outside WAL replay (during replay that is expected: the machine
// redoes transitions whose messages it signed before the crash). The first violation stops the
// run; Result.ReplayCommand replays it.
//
// # Scenarios
//
// Scenarios (scenarios.go) name families of runs: calm, lossy, partition, crash, twins,
// equivocate, chaos, rounds (timeouts below the network latency, so rounds fail and locks move),
// byzantine-rounds, modes (no empty blocks, skip_timeout_commit, unequal powers), and the
// negative control twins-majority, whose byzantine power of 3/7 must be able to fork the chain.
//
// # Event log
//
// Given a writer, a run records every input and action of every node, node events, faults and
// the violation as JSON lines (Record); Inspect filters and prints them. The ballot-sim command
// (cmd/ballot-sim) runs scenarios and seeds, soaks, and inspects logs.
package sim
