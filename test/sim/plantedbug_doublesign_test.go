//go:build ballot_plantedbug_doublesign

package sim

// plantedBugTag names the planted bug of this build.
const plantedBugTag = "ballot_plantedbug_doublesign"
