// Package crash tests that a ballot node loses nothing it acknowledged and resumes on the same
// chain after a crash at any of its crash points (libs/fail), while it writes its WAL, saves
// and executes a block, signs, or recovers from an earlier crash, and after a torn WAL record.
//
// It drives real processes: Build compiles ./cmd/ballot; NewHome runs `ballot init` for a
// one-validator chain with fast timeouts, the persistent_kvstore application and a JSON log;
// Home.RunUntilCrash starts the node with BALLOT_FAIL_POINT=<point>:<n> and waits for exit code
// fail.ExitCode; Home.RunUntilHeight starts it clean, waits for "committed block" log lines up
// to a height and stops it with SIGTERM. Every run is bounded by its context.
//
// After every run the node is stopped, and Inspect reads its durable state read-only: the block
// store, the state store with the saved FinalizeBlock responses, the application's database
// (through the kvstore's Info and Query), priv_validator_state.json and every WAL record. A
// Ledger checks that state on its own (CheckSnapshot: a block is durable before it is executed,
// state and app are at most one block behind the store, app hashes agree everywhere, the WAL
// marks a height's end only after its block is saved, the signer's state covers its messages in
// the WAL) and against everything seen before: acknowledged heights keep their block and app
// hash, heights continue without a gap, no height changes its block (no fork) or app hash (on
// replay), the validator never signs two different messages at one height/round/step, and
// nothing durable goes backwards.
//
// With Options.TxWorkers > 0 every run also submits kvstore transactions to the node's RPC with
// broadcast_tx_commit; each one acknowledged as committed must stay in its block and in the
// application afterwards. A clean run goes on until at least one of its own transactions is
// acknowledged (see RunUntilHeight), so every crash after it can lose something acknowledged,
// and a scenario in which nothing was acknowledged fails.
//
// TestCrashPoints runs every point at hit counts 1 and 3 (1 with -short), a torn-WAL scenario
// and a few crash-while-recovering scenarios, within about a minute on two cores; -crash.seed
// repeats a run's random choices. `go run ./test/crash/cmd` runs the full matrix.
package crash
