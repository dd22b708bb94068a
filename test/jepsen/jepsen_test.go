package jepsen

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ballot-bft/ballot/test/crash"
)

var (
	seedFlag = flag.Uint64("jepsen.seed", 0, "seed of the fault tests' random choices (0: from the clock)")
	keepFlag = flag.Bool("jepsen.keep", false, "keep the reports, homes and logs of passing fault runs")
)

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// ballotBinary builds ./cmd/ballot once for every test of the package.
func ballotBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if buildDir, buildErr = os.MkdirTemp("", "ballot-jepsen-bin-"); buildErr != nil {
			return
		}
		var moduleDir string
		if moduleDir, buildErr = crash.ModuleDir(ctx); buildErr != nil {
			return
		}
		buildBin, buildErr = crash.Build(ctx, moduleDir, filepath.Join(buildDir, "ballot"))
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// runProfile runs p with the test's seed into a fresh folder; the folder is removed when the
// test passes (unless -jepsen.keep).
func runProfile(t *testing.T, p Profile) *Result {
	t.Helper()
	if testing.Short() {
		t.Skipf("profile %s runs %d ballot processes for up to a minute: skipped with -short (make test runs it)", p.Name, p.Validators+p.FullNodes)
	}
	bin := ballotBinary(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	dir, err := os.MkdirTemp("", "ballot-jepsen-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() && !*keepFlag {
			os.RemoveAll(dir)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	res, err := Run(ctx, Options{Bin: bin, Dir: dir, Seed: seed, Profile: p, Keep: *keepFlag, CheckTimeout: time.Minute, Log: t.Logf})
	if err != nil {
		t.Fatalf("seed %d: the run could not be carried out: %v (kept in %s)", seed, err, dir)
	}
	return res
}

// TestQuickProfile runs the quick profile against real processes (4 validators and a full
// node): one pass of every fault under load, then every check. Rerun a failure with
// -jepsen.seed; the report folder is named in the failure.
func TestQuickProfile(t *testing.T) {
	p, err := ProfileByName("quick", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := runProfile(t, p)
	if !res.Passed() {
		t.Fatalf("seed %d:\n%s", res.Seed, res.Summary())
	}
	if res.Linearizability.Ops == 0 || res.Set.Acked == 0 || res.Chain.Compared == 0 {
		t.Fatalf("the run checked nothing:\n%s", res.Summary())
	}
}

// TestNegativeControl reads registers with abci_query through a validator cut off from the
// others while they commit new writes: the checker must reject the history. The same script
// reading through consensus must pass.
func TestNegativeControl(t *testing.T) {
	p, err := ProfileByName("negative-control", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := runProfile(t, p)
	if res.Linearizability.Result != porcupine.Illegal || !slices.Equal(res.Linearizability.IllegalKeys, []string{"nc"}) {
		t.Fatalf("stale abci_query reads were not flagged (verdict %s):\n%s", res.Linearizability.Result, res.Summary())
	}
	if len(res.Problems) != 1 {
		t.Fatalf("the negative control found more than the stale reads:\n%s", res.Summary())
	}

	p.Workload.ReadMode = ReadTx
	if res := runProfile(t, p); !res.Passed() {
		t.Fatalf("the same script reading through consensus failed:\n%s", res.Summary())
	}
}
