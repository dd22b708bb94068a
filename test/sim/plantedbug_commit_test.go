//go:build ballot_plantedbug_commit

package sim

// plantedBugTag names the planted bug of this build.
const plantedBugTag = "ballot_plantedbug_commit"
