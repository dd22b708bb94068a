package sim

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSameSeedSameRun runs one seed twice with event logs: the logs must be byte-identical, and
// another seed must differ.
func TestSameSeedSameRun(t *testing.T) {
	heavy(t)
	sc, _ := LookupScenario("chaos")
	run := func(seed uint64) (Result, []byte) {
		cfg := sc.Config(seed)
		cfg.Duration, cfg.LivenessBound = 40*time.Second, 0
		var log bytes.Buffer
		res, err := Run(cfg, &log)
		if err != nil || res.LogErr != nil {
			t.Fatal(err, res.LogErr)
		}
		return res, log.Bytes()
	}
	a, logA := run(7)
	b, logB := run(7)
	if !bytes.Equal(logA, logB) {
		t.Fatalf("seed 7 ran twice gave different logs (%d and %d bytes)", len(logA), len(logB))
	}
	if a.String() != b.String() {
		t.Fatalf("seed 7 ran twice: %v\n%v", a, b)
	}
	if a.Stats.Faults == 0 || a.Stats.Crashes == 0 || a.Stats.Equivocations == 0 {
		t.Fatalf("the chaos run injected too little: %v", a)
	}
	if _, logC := run(8); bytes.Equal(logA, logC) {
		t.Fatal("seeds 7 and 8 gave the same log")
	}
}

func TestResultNamesReplayCommand(t *testing.T) {
	sc, _ := LookupScenario("twins-majority")
	res, err := Run(sc.Config(3), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "go run ./test/sim/cmd/ballot-sim -seed 3 -scenario twins-majority"
	if res.ReplayCommand() != want || !strings.Contains(res.String(), want) {
		t.Fatalf("result %q does not name the replay command %q", res, want)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := map[string]func(c *Config){
		"no validators":      func(c *Config) { c.Validators = 0 },
		"too many nodes":     func(c *Config) { c.Validators = 60; c.Twins = []int{0, 1, 2, 3, 4} },
		"powers mismatch":    func(c *Config) { c.Powers = []int64{1} },
		"zero power":         func(c *Config) { c.Powers = []int64{1, 0, 1, 1} },
		"twin out of range":  func(c *Config) { c.Twins = []int{4} },
		"byzantine twice":    func(c *Config) { c.Twins = []int{1}; c.Equivocators = []int{1} },
		"drop rate 1":        func(c *Config) { c.Net.DropRate = 1 },
		"latency order":      func(c *Config) { c.Net.MeanLatency = 0 },
		"liveness past end":  func(c *Config) { c.HealAt = c.Duration },
		"fault node":         func(c *Config) { c.Faults = []Fault{{Kind: FaultCrash, Node: 9}} },
		"fault placed twice": func(c *Config) { c.Faults = []Fault{{Kind: FaultPartition, Groups: [][]int{{0, 1}, {1}}}} },
		"self link":          func(c *Config) { c.Faults = []Fault{{Kind: FaultLinkDown, Node: 1, Peer: 1}} },
		"no gossip":          func(c *Config) { c.GossipInterval = 0 },
		"negative spares":    func(c *Config) { c.Spares = -1 },
		"val change key":     func(c *Config) { c.ValChanges = []ValChange{{Key: 4, Power: 1}} },
		"val change power":   func(c *Config) { c.Spares = 1; c.ValChanges = []ValChange{{Key: 4, Power: -1}} },
		"amnesiac twin":      func(c *Config) { c.Twins = []int{1}; c.Amnesiacs = []int{1} },
		"mute probability":   func(c *Config) { c.MutePrecommitters = 1.5 },
	}
	for name, mutate := range bad {
		c := DefaultConfig()
		mutate(&c)
		if _, err := New(c, nil); err == nil {
			t.Errorf("%s: New accepted the config", name)
		}
	}
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
}

func TestScenarioPlansAreValidAndSeeded(t *testing.T) {
	for _, sc := range Scenarios() {
		for seed := uint64(1); seed <= 20; seed++ {
			s, err := New(sc.Config(seed), nil)
			if err != nil {
				t.Fatalf("%s seed %d: %v", sc.Name, seed, err)
			}
			for _, f := range s.cfg.Faults {
				if f.Kind == FaultPartition {
					assertTwinsApart(t, sc.Name, s.cfg, f)
				}
				if f.At > s.cfg.HealAt && f.Kind != FaultHeal && s.cfg.LivenessBound > 0 {
					t.Fatalf("%s seed %d: fault %v at %v after the heal at %v", sc.Name, seed, f, f.At, s.cfg.HealAt)
				}
			}
		}
	}
}

// assertTwinsApart checks that a partition puts the two nodes of each twin pair on different
// sides.
func assertTwinsApart(t *testing.T, name string, c Config, f Fault) {
	t.Helper()
	side := map[int]int{}
	for g, members := range f.Groups {
		for _, n := range members {
			side[n] = g
		}
	}
	for _, p := range twinPairs(&c) {
		if side[p[0]] == side[p[1]] {
			t.Fatalf("%s: %v puts twins %d and %d together", name, f, p[0], p[1])
		}
	}
}

func ExampleResult_ReplayCommand() {
	fmt.Println(Result{Seed: 42, Scenario: "crash"}.ReplayCommand())
	// Output: go run ./test/sim/cmd/ballot-sim -seed 42 -scenario crash
}

// TestAmnesiaScenarioExercisesLocks checks that the amnesia scenario does what it is for: the
// amnesiac forgets, precommitters get muted, and honest nodes reach later rounds.
func TestAmnesiaScenarioExercisesLocks(t *testing.T) {
	sc, _ := LookupScenario("amnesia")
	cfg := sc.Config(2)
	cfg.Duration, cfg.LivenessBound = 40*time.Second, 0
	res, err := Run(cfg, nil)
	if err != nil || res.Violation != nil {
		t.Fatalf("%v %v", res, err)
	}
	if res.Stats.Amnesias == 0 || res.Stats.Faults == 0 || res.Stats.MaxRound < 2 {
		t.Fatalf("amnesias %d, mutes and unmutes %d, max round %d", res.Stats.Amnesias, res.Stats.Faults, res.Stats.MaxRound)
	}
}
