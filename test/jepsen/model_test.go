package jepsen

import (
	"slices"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
)

// op builds a history entry on key "k" from call to ret (milliseconds).
func op(client int, kind OpKind, status Status, call, ret int, value, expected, result string, swapped bool) Op {
	return Op{Client: client, Kind: kind, Key: "k", Status: status, Value: value, Expected: expected, Result: result,
		Swapped: swapped, Call: time.Duration(call) * time.Millisecond, Return: time.Duration(ret) * time.Millisecond}
}

func TestRegisterStep(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state string
		in    regInput
		out   regOutput
		ok    bool
		next  string
	}{
		{"write", "a", regInput{Kind: OpWrite, Value: "b"}, regOutput{Known: true}, true, "b"},
		{"read sees state", "a", regInput{Kind: OpRead}, regOutput{Known: true, Result: "a"}, true, "a"},
		{"stale read", "b", regInput{Kind: OpRead}, regOutput{Known: true, Result: "a"}, false, "b"},
		{"absent reads empty", "", regInput{Kind: OpRead}, regOutput{Known: true, Result: ""}, true, ""},
		{"cas swaps", "a", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{Known: true, Swapped: true, Result: "a"}, true, "c"},
		{"cas can't swap another value", "b", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{Known: true, Swapped: true}, false, "c"},
		{"cas mismatch reads", "b", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{Known: true, Result: "b"}, true, "b"},
		{"cas mismatch must differ", "a", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{Known: true, Result: "a"}, false, "a"},
		{"cas mismatch must read the state", "b", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{Known: true, Result: "x"}, false, "b"},
		{"unknown cas on expected swaps", "a", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{}, true, "c"},
		{"unknown cas elsewhere keeps", "b", regInput{Kind: OpCAS, Expected: "a", Value: "c"}, regOutput{}, true, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, next := registerStep(tc.state, tc.in, tc.out)
			if ok != tc.ok || (ok && next.(string) != tc.next) {
				t.Fatalf("step(%q) = %v, %q; want %v, %q", tc.state, ok, next, tc.ok, tc.next)
			}
		})
	}
}

func TestCheckRegister(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ops     []Op
		want    porcupine.CheckResult
		checked int
	}{
		{"sequential", []Op{
			op(0, OpWrite, StatusOK, 0, 10, "a", "", "", false),
			op(1, OpRead, StatusOK, 20, 30, "", "", "a", false),
			op(0, OpCAS, StatusOK, 40, 50, "b", "a", "a", true),
			op(1, OpRead, StatusOK, 60, 70, "", "", "b", false),
		}, porcupine.Ok, 4},
		{"stale read after an acknowledged write", []Op{
			op(0, OpWrite, StatusOK, 0, 10, "a", "", "", false),
			op(0, OpWrite, StatusOK, 20, 30, "b", "", "", false),
			op(1, OpRead, StatusOK, 40, 50, "", "", "a", false),
		}, porcupine.Illegal, 3},
		{"concurrent read may see either", []Op{
			op(0, OpWrite, StatusOK, 0, 10, "a", "", "", false),
			op(0, OpWrite, StatusOK, 20, 50, "b", "", "", false),
			op(1, OpRead, StatusOK, 30, 40, "", "", "a", false),
		}, porcupine.Ok, 3},
		{"an indeterminate write may land later", []Op{
			op(0, OpWrite, StatusInfo, 0, 10, "a", "", "", false),
			op(1, OpRead, StatusOK, 20, 30, "", "", "", false),
			op(1, OpRead, StatusOK, 40, 50, "", "", "a", false),
		}, porcupine.Ok, 3},
		{"a failed write never happened", []Op{
			op(0, OpWrite, StatusFail, 0, 10, "a", "", "", false),
			op(1, OpRead, StatusOK, 20, 30, "", "", "a", false),
		}, porcupine.Illegal, 1},
		{"indeterminate reads tell nothing", []Op{
			op(0, OpWrite, StatusOK, 0, 10, "a", "", "", false),
			op(1, OpRead, StatusInfo, 20, 30, "", "", "zzz", false),
		}, porcupine.Ok, 1},
		{"cas mismatch is a read", []Op{
			op(0, OpWrite, StatusOK, 0, 10, "a", "", "", false),
			op(1, OpCAS, StatusOK, 20, 30, "c", "x", "", false),
		}, porcupine.Illegal, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := CheckRegister(tc.ops, time.Minute)
			if r.Result != tc.want || r.Ops != tc.checked || r.Keys != 1 {
				t.Fatalf("result %s with %d ops on %d keys, want %s with %d ops on 1 key", r.Result, r.Ops, r.Keys, tc.want, tc.checked)
			}
			if tc.want == porcupine.Illegal && !slices.Equal(r.IllegalKeys, []string{"k"}) {
				t.Fatalf("illegal keys %v, want [k]", r.IllegalKeys)
			}
		})
	}
}

func TestCheckRegisterPartitionsByKey(t *testing.T) {
	a := op(0, OpWrite, StatusOK, 0, 10, "1", "", "", false)
	b := op(1, OpRead, StatusOK, 20, 30, "", "", "", false)
	b.Key = "other" // another register: it never saw the write
	c := op(1, OpRead, StatusOK, 40, 50, "", "", "2", false)
	c.Key = "bad"
	r := CheckRegister([]Op{a, b, c}, time.Minute)
	if r.Result != porcupine.Illegal || r.Keys != 3 || !slices.Equal(r.IllegalKeys, []string{"bad"}) {
		t.Fatalf("got %s on %d keys, illegal %v; want Illegal on 3 keys, illegal [bad]", r.Result, r.Keys, r.IllegalKeys)
	}
}
