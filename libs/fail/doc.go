// Package fail places crash points on the node's durability boundaries, in the manner of etcd's
// gofail markers: a call fail.Point("exec.afterAppCommit") between two writes marks a spot where a
// crash must be recoverable.
//
// A crash point does nothing unless the process was started with the environment variable
// BALLOT_FAIL_POINT naming it, as "<name>" (the first time the point is reached) or "<name>:<n>"
// (the n-th time, n >= 1). When the armed point is reached that often, the process writes one
// line to standard error ("fail: crash point <name> hit <n> times: exiting with code 99") and
// exits at once with ExitCode through os.Exit: no deferred function runs, no buffer is flushed,
// no file is closed — what kill -9 would leave at that spot, except that the operating system
// still holds what was already written to files (a crash point models a process crash, not a
// power loss).
//
// The variable is read once, when the package is initialised. With it unset, Point costs one
// load and one compare (see BenchmarkPointDisabled). With it set to something that is not a
// known point and a positive count, the process stops at initialisation with ExitCodeBadSpec
// and a message, so that a misspelt point never silently fails to fire.
//
// Every point is declared in this package's list (Points), documented with what lies on either
// side of it; the crash tests (test/crash) run every point in the list and check that each one
// is placed in the code exactly once.
package fail
