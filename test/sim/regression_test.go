package sim

import (
	"testing"
	"time"
)

// TestUnloggedClaimLosesLock pins a finding of the soak (byzantine-rounds, seed 5069). With
// CometBFT's WAL rule — VoteSetMaj23 claims are not logged — an honest node (n2) that counted a
// twin's conflicting prevote thanks to a peer's +2/3 claim, locked on the block and precommitted
// it, crashes; its replay cannot rebuild the polka (the claim is gone, so the twin's second
// prevote is dropped as a conflict), the lock is lost, and when the prevote-wait timeout fires
// the machine asks to precommit nil in the same round. The double-sign guard refuses, so nothing
// conflicting is signed, but the node has forgotten a lock it acted on. Logging the claim, as the
// core's "every input goes to the WAL" contract asks, replays the polka and the lock.
//
// If the simulator changes so that this seed no longer reaches the situation, find a new seed
// with: go run ./test/sim/cmd/ballot-sim -scenario byzantine-rounds -seed 5000 -seeds 200 after
// setting WALSkipsPeerMaj23 in the scenario.
func TestUnloggedClaimLosesLock(t *testing.T) {
	sc, _ := LookupScenario("byzantine-rounds")
	cfg := sc.Config(5069)
	cfg.Duration, cfg.LivenessBound = 30*time.Second, 0

	cfg.WALSkipsPeerMaj23 = true
	res, err := Run(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Violation == nil || res.Violation.Kind != ViolationSignRefused || res.Violation.Node != 2 {
		t.Fatalf("without logged claims: %v; want n2 asking for a conflicting precommit after its restart", res)
	}

	cfg.WALSkipsPeerMaj23 = false
	if res, err = Run(cfg, nil); err != nil || res.Violation != nil {
		t.Fatalf("with logged claims: %v %v", res, err)
	}
}
