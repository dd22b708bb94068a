// Package appconformance is an ABCI application conformance harness with consensus mocked: it
// drives one or two running socket applications through a scripted chain, playing the node's
// side of every connection, and checks what every application must hold.
//
// The one command, against any two fresh apps (each must start without state):
//
//	go run ./test/appconformance/cmd -app1 tcp://127.0.0.1:26658 -app2 tcp://127.0.0.1:26659 -heights 100 -seed 7
//
// (-strict also compares logs, events and snapshot lists; -ballot-ops adds ballot kvstore's
// get/cas transactions; -restart-exec runs a shell command per app during the restart, e.g. to
// restart its process; -v prints a line per height.) A failure prints "FAIL seed=N: …" with
// the seed that replays it; the same seed always produces the same chain.
//
// # The script
//
// Info (the apps must be at height 0), then InitChain with four genesis validators, default
// consensus parameters and vote extensions enabled from height 1. Then, per height h:
//
//   - new seeded random kvstore-style transactions ("k=v", "k:v", malformed ones, validator
//     updates "val=ed25519!<key>!<power>" for non-genesis keys, and with BallotOps get/cas) go
//     through CheckTx New, pipelined on the mempool connection and flushed, as a node sends
//     them; accepted ones enter the mocked mempool;
//   - now and then a failed round: ProcessProposal of a block with a malformed transaction;
//   - the proposer (app1 at odd heights, app2 at even ones) runs PrepareProposal on a random
//     prefix of the mempool, with the local last commit (carrying the previous height's vote
//     extensions) and, now and then, a duplicate-vote misbehavior of a genesis validator;
//   - every app runs ProcessProposal of that block, ExtendVote, and VerifyVoteExtension of the
//     other app's extension;
//   - every app runs FinalizeBlock of the same block, the mempool connection is flushed, and
//     every app runs Commit; validator updates take effect two heights later in the mocked
//     validator set that signs the last commits;
//   - Info on every app; the block's transactions leave the mempool and the rest go through
//     CheckTx Recheck; a few keys are queried on every app.
//
// After the height RestartAt (default half-way) every connection is closed, Config.Restart
// (if any) runs, the harness reconnects and performs the node's handshake: Info, and when an
// app reports a lower height than the last commit, InitChain plus a replay of the recorded
// blocks; the chain then resumes. At the end every key is queried and ListSnapshots is
// checked.
//
// # The rules
//
// Well-formedness, for each app: Info's height is the last committed height and its app hash
// the last FinalizeBlock's (also after the restart); FinalizeBlock returns one result per
// transaction and validator updates with power >= 0, a usable key and no key twice;
// PrepareProposal stays within max_tx_bytes; ProcessProposal accepts a block a correct proposer
// prepared and answers ACCEPT or REJECT, never UNKNOWN; VerifyVoteExtension accepts a correct
// app's extension; CheckTx's gas_wanted is >= 0; Commit's retain_height is within [0, h]; no
// call fails (an exception or a broken connection fails the run).
//
// Agreement, between the two apps (and between an app and its own earlier answers in a
// replay): equal InitChain and FinalizeBlock app hashes, equal transaction results (code,
// data, gas_wanted, gas_used — what consensus hashes), validator and consensus-parameter
// updates, CheckTx codes and gas, query answers (code, key, value, height), and the
// ProcessProposal verdict on a bad block. With Strict, logs, info, events, codespace and the
// number of snapshots must match too.
//
// The go tests run ballot's kvstore (abci/example/kvstore) behind the in-process socket server
// (abci/server), including a real restart of the app from its database directory and apps with
// injected faults that the harness must catch.
package appconformance
