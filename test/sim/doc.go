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
// follows the core's contract exactly, as consensus/driver.go does: the actions of a step are
// carried out in order and the answers to its requests are fed back after them, before any
// other input; inputs go to the WAL before Step (own messages with fsync); the ticker accepts
// only a strictly later height/round/step. The chain state is ballot's state.State: blocks are
// made by State.MakeBlock, checked by state.ValidateBlock and applied by state.UpdateState.
// The application is a kvstore-like map of "key=value" transactions whose hash chains the
// blocks' transactions; it refuses a transaction already committed, and takes the kvstore's
// validator updates "val=ed25519!<base64 key>!<power>" (power 0 removes), which
// state.UpdateState applies by the H+2 rule. Spare nodes (Config.Spares) hold validator keys
// outside the genesis set: full nodes until an update adds them. Config.ValChanges are updates
// a client submits, and submits again until they are in the chain.
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
// each proposal to a different half of its peers. An Amnesiac forgets its consensus state (its
// WAL: lock, valid block, votes) right after each precommit for a block, as a node that loses
// its disk would. Invariants bind honest nodes only.
//
// Besides the planned faults, Config.MutePrecommitters mutes an honest node as it precommits a
// block (what it sends is lost, what it is sent arrives), so that it can commit while the others
// lack its precommit and go on, locked, to later rounds of that height: the amnesia scenario
// uses it to make the locks decide.
//
// # Invariants
//
// Checked as the run goes: agreement (one block per height across honest nodes), validity
// (every committed block passed ValidateBlock, checks out against the canonical chain, and was
// decided by +2/3 of its height's voting power), one app hash and one set of validator updates
// per height, every transaction at most once in the chain, no honest validator signing two
// different votes or proposals for one height/round/type, the H+2 rule (the checker keeps its own
// model of each height's validator set from the canonical updates: headers must name the sets
// of their height and the next, commits must verify against them, and no honest node may sign a
// vote at a height whose set it is not in), and — from Config.HealAt on — liveness: every honest
// node commits above the previous checkpoint's highest height within each
// Config.LivenessBound. At the end every acknowledged transaction must be in the chain. A panic
// in the core is a violation too, and so is an honest machine asking its signer for a signature
// the double-sign guard refuses outside WAL replay (during replay that is expected: the machine
// redoes transitions whose messages it signed before the crash). One refusal is counted instead
// (Stats.LateProposals): a proposal asked for after the node voted in its round, which happens
// when one input takes a proposer through enterPropose and on to a vote — the core asks for the
// block with BuildProposal, answered after the step's actions, where CometBFT builds and signs
// it inside enterPropose. The first violation stops the run; Result.ReplayCommand replays it.
//
// Claims (PeerMaj23) for a height other than the node's are dropped at receipt, as the
// reactor's receiveMaj23 does; the core itself does not check their height (see
// Config.DeliverStaleClaims and TestStaleClaimTakesNextHeightsSlot).
//
// # Scenarios
//
// Scenarios (scenarios.go) name families of runs: calm, lossy, partition, crash, twins,
// equivocate, chaos, rounds (timeouts below the network latency, so rounds fail and locks move),
// amnesia (an amnesiac and muted precommitters: the locks decide), byzantine-rounds, modes (no
// empty blocks, skip_timeout_commit, unequal powers), backlog (skip_timeout_commit_txs: a
// backlog of transactions ends timeout_commit early, under crashes; the simulator's own WAL has
// no step records to work such early starts out from, so a restarted node starts round 0 at its
// next backlog notice or when timeout_commit ends),
// valchange (validators added, removed and re-weighted during faults), twins-third (byzantine power 33/100, just under 1/3), and the
// negative control twins-majority, the same with one unit of power moved (34/100), which must
// be able to fork the chain.
//
// # Seed set and negative controls
//
// The tests run a fixed seed set over every scenario (make sim, without -race; under -race a
// smoke run of each): safe scenarios must keep every invariant, the negative control must break
// agreement. Builds with a planted bug — ballot_plantedbug_lock (a locked node prevotes as if
// unlocked), ballot_plantedbug_commit (precommits tallied per validator, not per unit of
// power), ballot_plantedbug_doublesign (the signer without its guard) — must break an invariant
// within the same seed set (TestPlantedBugsCaught builds and runs each).
//
// # Event log and replay
//
// Given a writer, a run records every input and action of every node, node events, faults and
// the violation as JSON lines (Record); Inspect filters and prints them. The records carry
// replay data: each machine a node builds (its Config, address and starting height, the height
// as the chain state it describes), each call's time and input (messages, timeouts and claims as
// the consensus WAL encodes them, the answers to requests in their own fields), and a digest of
// every action (replaycodec.go). Replay feeds one node's recorded calls to fresh machines and
// checks that they repeat every action — a determinism check from the log that also shows the
// node's decisions. Recorder writes the same records from any driver, which is how a real node
// could record its inputs. The ballot-sim command (cmd/ballot-sim) runs scenarios and seeds,
// soaks, inspects logs and replays them (inspect -replay).
package sim
