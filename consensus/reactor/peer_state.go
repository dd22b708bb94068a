package reactor

import (
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/types"
)

// peerState is what this node knows of a peer's consensus position and of the proposal, parts and
// votes the peer holds (CometBFT's PeerRoundState, p2p.md §7.3). It is owned by the peer's gossip
// goroutine; nothing else reads or writes it. Bit arrays are nil until sized.
type peerState struct {
	Height    int64 // 0: unknown
	Round     int32 // -1: unknown
	Step      core.Step
	StartTime time.Time

	Proposal         bool
	PartsHeader      types.PartSetHeader
	Parts            *bits.BitArray
	ProposalPOLRound int32 // -1: none
	ProposalPOL      *bits.BitArray

	Prevotes   *bits.BitArray // of Round
	Precommits *bits.BitArray // of Round

	LastCommitRound int32          // -1: none
	LastCommit      *bits.BitArray // precommits of Height-1

	CatchupCommitRound int32 // -1: none
	CatchupCommit      *bits.BitArray

	// Received counts the votes and block parts the peer sent us.
	VotesReceived, PartsReceived int
}

func newPeerState() *peerState {
	return &peerState{Round: -1, ProposalPOLRound: -1, LastCommitRound: -1, CatchupCommitRound: -1}
}

// hrs is the peer's position.
func (ps *peerState) hrs() core.HRS {
	return core.HRS{Height: ps.Height, Round: ps.Round, Step: ps.Step}
}

// applyNewRoundStep moves the peer to a later position; an earlier or equal one is ignored. A
// new height or round forgets what the peer held of the proposal and the round's votes; at the
// next height the precommits become its last commit when their round is the last commit round.
func (ps *peerState) applyNewRoundStep(m newRoundStep, now time.Time) {
	if m.HRS.Compare(ps.hrs()) <= 0 {
		return
	}
	oldHeight, oldRound := ps.Height, ps.Round
	oldPrecommits := ps.Precommits
	catchupRound, catchup := ps.CatchupCommitRound, ps.CatchupCommit

	ps.Height, ps.Round, ps.Step = m.HRS.Height, m.HRS.Round, m.HRS.Step
	ps.StartTime = now.Add(-time.Duration(m.SecondsSinceStartTime) * time.Second)
	if oldHeight != m.HRS.Height || oldRound != m.HRS.Round {
		ps.Proposal = false
		ps.PartsHeader, ps.Parts = types.PartSetHeader{}, nil
		ps.ProposalPOLRound, ps.ProposalPOL = -1, nil
		ps.Prevotes, ps.Precommits = nil, nil
	}
	if oldHeight == m.HRS.Height && oldRound != m.HRS.Round && m.HRS.Round == catchupRound {
		// The peer reached the round of the commit it is catching up on: keep what it holds.
		ps.Precommits = catchup
	}
	if oldHeight != m.HRS.Height {
		ps.LastCommitRound, ps.LastCommit = m.LastCommitRound, nil
		if oldHeight+1 == m.HRS.Height && oldRound == m.LastCommitRound {
			ps.LastCommit = oldPrecommits
		}
		ps.CatchupCommitRound, ps.CatchupCommit = -1, nil
	}
}

// applyNewValidBlock records the block the peer assembles, at its height, in its round (or any
// round when it commits that block).
func (ps *peerState) applyNewValidBlock(m newValidBlock) {
	if ps.Height != m.Height || (ps.Round != m.Round && !m.IsCommit) {
		return
	}
	ps.PartsHeader, ps.Parts = m.PartsHeader, m.Parts.Copy()
}

// applyProposalPOL records which POL prevotes the peer holds, for the POL round it proposed.
func (ps *peerState) applyProposalPOL(m proposalPOL) {
	if ps.Height != m.Height || ps.ProposalPOLRound != m.POLRound {
		return
	}
	ps.ProposalPOL = m.POL.Copy()
}

// applyHasVote records a vote the peer announced.
func (ps *peerState) applyHasVote(m hasVote) {
	if ps.Height != m.Height {
		return
	}
	ps.setHasVote(m.Height, m.Round, m.Type, m.Index)
}

