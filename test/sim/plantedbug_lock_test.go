//go:build ballot_plantedbug_lock

package sim

// plantedBugTag names the planted bug of this build.
const plantedBugTag = "ballot_plantedbug_lock"
