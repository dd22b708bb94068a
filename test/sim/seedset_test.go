package sim

import (
	"flag"
	"testing"
	"time"
)

// The CI seed set: seeds ciFirstSeed.. of every scenario, ciSeeds of them (make sim runs it
// without -race; see seedSet). -sim.seed and -sim.seeds choose another set.
const (
	ciFirstSeed = 1
	ciSeeds     = 5
)

var (
	flagSeeds = flag.Int("sim.seeds", 0, "seeds per scenario (default: the CI seed set)")
	flagSeed  = flag.Uint64("sim.seed", ciFirstSeed, "first seed")
)

// seedSet returns the seeds each scenario runs and, for a smoke run, the simulated time each
// run is cut to (0: the scenario's own). Under -race or -short the set shrinks to one seed cut
// to 20 s without the liveness check: the simulator and the core run on one goroutine, so the
// race detector has nothing to find in them beyond a smoke run, and the set proper runs in make
// sim.
func seedSet() (seeds []uint64, cut time.Duration) {
	n := ciSeeds
	if *flagSeeds > 0 {
		n = *flagSeeds
	} else if raceEnabled || testing.Short() {
		n, cut = 1, 20*time.Second
	}
	for s := *flagSeed; s < *flagSeed+uint64(n); s++ {
		seeds = append(seeds, s)
	}
	return seeds, cut
}

// heavy skips a test that runs whole scenarios under -race or -short: make sim runs it.
func heavy(t *testing.T) {
	t.Helper()
	if raceEnabled || testing.Short() {
		t.Skip("runs whole scenarios; make sim runs it without -race")
	}
}

// runSeed runs one seed of sc, cut to cut of simulated time if cut > 0.
func runSeed(t *testing.T, sc Scenario, seed uint64, cut time.Duration) Result {
	t.Helper()
	cfg := sc.Config(seed)
	if cut > 0 && cut < cfg.Duration {
		cfg.Duration, cfg.LivenessBound = cut, 0
	}
	res, err := Run(cfg, nil)
	if err != nil {
		t.Fatalf("%s seed %d: %v", sc.Name, seed, err)
	}
	return res
}

// TestSeedSet runs the seed set over every scenario. In a safe scenario every invariant must hold
// for every seed and the chain must grow; in a negative control (byzantine power over 1/3)
// agreement must break within the set.
func TestSeedSet(t *testing.T) {
	seeds, cut := seedSet()
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			if sc.Unsafe {
				for _, seed := range seeds {
					res := runSeed(t, sc, seed, 0)
					if res.Violation != nil && res.Violation.Kind == ViolationAgreement {
						t.Logf("agreement broken with seed %d: %v", seed, res.Violation)
						return
					}
				}
				t.Fatalf("no agreement violation in seeds %v of the negative control", seeds)
			}
			var simulated time.Duration
			for _, seed := range seeds {
				res := runSeed(t, sc, seed, cut)
				simulated += res.SimTime
				if res.Violation != nil {
					t.Errorf("%v\nreplay: %s", res.Violation, res.ReplayCommand())
					continue
				}
				if res.Height < 10 && cut == 0 {
					t.Errorf("seed %d: only %d heights in %v", seed, res.Height, res.SimTime)
				}
			}
			t.Logf("%d seeds, %v simulated", len(seeds), simulated)
		})
	}
}

// TestByzantineThreshold checks the pair of twin scenarios around 1/3: they differ only in one
// unit of voting power moved from an honest validator to a twin, which puts the byzantine power
// just under 1/3 in twins-third (a safe scenario of the seed set: agreement must hold) and just
// over in twins-majority (a negative control: agreement must break).
func TestByzantineThreshold(t *testing.T) {
	under, _ := LookupScenario("twins-third")
	over, _ := LookupScenario("twins-majority")
	if under.Unsafe || !over.Unsafe {
		t.Fatal("twins-third must be safe and twins-majority a negative control")
	}
	byzantine := func(c Config) (byz, total int64) {
		for v := range c.Validators {
			total += c.power(v)
		}
		for _, v := range c.Twins {
			byz += c.power(v)
		}
		return byz, total
	}
	u, o := under.Config(1), over.Config(1)
	ub, ut := byzantine(u)
	ob, ot := byzantine(o)
	if ut != ot || 3*ub >= ut || 3*ob <= ot || ob-ub != 1 {
		t.Fatalf("byzantine power %d/%d and %d/%d: want one unit apart, just under and just over 1/3", ub, ut, ob, ot)
	}
	if u.Validators != o.Validators || len(u.Twins) != len(o.Twins) {
		t.Fatal("the pair differs in more than the powers")
	}
}
