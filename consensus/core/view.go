package core

import (
	"time"

	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/types"
)

// View is a copy of what the machine knows about its current height, for gossip and the RPC. It
// shares only immutable values with the machine (votes, parts, proposals, blocks and validator
// sets are never changed once the machine holds them), so any goroutine may read it.
type View struct {
	HRS         HRS
	StartTime   time.Time
	CommitRound int32

	Validators     *types.ValidatorSet // with the proposer priorities of the current round
	LastValidators *types.ValidatorSet

	Proposal *types.Proposal
	// ProposalBlockParts holds the parts of the block being fetched (the proposal's, or the one a
	// polka or commit pointed at), by index, nil where missing; PartsHeader identifies it.
	PartsHeader        types.PartSetHeader
	ProposalBlockParts []*types.Part
	ProposalBlock      *types.Block

	LockedRound     int32
	ValidRound      int32
	ValidBlockParts types.PartSetHeader

	// Rounds holds the votes of every tracked round, by validator index (nil where missing).
	Rounds []RoundVotes
	// LastCommit holds the precommits of the previous height, by validator index; nil at the
	// initial height.
	LastCommit      []*types.Vote
	LastCommitRound int32
}

// RoundVotes are one round's votes.
type RoundVotes struct {
	Round      int32
	Prevotes   []*types.Vote
	Precommits []*types.Vote
	// PrevotesMaj23 and PrecommitsMaj23 are the block IDs with +2/3, if any.
	PrevotesMaj23, PrecommitsMaj23 *types.BlockID
}

// Votes returns round r's votes of type t, or nil if the round is not tracked.
func (v *View) Votes(r int32, t types.SignedMsgType) []*types.Vote {
	for i := range v.Rounds {
		if v.Rounds[i].Round == r {
			if t == types.PrevoteType {
				return v.Rounds[i].Prevotes
			}
			return v.Rounds[i].Precommits
		}
	}
	return nil
}

// PartsBitArray returns which proposal block parts are held.
func (v *View) PartsBitArray() *bits.BitArray {
	b := bits.New(len(v.ProposalBlockParts))
	for i, p := range v.ProposalBlockParts {
		if p != nil {
			b.SetIndex(i, true)
		}
	}
	return b
}

// View returns a copy of the machine's knowledge of the current height.
func (m *Machine) View() *View {
	v := &View{
		HRS:             m.hrs(),
		StartTime:       m.startTime,
		CommitRound:     m.commitRound,
		Validators:      m.validators,
		LastValidators:  m.lastValidators,
		Proposal:        m.proposal,
		ProposalBlock:   m.proposalBlock,
		LockedRound:     m.lockedRound,
		ValidRound:      m.validRound,
		LastCommitRound: -1,
	}
	if m.validBlockParts != nil {
		v.ValidBlockParts = m.validBlockParts.Header()
	}
	if ps := m.proposalBlockParts; ps != nil {
		v.PartsHeader = ps.Header()
		v.ProposalBlockParts = make([]*types.Part, ps.Total())
		for i := range v.ProposalBlockParts {
			v.ProposalBlockParts[i] = ps.GetPart(i)
		}
	}
	for r := int32(0); r <= m.votes.round; r++ {
		rv, ok := m.votes.rounds[r]
		if !ok {
			continue
		}
		v.Rounds = append(v.Rounds, roundVotesOf(r, rv))
	}
	for r, rv := range m.votes.rounds { // catch-up rounds beyond the tracked ones
		if r > m.votes.round {
			v.Rounds = append(v.Rounds, roundVotesOf(r, rv))
		}
	}
	if m.lastCommit != nil {
		v.LastCommit = votesByIndex(m.lastCommit)
		v.LastCommitRound = m.lastCommit.Round()
	}
	return v
}

func roundVotesOf(r int32, rv *roundVotes) RoundVotes {
	out := RoundVotes{Round: r, Prevotes: votesByIndex(rv.prevotes), Precommits: votesByIndex(rv.precommits)}
	if id, ok := rv.prevotes.TwoThirdsMajority(); ok {
		out.PrevotesMaj23 = &id
	}
	if id, ok := rv.precommits.TwoThirdsMajority(); ok {
		out.PrecommitsMaj23 = &id
	}
	return out
}

func votesByIndex(set *types.VoteSet) []*types.Vote {
	out := make([]*types.Vote, set.Size())
	for i := range out {
		out[i] = set.GetByIndex(int32(i))
	}
	return out
}
