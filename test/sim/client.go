package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// client submits transactions to random live honest nodes, like a user of broadcast_tx_commit: a
// transaction is acknowledged when the node it was sent to commits it while the client is still
// connected (the node has not crashed since).
type client struct {
	sim     *Sim
	next    uint64
	pending map[string]submission
	acked   map[string]int64 // transaction -> height it was acknowledged at
}

type submission struct {
	node        int
	incarnation uint64
}

func newClient(s *Sim) *client {
	return &client{sim: s, pending: map[string]submission{}, acked: map[string]int64{}}
}

// schedule submits the next transaction after an exponentially distributed pause.
func (c *client) schedule() {
	mean := c.sim.cfg.TxInterval
	if mean <= 0 {
		return
	}
	pause := time.Duration(c.sim.rng.ExpFloat64() * float64(mean))
	c.sim.sched.after(pause, func() {
		if c.sim.stopped() {
			return
		}
		c.submit()
		c.schedule()
	})
}

func (c *client) submit() {
	c.next++
	c.send(types.Tx(fmt.Sprintf("k%d=v%d", c.next, c.sim.rng.IntN(1000))))
}

// send submits tx to a random live honest node.
func (c *client) send(tx types.Tx) {
	var live []*node
	for _, n := range c.sim.nodes {
		if n.up && n.behaviour == Honest {
			live = append(live, n)
		}
	}
	if len(live) == 0 {
		return
	}
	n := live[c.sim.rng.IntN(len(live))]
	c.sim.stats.TxsSubmitted++
	if n.addTx(tx) {
		c.pending[string(tx)] = submission{node: n.index, incarnation: n.incarnation}
	}
}

// valChangeRetry is how often a validator update not yet in the chain is sent again (a crash
// may have emptied the mempools that held it).
const valChangeRetry = 5 * time.Second

// scheduleValChanges submits each validator update at its time, and again every
// valChangeRetry until it is in the canonical chain.
func (c *client) scheduleValChanges() {
	for _, vc := range c.sim.cfg.ValChanges {
		pub := c.sim.keys[vc.Key].PubKey().Bytes()
		tx := types.Tx(kvstore.NewValidatorTx(ed25519.KeyType, pub, vc.Power))
		var try func()
		try = func() {
			if c.sim.stopped() {
				return
			}
			if _, done := c.sim.check.txHeight[string(tx)]; done {
				return
			}
			c.send(tx)
			c.sim.sched.after(valChangeRetry, try)
		}
		c.sim.sched.at(vc.At, try)
	}
}

// onCommit acknowledges the transactions of block that were submitted to n.
func (c *client) onCommit(n *node, block *types.Block) {
	for _, tx := range block.Txs {
		sub, ok := c.pending[string(tx)]
		if !ok || sub.node != n.index {
			continue
		}
		delete(c.pending, string(tx))
		if sub.incarnation == n.incarnation {
			c.acked[string(tx)] = block.Height
			c.sim.stats.TxsAcked++
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
