package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunAndInspect(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "run.jsonl")
	var out, errOut bytes.Buffer
	if code := run([]string{"-scenario", "equivocate", "-seed", "3", "-log", logPath}, &out, &errOut); code != 0 {
		t.Fatalf("run: exit %d, %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "scenario equivocate seed 3") || !strings.Contains(out.String(), ": ok") {
		t.Fatalf("run output: %s", out.String())
	}
	if fi, err := os.Stat(logPath); err != nil || fi.Size() == 0 {
		t.Fatalf("no event log: %v", err)
	}
	out.Reset()
	if code := inspect([]string{"-node", "1", "-height", "2", "-type", "Proposal", logPath}, &out, &errOut); code != 0 {
		t.Fatalf("inspect: exit %d, %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "Proposal") {
		t.Fatalf("inspect printed no proposal: %q", out.String())
	}
	out.Reset()
	if code := inspect([]string{"-replay", logPath}, &out, &errOut); code != 0 {
		t.Fatalf("inspect -replay: exit %d, %s%s", code, out.String(), errOut.String())
	}
	if got := strings.Count(out.String(), "every action reproduced"); got != 4 {
		t.Fatalf("replay of the 4 nodes: %s", out.String())
	}
	out.Reset()
	if code := inspect([]string{"-replay", "-node", "2", "-v", logPath}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "new machine for height 1") {
		t.Fatalf("inspect -replay -node 2 -v: exit %d, %.300s", code, out.String())
	}
}

func TestRunReportsViolations(t *testing.T) {
	var out, errOut bytes.Buffer
	// The negative control breaks agreement; that is expected there, so the exit status is 0.
	if code := run([]string{"-scenario", "twins-majority", "-seed", "1"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := "go run ./test/sim/cmd/ballot-sim -seed 1 -scenario twins-majority"
	if !strings.Contains(out.String(), "agreement violation") || !strings.Contains(out.String(), want) {
		t.Fatalf("output lacks the violation or the replay command: %s", out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-scenario", "nope"}, &out, &errOut); code != 2 {
		t.Fatalf("unknown scenario: exit %d", code)
	}
	if code := run([]string{"-seeds", "2", "-log", "x"}, &out, &errOut); code != 2 {
		t.Fatalf("-log with two seeds: exit %d", code)
	}
	if code := inspect(nil, &out, &errOut); code != 2 {
		t.Fatalf("inspect without a file: exit %d", code)
	}
	out.Reset()
	if code := run([]string{"-list"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "twins-majority") {
		t.Fatalf("-list: exit %d, %q", code, out.String())
	}
}
