package fail

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// helperEnv tells the test binary, re-executed by runHelper, to act as a crashing process.
const helperEnv = "BALLOT_FAIL_TEST_HELPER"

// TestMain lets the test binary play the process under test: with helperEnv set it hits the
// point given there a number of times (EnvVar, read by init, decides whether it crashes).
func TestMain(m *testing.M) {
	if spec, ok := os.LookupEnv(helperEnv); ok {
		os.Exit(helperMain(spec))
	}
	os.Exit(m.Run())
}

// helperMain hits point "name" up to "times" times ("name,times,marker-file"). Before each hit
// it prints the hit's number to stderr (unbuffered); it also writes to a buffered stdout that a
// crash must not flush, and registers a deferred write of marker-file that a crash must skip.
func helperMain(spec string) int {
	parts := strings.Split(spec, ",")
	name, marker := parts[0], parts[2]
	times, _ := strconv.Atoi(parts[1])
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	defer os.WriteFile(marker, []byte("deferred functions ran"), 0o600)
	out.WriteString("buffered output\n")
	for i := 1; i <= times; i++ {
		os.Stderr.WriteString("hit " + strconv.Itoa(i) + "\n")
		Point(name)
	}
	os.Stderr.WriteString("survived\n")
	return 0
}

type helperResult struct {
	code           int
	stdout, stderr string
	deferredRan    bool
}

// runHelper re-executes the test binary as a process that hits point `times` times, with
// EnvVar set to armSpec (unset when armSpec is "").
func runHelper(t *testing.T, point string, times int, armSpec string) helperResult {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "marker")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, EnvVar+"=") })
	env = append(env, helperEnv+"="+point+","+strconv.Itoa(times)+","+marker)
	if armSpec != "" {
		env = append(env, EnvVar+"="+armSpec)
	}
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := helperResult{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running the helper: %v", err)
	}
	_, statErr := os.Stat(marker)
	res.deferredRan = statErr == nil
	return res
}

func TestCrashOnNthHit(t *testing.T) {
	for _, tc := range []struct {
		spec     string
		lastHit  string
		wantCode int
	}{
		{spec: "exec.afterAppCommit", lastHit: "hit 1\n", wantCode: ExitCode},
		{spec: "exec.afterAppCommit:1", lastHit: "hit 1\n", wantCode: ExitCode},
		{spec: "exec.afterAppCommit:3", lastHit: "hit 3\n", wantCode: ExitCode},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			res := runHelper(t, "exec.afterAppCommit", 5, tc.spec)
			if res.code != tc.wantCode {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", res.code, tc.wantCode, res.stderr)
			}
			before, after, found := strings.Cut(res.stderr, "fail: crash point exec.afterAppCommit hit ")
			if !found || !strings.HasSuffix(before, tc.lastHit) || !strings.HasSuffix(after, "times: exiting with code 99\n") {
				t.Errorf("stderr does not show the crash right after %q:\n%s", tc.lastHit, res.stderr)
			}
			if strings.Contains(res.stderr, "survived") {
				t.Error("the process went on after its crash point")
			}
			if res.deferredRan {
				t.Error("deferred functions ran; a crash point must skip them")
			}
			if res.stdout != "" {
				t.Errorf("buffered stdout was flushed: %q", res.stdout)
			}
		})
	}
}

func TestUnarmedAndOtherPointsDoNothing(t *testing.T) {
	for _, arm := range []string{"", "exec.afterSaveState", "exec.afterAppCommit:6"} {
		res := runHelper(t, "exec.afterAppCommit", 5, arm)
		if res.code != 0 || !strings.HasSuffix(res.stderr, "hit 5\nsurvived\n") {
			t.Errorf("%s=%q: exit code %d, stderr:\n%s", EnvVar, arm, res.code, res.stderr)
		}
		if !res.deferredRan || res.stdout != "buffered output\n" {
			t.Errorf("%s=%q: the process did not finish normally (deferred ran %v, stdout %q)", EnvVar, arm, res.deferredRan, res.stdout)
		}
	}
}