// applyVoteSetBits records the votes for a block the peer holds. ours, when the set is of our
// height, is the votes for that block we hold: the peer's answer replaces what we believed it
// held of those, and keeps what we believed of the others.
func (ps *peerState) applyVoteSetBits(m voteSetBits, ours *bits.BitArray) {
	has := ps.voteBitArray(m.Height, m.Round, m.Type)
	if has == nil {
		return
	}
	if ours == nil {
		has.Update(m.Votes)
		return
	}
	has.Update(has.Sub(ours).Or(m.Votes))
}

// setHasProposal records that the peer holds proposal p (we sent it, or it sent it to us).
func (ps *peerState) setHasProposal(p *types.Proposal) {
	if ps.Height != p.Height || ps.Round != p.Round || ps.Proposal {
		return
	}
	ps.Proposal = true
	if ps.Parts != nil {
		return // the part set header came with a NewValidBlock
	}
	ps.PartsHeader = p.BlockID.PartSetHeader
	ps.Parts = bits.New(int(p.BlockID.PartSetHeader.Total))
	ps.ProposalPOLRound, ps.ProposalPOL = p.POLRound, nil
}

// initProposalParts sets the part set the peer needs when nothing told us which one it is (a
// peer catching up on a stored block).
func (ps *peerState) initProposalParts(header types.PartSetHeader) {
	if ps.Parts != nil {
		return
	}
	ps.PartsHeader, ps.Parts = header, bits.New(int(header.Total))
}

// setHasProposalBlockPart records that the peer at height and round holds part index.
func (ps *peerState) setHasProposalBlockPart(height int64, round int32, index int) {
	if ps.Height != height || ps.Round != round {
		return
	}
	ps.Parts.SetIndex(index, true)
}

// ensureVoteBitArrays sizes the vote bit arrays for a set of height with size votes: the round's
// arrays when the peer is at height, its last commit when it is at height+1.
func (ps *peerState) ensureVoteBitArrays(height int64, size int) {
	switch ps.Height {
	case height:
		ensure(&ps.Prevotes, size)
		ensure(&ps.Precommits, size)
		ensure(&ps.CatchupCommit, size)
		ensure(&ps.ProposalPOL, size)
	case height + 1:
		ensure(&ps.LastCommit, size)
	}
}

func ensure(b **bits.BitArray, size int) {
	if *b == nil {
		*b = bits.New(size)
	}
}

// ensureCatchupCommitRound prepares to send the peer at height the precommits of a commit in
// round: they go to its round's precommits if that is the round, else to a catch-up array.
func (ps *peerState) ensureCatchupCommitRound(height int64, round int32, size int) {
	if ps.Height != height || ps.CatchupCommitRound == round {
		return
	}
	ps.CatchupCommitRound = round
	if round == ps.Round {
		ps.CatchupCommit = ps.Precommits
	} else {
		ps.CatchupCommit = bits.New(size)
	}
}

// setHasVote records that the peer holds the vote of validator index in the set (height, round,
// type), if we track that set for it.
func (ps *peerState) setHasVote(height int64, round int32, t types.SignedMsgType, index int32) {
	ps.voteBitArray(height, round, t).SetIndex(int(index), true)
}

// voteBitArray returns the peer's bit array for the set (height, round, type), or nil when we
// don't track that set for it.
func (ps *peerState) voteBitArray(height int64, round int32, t types.SignedMsgType) *bits.BitArray {
	if !types.IsVoteTypeValid(t) {
		return nil
	}
	switch ps.Height {
	case height:
		if ps.Round == round {
			if t == types.PrevoteType {
				return ps.Prevotes
			}
			return ps.Precommits
		}
		// As in CometBFT, the first matching round decides, even when it has no array of the
		// type (a prevote of the catch-up commit round is not looked up as a POL prevote).
		if ps.CatchupCommitRound == round {
			if t == types.PrecommitType {
				return ps.CatchupCommit
			}
			return nil
		}
		if ps.ProposalPOLRound == round && t == types.PrevoteType {
			return ps.ProposalPOL
		}
	case height + 1:
		if ps.LastCommitRound == round && t == types.PrecommitType {
			return ps.LastCommit
		}
	}
	return nil
}
