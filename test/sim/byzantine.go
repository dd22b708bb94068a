package sim

import (
	"fmt"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// equivocation is an equivocator's second proposal for one height and round, and the peers that
// get it instead of the first.
type equivocation struct {
	proposal *types.Proposal
	parts    *types.PartSet
	targets  []bool // by node index
}

func roundKey(height int64, round int32) core.HRS { return core.HRS{Height: height, Round: round} }

// prepareEquivocation builds and signs, past the double-sign guard, a second block for the
// round of p (the first one's transactions plus one more), and picks a random half of the peers
// to send it to.
func (n *node) prepareEquivocation(p *types.Proposal, a core.SignProposal) {
	var lastCommit *types.Commit
	if p.Height > 1 {
		lastCommit = a.Block.LastCommit
	}
	txs := append(append(types.Txs(nil), a.Block.Txs...),
		types.Tx(fmt.Sprintf("equivocation%d.%d.%d=1", p.Height, p.Round, n.index)))
	block, parts, err := n.chain.makeBlock(txs, lastCommit, n.address)
	if err != nil {
		n.sim.violate(ViolationDriver, n.index, p.Height, fmt.Sprintf("equivocator: %v", err))
		return
	}
	second := types.NewProposal(p.Height, p.Round, p.POLRound,
		types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}, p.Timestamp)
	if err := n.signer.signUnguarded(second); err != nil {
		n.sim.violate(ViolationDriver, n.index, p.Height, fmt.Sprintf("equivocator: %v", err))
		return
	}
	targets := make([]bool, len(n.sim.nodes))
	for peer := range targets {
		targets[peer] = peer != n.index && n.sim.rng.IntN(2) == 0
	}
	n.equivocation[roundKey(p.Height, p.Round)] = &equivocation{proposal: second, parts: parts, targets: targets}
	n.sim.stats.Equivocations++
	n.sim.log.node(n, "Equivocate", p.Height, p.Round,
		fmt.Sprintf("second proposal %X to %v", shortHash(block.Hash()), nodeList(targets)))
}

// equivocate sends an own proposal or part of a round with an equivocation: the first proposal
// to the other peers, the second to the targets. It reports whether it handled msg.
func (n *node) equivocate(msg core.Input) bool {
	var e *equivocation
	switch m := msg.(type) {
	case core.ProposalMessage:
		e = n.equivocation[roundKey(m.Proposal.Height, m.Proposal.Round)]
	case core.BlockPartMessage:
		e = n.equivocation[roundKey(m.Height, m.Round)]
	}
	if e == nil {
		return false
	}
	for peer, second := range e.targets {
		switch {
		case peer == n.index:
		case !second:
			n.sim.net.send(n.index, peer, message{input: msg})
		case isProposal(msg):
			n.sim.net.send(n.index, peer, message{input: core.ProposalMessage{Proposal: e.proposal}})
			for _, part := range appendParts(nil, e.proposal.Height, e.proposal.Round, e.parts, 0) {
				n.sim.net.send(n.index, peer, message{input: part})
			}
		}
	}
	return true
}

func isProposal(in core.Input) bool {
	_, ok := in.(core.ProposalMessage)
	return ok
}

// nodeList renders the set nodes as "n1 n3".
func nodeList(set []bool) string {
	out := ""
	for i, in := range set {
		if in {
			if out != "" {
				out += " "
			}
			out += string(peerID(i))
		}
	}
	return out
}

// scheduleAmnesia makes an amnesiac forget its consensus state once the current event is over:
// it restarts at once with a WAL that holds nothing of the current height, so it has no lock, no
// valid block and none of the height's votes. Its chain, application and signer state survive.
func (n *node) scheduleAmnesia() {
	inc := n.incarnation
	n.sim.sched.after(0, func() {
		if !n.alive(inc) {
			return
		}
		n.sim.stats.Amnesias++
		n.crash()
		n.wal = newWAL(n.chain.height + 1)
		n.start()
	})
}
