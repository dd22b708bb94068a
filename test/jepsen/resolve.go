package jepsen

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
)

// Execution is one execution of a transaction found in the chain.
type Execution struct {
	Height int64
	Code   uint32
	Data   []byte
}

// ReadExecutions reads every block of node n that holds transactions (per metas, the node's
// block metas up to top) with its results, and returns every transaction's executions in
// chain order.
func ReadExecutions(ctx context.Context, n *Node, metas map[int64]BlockMeta, top int64) (map[string][]Execution, error) {
	execs := map[string][]Execution{}
	for h := int64(1); h <= top; h++ {
		if m, ok := metas[h]; ok && m.NumTxs == 0 {
			continue
		}
		block, err := n.RPC.Block(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("block %d of %s: %w", h, n.Name, err)
		}
		if len(block.Txs) == 0 {
			continue
		}
		results, err := n.RPC.BlockResults(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("block_results %d of %s: %w", h, n.Name, err)
		}
		if len(results) != len(block.Txs) {
			return nil, fmt.Errorf("block %d of %s has %d transactions but %d results", h, n.Name, len(block.Txs), len(results))
		}
		for i, tx := range block.Txs {
			execs[string(tx)] = append(execs[string(tx)], Execution{Height: h, Code: results[i].Code, Data: results[i].Data})
		}
	}
	return execs, nil
}

// Resolution is what the chain says about the history's transactions.
type Resolution struct {
	// Final: every mempool was empty when the chain was read, and no node ran afterwards, so a
	// transaction that is not in the chain never executed.
	Final bool
	// Duplicates lists the transactions executed more than once. CometBFT's mempool does
	// this too: a transaction whose execution failed (code ≠ 0) is forgotten by the cache of
	// the nodes that committed it, and a node that had not committed it yet may send it
	// again; a node whose cache was lost (restarted) may accept any transaction again.
	Duplicates   []string
	DupAfterOK   int      // re-executions of a transaction that had succeeded (code 0)
	DupAfterFail int      // re-executions of a transaction that had failed (code ≠ 0)
	Mismatches   []string // operations whose outcome the chain contradicts
	Resolved     int      // indeterminate operations whose fate the chain decided
}

// Resolve confronts the operations with the executions of their transactions and returns the
// history as it happened: an indeterminate operation the chain executed becomes OK (its
// result from the chain, returning when a node first logged the height), one the chain
// doesn't hold (when final) becomes failed; every execution beyond the one a client saw is
// added as an operation of its own (client extraClient, called with the original, returning
// when its height was first logged). seen gives when a height was first logged committed.
func Resolve(ops []Op, execs map[string][]Execution, final bool, extraClient int, seen func(int64) (time.Duration, bool)) (Resolution, []Op) {
	res := Resolution{Final: final}
	var end time.Duration
	for _, o := range ops {
		end = max(end, o.Return)
	}
	at := func(h int64) time.Duration {
		if t, ok := seen(h); ok {
			return t
		}
		return end + 1
	}
	out := make([]Op, 0, len(ops))
	var extras []Op
	for _, o := range ops {
		es := execs[o.Tx]
		if o.Tx == "" {
			out = append(out, o)
			continue
		}
		if len(es) > 1 {
			parts := make([]string, len(es))
			for i, e := range es {
				parts[i] = fmt.Sprintf("%d (code %d)", e.Height, e.Code)
				if i > 0 {
					if es[0].Code == 0 {
						res.DupAfterOK++
					} else {
						res.DupAfterFail++
					}
				}
			}
			res.Duplicates = append(res.Duplicates, fmt.Sprintf("op #%d %q executed at heights %s", o.Index, o.Tx, strings.Join(parts, ", ")))
		}
		seenAt := -1 // the execution the client saw
		switch o.Status {
		case StatusOK:
			seenAt = slices.IndexFunc(es, func(e Execution) bool { return e.Height == o.Height })
			if seenAt < 0 {
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("op #%d %q acknowledged at height %d is not in that block", o.Index, o.Tx, o.Height))
			} else if want := withExecution(o, es[seenAt]); want.Status != o.Status || want.Result != o.Result || want.Swapped != o.Swapped {
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("op #%d %q: the client got %s, block_results %d say %s", o.Index, o.Tx, o, es[seenAt].Height, want))
			}
			out = append(out, o)
		case StatusFail:
			if len(es) > 0 {
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("op #%d %q failed for certain (%s) but executed at height %d", o.Index, o.Tx, o.Error, es[0].Height))
			}
			out = append(out, o)
		default:
			switch {
			case len(es) > 0:
				seenAt = 0
				r := withExecution(o, es[0])
				r.Return = max(at(es[0].Height), r.Call+1)
				r.Error = "indeterminate for the client; executed at height " + fmt.Sprint(es[0].Height)
				out = append(out, r)
				res.Resolved++
			case final:
				o.Status, o.Error = StatusFail, o.Error+"; never executed (not in the final chain)"
				out = append(out, o)
				res.Resolved++
			default:
				out = append(out, o)
			}
		}
		for i, e := range es {
			if i == seenAt {
				continue
			}
			x := withExecution(o, e)
			x.Client, x.Return = extraClient, max(at(e.Height), o.Call+1)
			x.Error = fmt.Sprintf("execution of op #%d's transaction the client did not see", o.Index)
			extras = append(extras, x)
		}
	}
	for i := range extras {
		extras[i].Index = len(ops) + i
	}
	slices.Sort(res.Duplicates)
	return res, append(out, extras...)
}

// withExecution returns o with the outcome of execution e.
func withExecution(o Op, e Execution) Op {
	o.Height, o.Result, o.Swapped = e.Height, string(e.Data), false
	switch {
	case e.Code == kvstore.CodeTypeOK:
		o.Status = StatusOK
		o.Swapped = o.Kind == OpCAS
	case o.Kind == OpCAS && e.Code == kvstore.CodeTypeCASMismatch:
		o.Status = StatusOK
	default:
		o.Status = StatusFail
	}
	if o.Kind == OpWrite || o.Kind == OpAdd {
		o.Result = ""
	}
	return o
}
