package jepsen

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// regInput is a register operation as the model sees it.
type regInput struct {
	Kind     OpKind
	Key      string
	Value    string // write / cas: the new value
	Expected string // cas
}

// regOutput is what the client learnt; Known is false for an indeterminate operation.
type regOutput struct {
	Known   bool
	Result  string // read: the value; cas: the value before
	Swapped bool
}

// registerStep is the sequential specification of one kvstore key: its state is the key's
// value, "" while absent (the workloads never write an empty value).
func registerStep(state, input, output any) (bool, any) {
	s, in, out := state.(string), input.(regInput), output.(regOutput)
	switch in.Kind {
	case OpWrite:
		return true, in.Value
	case OpRead:
		return out.Result == s, s
	case OpCAS:
		if !out.Known { // it may have happened here; if it did, the state decided its outcome
			if s == in.Expected {
				return true, in.Value
			}
			return true, s
		}
		if out.Swapped {
			return s == in.Expected, in.Value
		}
		return s != in.Expected && out.Result == s, s
	}
	return false, s
}

// RegisterModel is the porcupine model of the register workload: one register per key
// (partitioned by key), reads, writes and compare-and-set.
var RegisterModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(regInput).Key
			byKey[k] = append(byKey[k], op)
		}
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([][]porcupine.Operation, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	},
	Init: func() any { return "" },
	Step: registerStep,
	DescribeOperation: func(input, output any) string {
		in, out := input.(regInput), output.(regOutput)
		var s string
		switch in.Kind {
		case OpWrite:
			s = fmt.Sprintf("%s := %s", in.Key, in.Value)
		case OpRead:
			return fmt.Sprintf("%s -> %q", in.Key, out.Result)
		case OpCAS:
			s = fmt.Sprintf("cas %s %q->%s", in.Key, in.Expected, in.Value)
			if out.Known {
				if out.Swapped {
					return s + " ok"
				}
				return s + fmt.Sprintf(" found %q", out.Result)
			}
		}
		if !out.Known {
			s += " ?"
		}
		return s
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%q", state.(string)) },
}

// LinearizabilityResult is the verdict on a register history.
type LinearizabilityResult struct {
	Result      porcupine.CheckResult
	Ops         int      // operations checked (OK and indeterminate)
	Keys        int      // registers
	IllegalKeys []string // keys whose history is not linearizable
	Info        porcupine.LinearizationInfo
}

// registerOps turns a history into porcupine operations: the register kinds that are OK or
// indeterminate (failed operations never happened; an indeterminate read tells nothing). An
// indeterminate operation may take effect any time after its call, so it returns after every
// other operation.
func registerOps(ops []Op) []porcupine.Operation {
	var end time.Duration
	for _, o := range ops {
		end = max(end, o.Return)
	}
	var out []porcupine.Operation
	for _, o := range ops {
		if o.Kind != OpRead && o.Kind != OpWrite && o.Kind != OpCAS || o.Status == StatusFail ||
			o.Kind == OpRead && o.Status != StatusOK {
			continue
		}
		ret := o.Return
		known := o.Status == StatusOK
		if !known {
			ret = end + 1
		}
		out = append(out, porcupine.Operation{
			ClientId: o.Client,
			Input:    regInput{Kind: o.Kind, Key: o.Key, Value: o.Value, Expected: o.Expected},
			Output:   regOutput{Known: known, Result: o.Result, Swapped: o.Swapped},
			Call:     int64(o.Call),
			Return:   int64(ret),
			Metadata: fmt.Sprintf("op #%d on node%d, height %d", o.Index, o.Node, o.Height),
		})
	}
	return out
}

// CheckRegister checks the register operations of ops for linearizability, per key, giving up
// after timeout (Result Unknown). The result's Info can be visualized.
func CheckRegister(ops []Op, timeout time.Duration) LinearizabilityResult {
	history := registerOps(ops)
	res, info := porcupine.CheckOperationsVerbose(RegisterModel, history, timeout)
	lr := LinearizabilityResult{Result: res, Ops: len(history), Info: info}
	parts := RegisterModel.Partition(history)
	lr.Keys = len(parts)
	if res == porcupine.Illegal {
		single := RegisterModel
		single.Partition = nil
		for _, part := range parts {
			if porcupine.CheckOperationsTimeout(single, part, timeout) == porcupine.Illegal {
				lr.IllegalKeys = append(lr.IllegalKeys, part[0].Input.(regInput).Key)
			}
		}
		slices.Sort(lr.IllegalKeys)
	}
	return lr
}
