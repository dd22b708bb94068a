package jepsen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// OpKind is what a client operation asks for.
type OpKind string

// The operations of the workloads.
const (
	OpRead  OpKind = "read"  // register read: a get transaction, or an abci_query (negative control)
	OpWrite OpKind = "write" // register write: a key=value transaction
	OpCAS   OpKind = "cas"   // register compare-and-set: a cas transaction
	OpAdd   OpKind = "add"   // set add: a transaction writing the element's own key
)

// Status is how an operation ended, in Jepsen's terms.
type Status string

// The outcomes of an operation.
const (
	// StatusOK: the operation happened and its result is known (a compare-and-set that found
	// another value is OK with Swapped false: it happened and read that value).
	StatusOK Status = "ok"
	// StatusFail: the operation certainly did not happen (refused by CheckTx or the mempool,
	// or the node could not be reached at all).
	StatusFail Status = "fail"
	// StatusInfo: indeterminate; the operation may have happened, or may still happen (a
	// timeout, a cut connection).
	StatusInfo Status = "info"
)

// Op is one client operation of a history. Times are run times (since the cluster's clock
// started).
type Op struct {
	Index    int           `json:"index"`
	Client   int           `json:"client"`
	Node     int           `json:"node"`
	Kind     OpKind        `json:"kind"`
	Key      string        `json:"key"`
	Value    string        `json:"value,omitempty"`    // write: the value; cas: the new value; add: the element
	Expected string        `json:"expected,omitempty"` // cas: the value the key must hold ("" = absent)
	Status   Status        `json:"status"`
	Result   string        `json:"result,omitempty"` // read: the value read; cas: the value before
	Swapped  bool          `json:"swapped,omitempty"`
	Height   int64         `json:"height,omitempty"` // the commit height of an OK transaction
	Tx       string        `json:"tx,omitempty"`     // the transaction submitted ("" for a query)
	Call     time.Duration `json:"call"`
	Return   time.Duration `json:"return"`
	Error    string        `json:"error,omitempty"`
}

// Latency is how long the client waited.
func (o Op) Latency() time.Duration { return o.Return - o.Call }

func (o Op) String() string {
	s := fmt.Sprintf("#%d c%d n%d %s %s", o.Index, o.Client, o.Node, o.Kind, o.Key)
	switch o.Kind {
	case OpWrite, OpAdd:
		s += " " + o.Value
	case OpCAS:
		s += fmt.Sprintf(" %q->%q", o.Expected, o.Value)
	}
	s += " " + string(o.Status)
	if o.Status == StatusOK && (o.Kind == OpRead || o.Kind == OpCAS) {
		s += fmt.Sprintf(" %q", o.Result)
		if o.Kind == OpCAS && !o.Swapped {
			s += " (mismatch)"
		}
	}
	if o.Error != "" {
		s += " (" + o.Error + ")"
	}
	return s
}

// History is the operations of a run, appended by concurrent clients. Safe for concurrent use.
type History struct {
	mu  sync.Mutex
	ops []Op
}

// Add appends op, numbering it, and returns its index.
func (h *History) Add(op Op) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	op.Index = len(h.ops)
	h.ops = append(h.ops, op)
	return op.Index
}

// Len is the number of operations added so far.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ops)
}

// Ops returns a copy of the operations, ordered by call time.
func (h *History) Ops() []Op {
	h.mu.Lock()
	ops := slices.Clone(h.ops)
	h.mu.Unlock()
	slices.SortStableFunc(ops, func(a, b Op) int { return int(a.Call - b.Call) })
	return ops
}

// WriteJSONLines writes ops as one JSON object per line.
func WriteJSONLines[T any](w io.Writer, items []T) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ReadOps reads a history written by WriteJSONLines.
func ReadOps(r io.Reader) ([]Op, error) {
	var ops []Op
	dec := json.NewDecoder(r)
	for dec.More() {
		var op Op
		if err := dec.Decode(&op); err != nil {
			return ops, fmt.Errorf("history line %d: %w", len(ops)+1, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// Counts tallies operations by status.
type Counts struct{ OK, Fail, Info int }

// Total is every operation counted.
func (c Counts) Total() int { return c.OK + c.Fail + c.Info }

// CountOps tallies ops of the given kinds (all kinds when none is given).
func CountOps(ops []Op, kinds ...OpKind) Counts {
	var c Counts
	for _, o := range ops {
		if len(kinds) > 0 && !slices.Contains(kinds, o.Kind) {
			continue
		}
		switch o.Status {
		case StatusOK:
			c.OK++
		case StatusFail:
			c.Fail++
		default:
			c.Info++
		}
	}
	return c
}