func TestBadSpecStopsAtInit(t *testing.T) {
	for _, spec := range []string{"exec.afterAppComit", "exec.afterAppCommit:0", "exec.afterAppCommit:x", ":3"} {
		res := runHelper(t, "exec.afterAppCommit", 1, spec)
		if res.code != ExitCodeBadSpec {
			t.Errorf("%s=%q: exit code %d, want %d; stderr:\n%s", EnvVar, spec, res.code, ExitCodeBadSpec, res.stderr)
		}
		if !strings.Contains(res.stderr, EnvVar) || strings.Contains(res.stderr, "hit 1") {
			t.Errorf("%s=%q: want a message naming %s before anything runs, got:\n%s", EnvVar, spec, EnvVar, res.stderr)
		}
	}
}

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		spec string
		name string
		n    int64
		ok   bool
	}{
		{"driver.afterEndHeight", "driver.afterEndHeight", 1, true},
		{"driver.afterEndHeight:1", "driver.afterEndHeight", 1, true},
		{"driver.afterEndHeight:12", "driver.afterEndHeight", 12, true},
		{"driver.afterEndHeight:0", "", 0, false},
		{"driver.afterEndHeight:-1", "", 0, false},
		{"driver.afterEndHeight:", "", 0, false},
		{"driver.afterEndHeight:1:2", "", 0, false},
		{"driver.afterendheight", "", 0, false},
		{"", "", 0, false},
	} {
		name, n, err := ParseSpec(tc.spec)
		if tc.ok != (err == nil) || name != tc.name || n != tc.n {
			t.Errorf("ParseSpec(%q) = %q, %d, %v; want %q, %d, ok=%v", tc.spec, name, n, err, tc.name, tc.n, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrBadSpec) {
			t.Errorf("ParseSpec(%q) error %v does not wrap ErrBadSpec", tc.spec, err)
		}
	}
	for _, p := range Points() {
		if name, n, err := ParseSpec(Spec(p, 7)); err != nil || name != p || n != 7 {
			t.Errorf("ParseSpec(Spec(%q, 7)) = %q, %d, %v", p, name, n, err)
		}
	}
}

func TestPointsAreUniqueAndDescribed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Points() {
		if seen[p] {
			t.Errorf("point %q is declared twice", p)
		}
		seen[p] = true
		if Describe(p) == "" {
			t.Errorf("point %q has no description", p)
		}
		if component, rest, ok := strings.Cut(p, "."); !ok || component == "" ||
			!(strings.HasPrefix(rest, "before") || strings.HasPrefix(rest, "after")) {
			t.Errorf("point %q is not named <component>.<before|after><Thing>", p)
		}
	}
	if Describe("no.such") != "" || Known("no.such") {
		t.Error("an unknown point is described or known")
	}
	names := Points()
	names[0] = "changed"
	if Points()[0] == "changed" {
		t.Error("Points returns the package's own slice")
	}
}

// TestArmedInProcess checks the counting without exiting: the armed point's hits below the
// chosen one return, other names are ignored.
func TestArmedInProcess(t *testing.T) {
	arm("exec.afterSaveState", 3)
	defer disarm()
	Point("exec.afterSaveState")
	Point("exec.afterAppCommit")
	Point("exec.afterSaveState")
	if got := target.hits.Load(); got != 2 {
		t.Fatalf("hits = %d, want 2", got)
	}
}

func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"exec.afterAppCommit", "exec.afterAppCommit:3", "x:0", ":", "", "driver.afterEndHeight:99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		name, n, err := ParseSpec(spec)
		if err != nil {
			if !errors.Is(err, ErrBadSpec) {
				t.Fatalf("ParseSpec(%q): error %v does not wrap ErrBadSpec", spec, err)
			}
			return
		}
		if !Known(name) || n < 1 {
			t.Fatalf("ParseSpec(%q) accepted %q, %d", spec, name, n)
		}
	})
}

// BenchmarkPointDisabled measures the call as placed in the node: inlined, it is one load and
// one compare. (A b.N loop, not b.Loop, which keeps calls in its body from being inlined.)
func BenchmarkPointDisabled(b *testing.B) {
	disarm()
	for range b.N {
		Point("exec.afterAppCommit")
	}
}

func BenchmarkPointArmedOther(b *testing.B) {
	arm("exec.afterSaveState", 1)
	defer disarm()
	for range b.N {
		Point("exec.afterAppCommit")
	}
}
