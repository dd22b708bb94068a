package sim

import (
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// message is what travels between nodes: a consensus message (with From == ""; the receiver
// sets it to the sender), a gossip status, or a transaction. Exactly one field is set. The
// pointers inside are shared by sender and receivers and never modified.
type message struct {
	input  core.Input
	status *status
	tx     types.Tx
}

// network delivers messages between nodes with random latency, drops and duplicates, and cuts
// the links a partition or a link fault has taken down. All randomness comes from the
// simulation's RNG.
type network struct {
	sim *Sim
	cfg NetConfig

	group   []int           // partition group of each node; bridgeGroup for a bridge
	linkCut map[[2]int]bool // links taken down by LinkDown, by (low, high) node pair
	muted   []bool          // nodes whose messages are lost (FaultMute)

	sent, dropped, duplicated, cut uint64
}

const (
	wholeGroup  = 0  // every node's group when the network is whole
	bridgeGroup = -1 // a bridge talks to every group
)

func newNetwork(s *Sim, nodes int) *network {
	return &network{sim: s, cfg: s.cfg.Net, group: make([]int, nodes), linkCut: map[[2]int]bool{}, muted: make([]bool, nodes)}
}

// partition places the nodes in groups (see FaultPartition).
func (nw *network) partition(groups [][]int, bridges []int) {
	for i := range nw.group {
		nw.group[i] = len(groups) + 1 + i // isolated unless placed below
	}
	for g, members := range groups {
		for _, n := range members {
			nw.group[n] = g + 1
		}
	}
	for _, n := range bridges {
		nw.group[n] = bridgeGroup
	}
}

// heal makes the network whole.
func (nw *network) heal() {
	for i := range nw.group {
		nw.group[i] = wholeGroup
	}
	clear(nw.linkCut)
	clear(nw.muted)
}

// setMuted mutes node n (everything it sends is lost) or ends that.
func (nw *network) setMuted(n int, muted bool) { nw.muted[n] = muted }

func linkKey(a, b int) [2]int {
	if a > b {
		a, b = b, a
	}
	return [2]int{a, b}
}

// setLink takes the link between a and b down or up.
func (nw *network) setLink(a, b int, up bool) {
	if up {
		delete(nw.linkCut, linkKey(a, b))
	} else {
		nw.linkCut[linkKey(a, b)] = true
	}
}

// connected reports whether a message from a reaches b now.
func (nw *network) connected(a, b int) bool {
	if nw.linkCut[linkKey(a, b)] || nw.muted[a] {
		return false
	}
	ga, gb := nw.group[a], nw.group[b]
	return ga == gb || ga == bridgeGroup || gb == bridgeGroup
}

// latency draws one message's delay.
func (nw *network) latency() time.Duration {
	c := nw.cfg
	d := c.MinLatency
	if extra := c.MeanLatency - c.MinLatency; extra > 0 {
		d += time.Duration(nw.sim.rng.ExpFloat64() * float64(extra))
	}
	return min(d, c.MaxLatency)
}

// send puts msg from node from on the wire to node to. The message is lost if the link is cut
// now or at delivery, if it is dropped, or if the receiver crashed in between.
func (nw *network) send(from, to int, msg message) {
	nw.sent++
	if !nw.connected(from, to) {
		nw.cut++
		return
	}
	rng := nw.sim.rng
	if nw.cfg.DropRate > 0 && rng.Float64() < nw.cfg.DropRate {
		nw.dropped++
		return
	}
	copies := 1
	if nw.cfg.DupRate > 0 && rng.Float64() < nw.cfg.DupRate {
		nw.duplicated++
		copies = 2
	}
	receiver := nw.sim.nodes[to]
	incarnation := receiver.incarnation
	for range copies {
		nw.sim.sched.after(nw.latency(), func() {
			if !nw.connected(from, to) {
				nw.cut++
				return
			}
			if !receiver.up || receiver.incarnation != incarnation {
				return
			}
			receiver.receive(from, msg)
		})
	}
}
