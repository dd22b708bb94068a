package jepsen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
)

// ReadMode is how the register workload reads.
type ReadMode int

const (
	// ReadTx reads with a get transaction: the read is ordered by consensus (linearizable).
	ReadTx ReadMode = iota
	// ReadQuery reads with abci_query from the node's last committed state: fast, but a node
	// cut off from the others serves stale values (the negative control).
	ReadQuery
)

func (m ReadMode) String() string {
	if m == ReadQuery {
		return "abci_query"
	}
	return "get tx"
}

// Workload is the client load of a run: register clients (reads, writes, compare-and-set on
// a few keys at a time) and set clients (adds of new elements), each bound to one node, one
// operation at a time.
type Workload struct {
	RegisterClients int
	SetClients      int
	Keys            int           // registers in use at once
	OpsPerKey       int           // a register is retired after this many operations
	ReadMode        ReadMode      // how registers are read
	OpTimeout       time.Duration // client-side bound on one operation
}

// runner runs a workload against a cluster, recording into a history.
type runner struct {
	w    Workload
	c    *Cluster
	h    *History
	pool *keyPool
}

// Run runs the workload's clients until ctx is done and waits for them. Operations cut off by
// ctx are recorded as indeterminate.
func (w Workload) Run(ctx context.Context, c *Cluster, h *History, seed uint64) {
	r := &runner{w: w, c: c, h: h, pool: newKeyPool(max(w.Keys, 1), max(w.OpsPerKey, 1))}
	var wg sync.WaitGroup
	for i := range w.RegisterClients + w.SetClients {
		rng := rand.New(rand.NewPCG(seed, uint64(i)+1))
		node := c.Nodes[i%len(c.Nodes)]
		wg.Go(func() {
			for seq := 0; ctx.Err() == nil; seq++ {
				var op Op
				if i < w.RegisterClients {
					op = r.registerOp(ctx, i, seq, node, rng)
				} else {
					op = r.addOp(ctx, i, seq, node)
				}
				if op.Status == StatusFail && ctx.Err() == nil {
					backoff(ctx, 500*time.Millisecond) // the node is down or refusing: don't spin
				}
			}
		})
	}
	wg.Wait()
}

