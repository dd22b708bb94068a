//go:build ballot_plantedbug_doublesign

package sim

// plantedBugNoGuard plants a bug for the negative controls: the simulated privval signs
// whatever it is asked, without its double-sign guard. Only builds with the
// ballot_plantedbug_doublesign tag have it.
const plantedBugNoGuard = true
