package reactor

import (
	"math/rand/v2"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// local is this node's side of a gossip decision: the consensus view of the current height, the
// chain state after the last block and the block store (for peers on earlier heights).
type local struct {
	view   *core.View
	state  state.State
	blocks BlockStore
}

// outgoing is a message chosen for a peer. sent, if non-nil, records in the peer's state what the
// peer holds once the message is queued; then, if non-nil, is sent right after it.
type outgoing struct {
	msg  message
	sent func(ps *peerState)
	then message
}

// missing returns the indexes set in ours and not in has, within has's size (an index beyond it
// could not be recorded as sent).
func missing(ours, has *bits.BitArray) *bits.BitArray {
	return has.Not().And(ours)
}

// pickData chooses the next proposal, block part or POL announcement the peer lacks (CometBFT's
// gossipDataRoutine, p2p.md §7.5), in this order: a part of the block we assemble when the
// peer assembles the same one; a part of a stored block when the peer is on an earlier height;
// the proposal (followed by its POL bits) when the peer is at our height and round.
func (l *local) pickData(ps *peerState, rng *rand.Rand) (outgoing, bool) {
	v := l.view
	if !v.PartsHeader.IsZero() && v.PartsHeader.Equals(ps.PartsHeader) {
		if index, ok := missing(v.PartsBitArray(), ps.Parts).PickRandom(rng); ok {
			height, round := ps.Height, ps.Round
			return outgoing{
				msg:  blockPartMessage{Height: v.HRS.Height, Round: v.HRS.Round, Part: v.ProposalBlockParts[index]},
				sent: func(ps *peerState) { ps.setHasProposalBlockPart(height, round, index) },
			}, true
		}
	}
	if base := l.blocks.Base(); base > 0 && 0 < ps.Height && ps.Height < v.HRS.Height && ps.Height >= base {
		return l.pickStoredPart(ps, rng)
	}
	if ps.Height != v.HRS.Height || ps.Round != v.HRS.Round {
		return outgoing{}, false
	}
	if p := v.Proposal; p != nil && !ps.Proposal {
		out := outgoing{msg: proposalMessage{Proposal: p}, sent: func(ps *peerState) { ps.setHasProposal(p) }}
		if p.POLRound >= 0 {
			if pol := voteBits(v.Votes(p.POLRound, types.PrevoteType)); pol.Size() > 0 {
				out.then = proposalPOL{Height: p.Height, POLRound: p.POLRound, POL: pol}
			}
		}
		return out, true
	}
	return outgoing{}, false
}

// pickStoredPart chooses a part of the stored block at the peer's height that the peer lacks,
// sent with the peer's height and round. Nothing is sent when the peer assembles another part
// set than the stored block's.
func (l *local) pickStoredPart(ps *peerState, rng *rand.Rand) (outgoing, bool) {
	meta, err := l.blocks.LoadBlockMeta(ps.Height)
	if err != nil {
		return outgoing{}, false
	}
	ps.initProposalParts(meta.BlockID.PartSetHeader)
	if !meta.BlockID.PartSetHeader.Equals(ps.PartsHeader) {
		return outgoing{}, false
	}
	index, ok := ps.Parts.Not().PickRandom(rng)
	if !ok {
		return outgoing{}, false
	}
	part, err := l.blocks.LoadBlockPart(ps.Height, index)
	if err != nil {
		return outgoing{}, false
	}
	height, round := ps.Height, ps.Round
	return outgoing{
		msg:  blockPartMessage{Height: height, Round: round, Part: part},
		sent: func(ps *peerState) { ps.setHasProposalBlockPart(height, round, index) },
	}, true
}

// voteBits returns the indexes of the votes held.
func voteBits(votes []*types.Vote) *bits.BitArray {
	b := bits.New(len(votes))
	for i, v := range votes {
		if v != nil {
			b.SetIndex(i, true)
		}
	}
	return b
}

// voteBitsFor returns the indexes of the votes held for id.
func voteBitsFor(votes []*types.Vote, id types.BlockID) *bits.BitArray {
	b := bits.New(len(votes))
	for i, v := range votes {
		if v != nil && v.BlockID.Equals(id) {
			b.SetIndex(i, true)
		}
	}
	return b
}
