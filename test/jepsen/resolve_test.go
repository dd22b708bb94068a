package jepsen

import (
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

func TestResolve(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	seen := func(h int64) (time.Duration, bool) { return ms(int(h) * 100), true }
	write := Op{Index: 0, Client: 0, Kind: OpWrite, Key: "k", Value: "a", Tx: "k=a", Status: StatusOK, Height: 1, Call: ms(50), Return: ms(120)}
	info := Op{Index: 1, Client: 1, Kind: OpRead, Key: "k", Tx: "get:k:1", Status: StatusInfo, Call: ms(150), Return: ms(900)}
	lost := Op{Index: 2, Client: 2, Kind: OpWrite, Key: "k", Value: "z", Tx: "k=z", Status: StatusInfo, Call: ms(160), Return: ms(950)}
	casTwice := Op{Index: 3, Client: 0, Kind: OpCAS, Key: "k", Value: "b", Expected: "x", Tx: "cas:k:x:b:n", Status: StatusOK, Result: "a", Height: 3, Call: ms(250), Return: ms(320)}
	execs := map[string][]Execution{
		"k=a":         {{Height: 1}},
		"get:k:1":     {{Height: 4, Data: []byte("a")}},
		"cas:k:x:b:n": {{Height: 3, Code: 20, Data: []byte("a")}, {Height: 6, Code: 20, Data: []byte("a")}},
	}
	res, out := Resolve([]Op{write, info, lost, casTwice}, execs, true, 9, seen)
	if res.Resolved != 2 || len(res.Mismatches) != 0 || res.DupAfterFail != 1 || res.DupAfterOK != 0 || len(res.Duplicates) != 1 {
		t.Fatalf("resolution %+v", res)
	}
	if len(out) != 5 {
		t.Fatalf("%d operations, want the 4 and one extra execution", len(out))
	}
	if r := out[1]; r.Status != StatusOK || r.Result != "a" || r.Height != 4 || r.Return != ms(400) {
		t.Errorf("the indeterminate read became %s returning at %s, want ok \"a\" at height 4 returning at 400ms", r, r.Return)
	}
	if l := out[2]; l.Status != StatusFail || !strings.Contains(l.Error, "never executed") {
		t.Errorf("the write the chain doesn't hold became %s, want failed", l)
	}
	if x := out[4]; x.Client != 9 || x.Index != 4 || x.Height != 6 || x.Call != casTwice.Call || x.Return != ms(600) || x.Status != StatusOK || x.Swapped {
		t.Errorf("the second execution is %s (client %d, %s to %s)", x, x.Client, x.Call, x.Return)
	}
	if r := CheckRegister(out, time.Minute); r.Result != porcupine.Ok {
		t.Errorf("the resolved history is %s", r.Result)
	}

	// Without an empty mempool an absent transaction stays indeterminate.
	_, out = Resolve([]Op{lost}, nil, false, 9, seen)
	if out[0].Status != StatusInfo {
		t.Errorf("not final: %s", out[0])
	}
}

func TestResolveFindsMismatches(t *testing.T) {
	seen := func(int64) (time.Duration, bool) { return 0, false }
	for _, tc := range []struct {
		name  string
		op    Op
		execs []Execution
	}{
		{"acknowledged, not in its block", Op{Kind: OpWrite, Tx: "k=a", Status: StatusOK, Height: 2}, []Execution{{Height: 3}}},
		{"read another value", Op{Kind: OpRead, Tx: "get:k:1", Status: StatusOK, Height: 2, Result: "a"}, []Execution{{Height: 2, Data: []byte("b")}}},
		{"cas outcome differs", Op{Kind: OpCAS, Tx: "cas:k::a", Status: StatusOK, Height: 2, Swapped: true}, []Execution{{Height: 2, Code: 20}}},
		{"failed for certain, executed", Op{Kind: OpWrite, Tx: "k=a", Status: StatusFail, Error: "connection refused"}, []Execution{{Height: 5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := Resolve([]Op{tc.op}, map[string][]Execution{tc.op.Tx: tc.execs}, true, 1, seen)
			if len(res.Mismatches) != 1 {
				t.Fatalf("mismatches %v, want one", res.Mismatches)
			}
		})
	}
}

func TestCheckSet(t *testing.T) {
	ops := []Op{
		{Kind: OpAdd, Key: "s1", Status: StatusOK},
		{Kind: OpAdd, Key: "s2", Status: StatusOK},
		{Kind: OpAdd, Key: "s3", Status: StatusInfo},
		{Kind: OpAdd, Key: "s4", Status: StatusInfo},
		{Kind: OpAdd, Key: "s5", Status: StatusFail},
		{Kind: OpWrite, Key: "r1", Status: StatusOK},
	}
	r := CheckSet(ops, map[string]bool{"s1": true, "s3": true, "s5": true})
	if r.Attempted != 5 || r.Acked != 2 || r.Indeterminate != 2 || r.Failed != 1 || r.Present != 3 || r.Recovered != 1 {
		t.Fatalf("counts %+v", r)
	}
	if len(r.Lost) != 1 || r.Lost[0] != "s2" || len(r.Unexpected) != 1 || r.Unexpected[0] != "s5" || r.OK() {
		t.Fatalf("lost %v, unexpected %v", r.Lost, r.Unexpected)
	}
}

func TestComputeRecovery(t *testing.T) {
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	commits := [][]Commit{
		{{Height: 1, At: s(1)}, {Height: 2, At: s(2)}, {Height: 3, At: s(6)}, {Height: 4, At: s(7)}},
		{{Height: 1, At: s(1)}, {Height: 2, At: s(2)}, {Height: 3, At: s(8)}, {Height: 4, At: s(9)}},
	}
	events := []Event{
		{ID: 0, Kind: "kill", Nodes: []int{1}, Start: s(3), End: s(5)},      // n1 passes 2 at 8s, but event 1 came first
		{ID: 1, Kind: "partition", Start: s(5.5), End: s(6.5)},              // top 3: n0 passes at 7s, n1 at 9s
		{ID: 2, Kind: "pause", Nodes: []int{0}, Start: s(9.5), End: s(10)},  // never again, but event 8 came
		{ID: 3, Kind: "kill", Nodes: []int{1}, Start: s(9.6), End: s(9.7)},  // the same
		{ID: 4, Kind: "heal", Nodes: []int{0}, Start: s(9.8), End: s(9.9)},  // the same
		{ID: 5, Kind: "delay", Nodes: []int{0}, Start: s(1.5), End: s(1.6)}, // top 1: n0 passes at 2s
		{ID: 6, Kind: "drop", Nodes: []int{1}, Start: s(2.5), End: s(2.6)},  // the kill at 3s interrupts it
		{ID: 7, Kind: "delay", Nodes: []int{0}, Start: s(0.1), End: s(0.2)}, // top 0: n0 passes at 1s
		{ID: 8, Kind: "delay", Nodes: []int{0, 1}, Start: s(10.5), End: s(11)},
	}
	problems := ComputeRecovery(events, commits, 2*time.Second)
	want := []time.Duration{-1, s(2.5), -1, -1, -1, s(0.4), -1, s(0.8), -1}
	for i, e := range events {
		if e.Recovery != want[i] {
			t.Errorf("event %d (%s): recovery %s, want %s", i, e.Kind, e.Recovery, want[i])
		}
	}
	// Event 1 took 2.5s, past the 2s bound; event 8 never recovered and nothing interrupted it.
	if len(problems) != 2 || !strings.Contains(problems[0], "took 2.5s") || !strings.Contains(problems[1], "never committed above height 4") {
		t.Fatalf("problems %q", problems)
	}
	if w, ok := WorstRecovery(events); !ok || w.ID != 1 {
		t.Errorf("worst recovery %+v, want event 1", w)
	}
}