// backoff waits d or until ctx is done.
func backoff(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (r *runner) registerOp(ctx context.Context, client, seq int, node *Node, rng *rand.Rand) Op {
	slot, key, last := r.pool.pick(rng)
	var op Op
	nonce := fmt.Sprintf("c%dn%d", client, seq)
	value := fmt.Sprintf("c%dv%d", client, seq)
	switch p := rng.IntN(100); {
	case p < 40:
		op = r.do(ctx, client, node, OpRead, key, "", "", nonce)
	case p < 75:
		op = r.do(ctx, client, node, OpWrite, key, value, "", nonce)
	default:
		op = r.do(ctx, client, node, OpCAS, key, value, last, nonce)
	}
	switch {
	case op.Status != StatusOK:
		r.pool.done(slot, key, "", false)
	case op.Kind == OpWrite || op.Kind == OpCAS && op.Swapped:
		r.pool.done(slot, key, op.Value, true)
	default:
		r.pool.done(slot, key, op.Result, true)
	}
	return op
}

// do runs one register operation on node and records it: a read (a get transaction, or an
// abci_query with ReadQuery), a write of value, or a compare-and-set from expected to value.
// nonce makes the transaction unique.
func (r *runner) do(ctx context.Context, client int, node *Node, kind OpKind, key, value, expected, nonce string) Op {
	op := Op{Client: client, Node: node.Index, Kind: kind, Key: key}
	switch kind {
	case OpRead:
		if r.w.ReadMode == ReadQuery {
			op = r.query(ctx, node, op)
		} else {
			op = r.submit(ctx, node, op, kvstore.NewGetTx(key, nonce))
		}
	case OpWrite:
		op.Value = value
		op = r.submit(ctx, node, op, kvstore.NewTx(key, value))
	case OpCAS:
		op.Value, op.Expected = value, expected
		op = r.submit(ctx, node, op, kvstore.NewCASTx(key, expected, value, nonce))
	}
	op.Index = r.h.Add(op)
	return op
}

func (r *runner) addOp(ctx context.Context, client, seq int, node *Node) Op {
	op := Op{Client: client, Node: node.Index, Kind: OpAdd, Key: fmt.Sprintf("s%dx%d", client, seq), Value: "1"}
	op = r.submit(ctx, node, op, kvstore.NewTx(op.Key, op.Value))
	op.Index = r.h.Add(op)
	return op
}

// submit sends tx with broadcast_tx_commit and fills op's outcome.
func (r *runner) submit(ctx context.Context, node *Node, op Op, tx []byte) Op {
	op.Tx = string(tx)
	octx, cancel := context.WithTimeout(ctx, r.w.OpTimeout)
	defer cancel()
	op.Call = r.c.Clock.Now()
	res, err := node.RPC.BroadcastTxCommit(octx, tx)
	op.Return = r.c.Clock.Now()
	switch {
	case err != nil:
		op.Status, op.Error = classifyTxError(err)
	case res.CheckCode != 0:
		op.Status, op.Error = StatusFail, fmt.Sprintf("CheckTx code %d: %s", res.CheckCode, res.Log)
	case res.Height <= 0:
		op.Status, op.Error = StatusInfo, "committed at no height"
	case res.Code == kvstore.CodeTypeOK || op.Kind == OpCAS && res.Code == kvstore.CodeTypeCASMismatch:
		op.Status, op.Height = StatusOK, res.Height
		op.Result = string(res.Data)
		op.Swapped = op.Kind == OpCAS && res.Code == kvstore.CodeTypeOK
	default:
		// Committed, but the application refused it: it changed nothing. A bug of the
		// workload if it ever happens; kept as a failure with the code.
		op.Status, op.Height = StatusFail, res.Height
		op.Error = fmt.Sprintf("committed with code %d: %s", res.Code, res.Log)
	}
	return op
}

// query reads op.Key with abci_query (ReadQuery); a read without an answer failed.
func (r *runner) query(ctx context.Context, node *Node, op Op) Op {
	octx, cancel := context.WithTimeout(ctx, r.w.OpTimeout)
	defer cancel()
	op.Call = r.c.Clock.Now()
	q, err := node.RPC.ABCIQuery(octx, op.Key, 0)
	op.Return = r.c.Clock.Now()
	switch {
	case err != nil:
		op.Status, op.Error = StatusFail, err.Error()
	case q.Code != 0:
		op.Status, op.Error = StatusFail, fmt.Sprintf("query code %d", q.Code)
	default:
		op.Status, op.Result, op.Height = StatusOK, string(q.Value), q.Height
	}
	return op
}

// definiteRefusals are broadcast_tx_commit errors raised before the transaction entered the
// mempool: it can never be committed.
var definiteRefusals = []string{"mempool is full", "Tx too large", "still rechecking", "tx pre check", "appConn mempool", "not allowed with"}

// classifyTxError tells whether a failed broadcast_tx_commit certainly did not submit the
// transaction (fail) or may have (info).
func classifyTxError(err error) (Status, string) {
	var re *RPCError
	switch {
	case errors.As(err, &re):
		for _, s := range definiteRefusals {
			if strings.Contains(re.Data, s) {
				return StatusFail, re.Data
			}
		}
		return StatusInfo, re.Data // timed out waiting for the commit, subscription canceled, …
	case errors.Is(err, syscall.ECONNREFUSED):
		return StatusFail, "connection refused"
	case errors.Is(err, context.DeadlineExceeded):
		return StatusInfo, "client timeout"
	case errors.Is(err, context.Canceled):
		return StatusInfo, "canceled at the end of the run"
	}
	return StatusInfo, err.Error()
}

// keyPool is the registers in use: a fixed number of slots, each holding a key until it has
// seen opsPerKey operations, then a fresh key. It remembers the last value seen of each key,
// which compare-and-set operations expect. Safe for concurrent use.
type keyPool struct {
	mu     sync.Mutex
	slots  []keySlot
	next   int
	perKey int
}

type keySlot struct {
	key  string
	ops  int
	last string
}

func newKeyPool(n, perKey int) *keyPool {
	p := &keyPool{perKey: perKey}
	for range n {
		p.slots = append(p.slots, keySlot{key: p.fresh()})
	}
	return p
}

func (p *keyPool) fresh() string {
	p.next++
	return fmt.Sprintf("r%d", p.next)
}

// pick returns a random slot, its key and the last value seen of the key.
func (p *keyPool) pick(rng *rand.Rand) (int, string, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := rng.IntN(len(p.slots))
	return i, p.slots[i].key, p.slots[i].last
}

// done counts an operation on key (taken from slot) and, if known, the value it saw or left.
func (p *keyPool) done(slot int, key, value string, known bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &p.slots[slot]
	if s.key != key {
		return // the key was retired meanwhile
	}
	s.ops++
	if known {
		s.last = value
	}
	if s.ops >= p.perKey {
		*s = keySlot{key: p.fresh()}
	}
}
