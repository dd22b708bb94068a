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
