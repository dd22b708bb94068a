package jepsen

import (
	"testing"
)

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
