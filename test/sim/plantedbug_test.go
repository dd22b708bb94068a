//go:build ballot_plantedbug_lock || ballot_plantedbug_commit || ballot_plantedbug_doublesign

package sim

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// TestPlantedBugCaught runs in a build with one planted bug (a ballot_plantedbug_* tag; see
// TestPlantedBugsCaught, which builds and runs it for each): the seed set over the safe
// scenarios must break an invariant.
func TestPlantedBugCaught(t *testing.T) {
	res := stopAtFirst(t)
	if res == nil {
		t.Fatalf("planted bug %s: no invariant broken in the seed set", plantedBugTag)
	}
	t.Logf("planted bug %s caught by %s seed %d: %v\nreplay: go run -tags %s ./test/sim/cmd/ballot-sim -seed %d -scenario %s",
		plantedBugTag, res.Scenario, res.Seed, res.Violation, plantedBugTag, res.Seed, res.Scenario)
}

// stopAtFirst runs the seed set over the safe scenarios, one seed at a time over all of them in
// parallel, until a run breaks an invariant, and returns that run's result (nil if none did).
func stopAtFirst(t *testing.T) *Result {
	seeds, _ := seedSet()
	var caught atomic.Pointer[Result]
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			for _, sc := range Scenarios() {
				if sc.Unsafe {
					continue
				}
				t.Run(sc.Name, func(t *testing.T) {
					t.Parallel()
					if caught.Load() != nil {
						return
					}
					if res := runSeed(t, sc, seed, 0); res.Violation != nil {
						caught.CompareAndSwap(nil, &res)
					}
				})
			}
		})
		if res := caught.Load(); res != nil {
			return res
		}
	}
	return nil
}
