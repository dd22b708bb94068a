package reactor

import (
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/types"
)

// announcer keeps what one peer was told of our own progress, so that every change reaches it
// exactly once however many snapshots it spans: NewRoundStep for each new position, HasVote for
// each vote we hold, NewValidBlock for each block a polka or commit makes us assemble. It is
// owned by the peer's gossip goroutine.
type announcer struct {
	step     core.HRS
	stepSent bool

	valid     validBlockKey
	validSent bool

	// The votes announced at height: by round and type, and of the previous height's commit.
	height     int64
	votes      map[voteSetKey]*bits.BitArray
	lastCommit *bits.BitArray
}

type voteSetKey struct {
	round int32
	typ   types.SignedMsgType
}

// validBlockKey names one NewValidBlock announcement.
type validBlockKey struct {
	height   int64
	round    int32
	total    uint32 // of the part set header
	hash     string // of the part set header
	isCommit bool
}

// next returns the next announcement the peer has not had, most urgent first: our position, then
// the valid block, then the votes.
func (a *announcer) next(v *core.View, now time.Time) (outgoing, bool) {
	if !a.stepSent || a.step != v.HRS {
		hrs := v.HRS
		return outgoing{
			msg: newRoundStep{
				HRS:                   hrs,
				SecondsSinceStartTime: int64(now.Sub(v.StartTime) / time.Second),
				LastCommitRound:       v.LastCommitRound,
			},
			sent: func(*peerState) { a.step, a.stepSent = hrs, true },
		}, true
	}
	if m, ok := validBlockOf(v); ok {
		key := validBlockKey{height: m.Height, round: m.Round, total: m.PartsHeader.Total, hash: string(m.PartsHeader.Hash), isCommit: m.IsCommit}
		if !a.validSent || a.valid != key {
			return outgoing{msg: m, sent: func(*peerState) { a.valid, a.validSent = key, true }}, true
		}
	}
	return a.nextHasVote(v)
}

// validBlockOf returns the NewValidBlock describing v when v assembles a block that a polka or a
// commit pointed at rather than (only) the round's proposal: the valid block of the current
// round, or a part set other than the proposal's. is_commit is set in the Commit step.
func validBlockOf(v *core.View) (newValidBlock, bool) {
	header := v.PartsHeader
	if header.IsZero() || int(header.Total) != len(v.ProposalBlockParts) {
		return newValidBlock{}, false
	}
	polka := v.ValidRound == v.HRS.Round && v.ValidBlockParts.Equals(header)
	notProposed := v.Proposal == nil || !v.Proposal.BlockID.PartSetHeader.Equals(header)
	if !polka && !notProposed {
		return newValidBlock{}, false
	}
	return newValidBlock{
		Height:      v.HRS.Height,
		Round:       v.HRS.Round,
		PartsHeader: header,
		Parts:       v.PartsBitArray(),
		IsCommit:    v.HRS.Step == core.StepCommit,
	}, true
}

// nextHasVote returns a HasVote for a vote of the current height, or of the last commit, not yet
// announced. Moving to the next height keeps what was announced of the precommits that became the
// last commit.
func (a *announcer) nextHasVote(v *core.View) (outgoing, bool) {
	if a.height != v.HRS.Height {
		var carried *bits.BitArray
		if v.HRS.Height == a.height+1 {
			carried = a.votes[voteSetKey{v.LastCommitRound, types.PrecommitType}]
		}
		a.height, a.votes, a.lastCommit = v.HRS.Height, map[voteSetKey]*bits.BitArray{}, carried
	}
	for i := range v.Rounds {
		rv := &v.Rounds[i]
		for _, set := range []struct {
			typ   types.SignedMsgType
			votes []*types.Vote
		}{{types.PrevoteType, rv.Prevotes}, {types.PrecommitType, rv.Precommits}} {
			key := voteSetKey{rv.Round, set.typ}
			if out, ok := a.announce(set.votes, a.votes[key], func(b *bits.BitArray) { a.votes[key] = b }); ok {
				return out, true
			}
		}
	}
	return a.announce(v.LastCommit, a.lastCommit, func(b *bits.BitArray) { a.lastCommit = b })
}

// announce returns a HasVote for the first vote of votes not in announced; store keeps the
// updated announced set once it is sent. (Nothing else changes the announcer between choosing a
// message and its being sent: the gossip goroutine chooses only when no message is in flight.)
func (a *announcer) announce(votes []*types.Vote, announced *bits.BitArray, store func(*bits.BitArray)) (outgoing, bool) {
	for i, vote := range votes {
		if vote == nil || announced.GetIndex(i) {
			continue
		}
		msg := hasVote{Height: vote.Height, Round: vote.Round, Type: vote.Type, Index: vote.ValidatorIndex}
		index, size := i, len(votes)
		return outgoing{msg: msg, sent: func(*peerState) {
			b := announced
			if b.Size() != size {
				b = bits.New(size).Or(announced)
			}
			b.SetIndex(index, true)
			store(b)
		}}, true
	}
	return outgoing{}, false
}
