package reactor

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/p2p"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// Receive handles a message from a peer, on the switch's receive goroutine for that peer. A
// message that fails the stateless checks (p2p.md §7.2) disconnects the peer. Position updates go
// to the peer's gossip goroutine; proposals, parts, votes and +2/3 claims are delivered to the
// driver, waiting at most Config.DeliverTimeout for room. A +2/3 claim is answered with the votes
// we hold for it (VoteSetBits).
func (r *Reactor) Receive(e p2p.Envelope) {
	if e.Src == nil {
		return
	}
	g := r.lookup(e.Src.ID())
	if g == nil || g.peer != e.Src || g.stopped.Load() {
		return
	}
	pb, ok := e.Message.(*consensuspb.Message)
	if !ok {
		r.stopPeer(g, fmt.Errorf("%w: a %T on channel %#x", ErrInvalidMessage, e.Message, e.ChannelID))
		return
	}
	msg, err := decodeMessage(pb)
	if errors.Is(err, errUnknownMessage) {
		r.logger.Debug("ignoring an unknown consensus message", "peer", e.Src.ID(), "channel", e.ChannelID)
		return
	}
	if err != nil {
		r.stopPeer(g, err)
		return
	}
	if msg.channel() != e.ChannelID {
		r.logger.Debug("ignoring a consensus message on the wrong channel", "peer", e.Src.ID(), "channel", e.ChannelID, "msg", fmt.Sprintf("%T", msg))
		return
	}

	cons := r.consensus()
	switch m := msg.(type) {
	case newRoundStep:
		if err := m.validateHeight(r.initialHeight); err != nil {
			r.stopPeer(g, err)
			return
		}
		now := r.now()
		g.post(func(ps *peerState, _ *local) { ps.applyNewRoundStep(m, now) })
	case newValidBlock:
		g.post(func(ps *peerState, _ *local) { ps.applyNewValidBlock(m) })
	case hasVote:
		g.post(func(ps *peerState, _ *local) { ps.applyHasVote(m) })
	case voteSetMaj23:
		if cons != nil {
			r.receiveMaj23(g, cons, m)
		}
	default:
		if cons == nil {
			return // syncing: proposals, parts and votes are of no use yet
		}
		r.receiveData(g, cons, msg)
	}
}

// receiveData handles the Data, Vote and VoteSetBits channels' messages once consensus runs.
func (r *Reactor) receiveData(g *peerGossip, cons Consensus, msg message) {
	from := core.PeerID(g.peer.ID())
	switch m := msg.(type) {
	case proposalMessage:
		if snap := cons.Snapshot(); snap != nil {
			if err := validateProposalParts(m.Proposal, snap.State.ConsensusParams.Block.MaxBytes); err != nil {
				r.stopPeer(g, err)
				return
			}
		}
		g.post(func(ps *peerState, _ *local) { ps.setHasProposal(m.Proposal) })
		r.deliver(g, cons, core.ProposalMessage{Proposal: m.Proposal, From: from})
	case proposalPOL:
		g.post(func(ps *peerState, _ *local) { ps.applyProposalPOL(m) })
	case blockPartMessage:
		index := int(m.Part.Index)
		g.post(func(ps *peerState, _ *local) {
			ps.setHasProposalBlockPart(m.Height, m.Round, index)
			ps.PartsReceived++
			r.markGoodEvery(g, ps.PartsReceived)
		})
		r.deliver(g, cons, core.BlockPartMessage{Height: m.Height, Round: m.Round, Part: m.Part, From: from})
	case voteMessage:
		vote := m.Vote
		g.post(func(ps *peerState, l *local) {
			if l != nil {
				ps.ensureVoteBitArrays(l.view.HRS.Height, l.view.Validators.Size())
				ps.ensureVoteBitArrays(l.view.HRS.Height-1, len(l.view.LastCommit))
			}
			ps.setHasVote(vote.Height, vote.Round, vote.Type, vote.ValidatorIndex)
			ps.VotesReceived++
			r.markGoodEvery(g, ps.VotesReceived)
		})
		if snap := cons.Snapshot(); snap != nil && snap.View != nil && holdsVote(snap.View, vote) {
			return // a copy of a vote consensus has: it would change nothing there
		}
		r.deliver(g, cons, core.VoteMessage{Vote: vote, From: from})
	case voteSetBits:
		var ours *bits.BitArray // nil unless at our height: then the peer's answer overwrites
		if snap := cons.Snapshot(); snap != nil && snap.View != nil && snap.View.HRS.Height == m.Height {
			ours = voteBitsFor(snap.View.Votes(m.Round, m.Type), m.BlockID)
		}
		g.post(func(ps *peerState, _ *local) { ps.applyVoteSetBits(m, ours) })
	}
}

// receiveMaj23 records a peer's +2/3 claim at our height (a second, different claim for the same
// vote set disconnects it), passes it to the driver and answers with the votes we hold for it.
func (r *Reactor) receiveMaj23(g *peerGossip, cons Consensus, m voteSetMaj23) {
	snap := cons.Snapshot()
	if snap == nil || snap.View == nil || snap.View.HRS.Height != m.Height {
		return
	}
	votes := snap.View.Votes(m.Round, m.Type)
	if votes != nil { // a set the driver tracks: one claim per peer
		if g.claimsHeight != m.Height {
			g.claimsHeight, g.claims = m.Height, map[voteSetKey]string{}
		}
		key, c := voteSetKey{m.Round, m.Type}, m.BlockID.Key()
		if old, ok := g.claims[key]; ok && old != c {
			r.stopPeer(g, fmt.Errorf("%w: VoteSetMaj23: conflicting claims for %d/%d/%v", ErrInvalidMessage, m.Height, m.Round, m.Type))
			return
		}
		g.claims[key] = c
	}
	r.deliver(g, cons, core.PeerMaj23{Height: m.Height, Round: m.Round, Type: m.Type, BlockID: m.BlockID, From: core.PeerID(g.peer.ID())})
	reply := voteSetBits{Height: m.Height, Round: m.Round, Type: m.Type, BlockID: m.BlockID, Votes: voteBitsFor(votes, m.BlockID)}
	g.peer.TrySend(p2p.Envelope{ChannelID: VoteSetBitsChannel, Message: reply.toProto()})
}

// deliver hands msg to the driver, waiting at most DeliverTimeout (and not past the peer's end).
func (r *Reactor) deliver(g *peerGossip, cons Consensus, msg consensus.PeerMessage) {
	ctx, cancel := context.WithTimeout(g.ctx, r.cfg.DeliverTimeout)
	defer cancel()
	if err := cons.Deliver(ctx, msg); err != nil {
		r.logger.Debug("dropped a peer's consensus message", "peer", g.peer.ID(), "msg", fmt.Sprintf("%T", msg), "err", err)
	}
}

// goodPeerEvery is how many votes, or block parts, make a peer useful (CometBFT's
// votesToContributeToBecomeGoodPeer and blocksToContributeToBecomeGoodPeer).
const goodPeerEvery = 10000

// markGoodEvery tells the switch, if it keeps an address book (MarkPeerAsGood), that the peer is
// useful each time received reaches a multiple of goodPeerEvery.
func (r *Reactor) markGoodEvery(g *peerGossip, received int) {
	if received%goodPeerEvery != 0 {
		return
	}
	if sw, ok := r.sw.(interface{ MarkPeerAsGood(p2p.Peer) }); ok {
		sw.MarkPeerAsGood(g.peer)
	}
}
