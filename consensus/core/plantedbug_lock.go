//go:build ballot_plantedbug_lock

package core

// plantedBugIgnoreLock plants a bug for the simulator's negative controls (test/sim): a locked
// node prevotes the round's proposal as if it held no lock. Only builds with the
// ballot_plantedbug_lock tag have it.
const plantedBugIgnoreLock = true
