package sim

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// loggedRun runs a short crash scenario with an event log.
func loggedRun(t *testing.T) []byte {
	t.Helper()
	sc, _ := LookupScenario("crash")
	cfg := sc.Config(2)
	cfg.Duration, cfg.LivenessBound = 30*time.Second, 0
	var log bytes.Buffer
	res, err := Run(cfg, &log)
	if err != nil || res.LogErr != nil || res.Violation != nil {
		t.Fatalf("run: %v %v %v", err, res.LogErr, res.Violation)
	}
	return log.Bytes()
}

func TestEventLogRecordsEveryKind(t *testing.T) {
	log := loggedRun(t)
	kinds := map[string]int{}
	types := map[string]int{}
	for _, line := range bytes.Split(bytes.TrimSpace(log), []byte("\n")) {
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		kinds[r.Kind]++
		types[r.Type]++
	}
	for _, k := range []string{KindInput, KindAction, KindNode, KindFault} {
		if kinds[k] == 0 {
			t.Errorf("no %q records", k)
		}
	}
	for _, typ := range []string{"Proposal", "BlockPart", "Prevote", "Precommit", "Timeout", "SignVote", "Broadcast",
		"Commit", "Committed", "Crash", "Start", "ScheduleTimeout", "Event"} {
		if types[typ] == 0 {
			t.Errorf("no %q records", typ)
		}
	}
}

func TestInspectFilters(t *testing.T) {
	log := loggedRun(t)
	f := AllRecords()
	f.Node, f.Height, f.Round = 2, 3, 0
	f.Types = []string{"prevote"} // matches Prevote inputs and SignVote/Broadcast of prevotes
	var out bytes.Buffer
	n, err := Inspect(bytes.NewReader(log), &out, f)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if n == 0 || len(lines) != n {
		t.Fatalf("%d records, %d lines", n, len(lines))
	}
	for _, line := range lines {
		if !strings.Contains(line, " n2 ") || !strings.Contains(line, " 3/0") || !strings.Contains(line, "Prevote") {
			t.Fatalf("line %q escapes the filter (node 2, 3/0, prevotes)", line)
		}
	}

	faults := AllRecords()
	faults.Kinds = []string{KindFault}
	faults.To = 10 * time.Second
	out.Reset()
	if _, err := Inspect(bytes.NewReader(log), &out, faults); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.Contains(line, " fault ") {
			t.Fatalf("line %q is not a fault", line)
		}
	}
}

func TestInspectRejectsBadLines(t *testing.T) {
	_, err := Inspect(strings.NewReader("{\"t_us\":1}\nnot json\n"), &bytes.Buffer{}, AllRecords())
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want one naming line 2", err)
	}
}

func FuzzInspect(f *testing.F) {
	f.Add([]byte(`{"t_us":1500,"node":2,"kind":"in","type":"Prevote","h":3,"r":0,"from":"n1","detail":"val 1 for nil"}`))
	f.Add([]byte(`{"t_us":0,"node":-1,"kind":"fault","type":"Partition","h":0,"r":0,"detail":"Partition {0 1} {2 3}"}` + "\n\n"))
	f.Add([]byte("{\"t_us\":-9223372036854775808,\"node\":99999999999}\n{}"))
	f.Add([]byte("[1,2]\n\"x\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		n, err := Inspect(bytes.NewReader(data), &out, AllRecords())
		if err == nil && n != strings.Count(out.String(), "\n") {
			t.Fatalf("%d records but %d lines", n, strings.Count(out.String(), "\n"))
		}
	})
}
