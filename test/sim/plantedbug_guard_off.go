//go:build !ballot_plantedbug_doublesign

package sim

// plantedBugNoGuard is false: the signer keeps its double-sign guard (see plantedbug_guard.go).
const plantedBugNoGuard = false
