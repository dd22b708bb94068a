package crash

import (
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/libs/fail"
)

var seedFlag = flag.Uint64("crash.seed", 0, "seed of the crash tests' random choices (0: from the clock)")

// TestCrashPoints builds the ballot binary, then crashes a one-validator node at every crash
// point (the first and third time it is reached; the first only with -short), tears its WAL
// after crashes, crashes it again while it recovers, and checks after every run that the node
// resumed on the same chain (see Ledger.Record and CheckSnapshot). The full matrix is
// `go run ./test/crash/cmd`.
func TestCrashPoints(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -crash.seed %d)", seed, seed)

	counts, tornCycles, recovery := []int{1, 3}, 3, RecoveryScenarios()[:6]
	if testing.Short() {
		counts, tornCycles, recovery = []int{1}, 2, recovery[:3]
	}
	scenarios := PointScenarios(fail.Points(), counts)
	scenarios = append(scenarios, TornScenario(tornCycles, rand.New(rand.NewPCG(seed, 0))))
	scenarios = append(scenarios, recovery...)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "ballot-crash-test-")
	if err != nil {
		t.Fatal(err)
	}
	moduleDir, err := ModuleDir(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := Build(ctx, moduleDir, filepath.Join(dir, "ballot"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Bin: bin, Dir: dir, Seed: seed, TxWorkers: 3}
	results := RunAll(ctx, opts, scenarios, 2, func(r *Result) {
		if r.Failed() {
			t.Errorf("seed %d:\n%s", seed, r)
			return
		}
		t.Log(r)
		os.RemoveAll(r.Dir)
	})
	if failed, list := Summary(results); failed > 0 {
		t.Errorf("%d of %d scenarios failed (seed %d); homes and logs kept in %s:\n%s", failed, len(results), seed, dir, list)
		return
	}
	os.RemoveAll(dir)
}
