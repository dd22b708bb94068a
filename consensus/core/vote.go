package core

import (
	"bytes"
	"errors"

	"github.com/ballot-bft/ballot/types"
)

// onVote adds a vote and runs the transitions it triggers (consensus.md §4.10).
func (m *Machine) onVote(in VoteMessage) {
	vote := in.Vote

	// A late precommit for the previous height, while waiting out timeout_commit.
	if vote.Height+1 == m.h.Height && vote.Type == types.PrecommitType {
		if m.step != StepNewHeight || m.lastCommit == nil {
			return
		}
		added, err := m.lastCommit.AddVote(vote)
		m.cache.lastCommitStale = true
		if err != nil {
			m.reject(in.From, err)
			return
		}
		if !added {
			return
		}
		m.emit(Publish{Event: Event{Kind: EventVote, HRS: m.hrs(), Vote: vote}})
		if m.lastCommit.HasAll() {
			switch {
			case m.cfg.SkipTimeoutCommit:
				m.enterNewRound(m.h.Height, 0)
			case m.backlog:
				m.startRound0Early()
			}
		}
		return
	}
	if vote.Height != m.h.Height {
		return
	}

	added, err := m.votes.addVote(vote, in.From)
	var conflict *types.ConflictingVotesError
	switch {
	case errors.As(err, &conflict):
		if !bytes.Equal(vote.ValidatorAddress, m.id.Address) {
			m.emit(ReportConflict{VoteA: conflict.VoteA, VoteB: conflict.VoteB})
		}
	case err != nil:
		m.reject(in.From, err)
	}
	if !added {
		return
	}
	if in.From == "" {
		m.emit(Broadcast{Message: in})
	}
	m.emit(Publish{Event: Event{Kind: EventVote, HRS: m.hrs(), Vote: vote}})

	switch vote.Type {
	case types.PrevoteType:
		m.onPrevoteAdded(vote.Round)
	case types.PrecommitType:
		m.onPrecommitAdded(vote.Round)
	}
}

// onPrevoteAdded runs the prevote triggers for round r.
func (m *Machine) onPrevoteAdded(r int32) {
	h := m.h.Height
	prevotes := m.votes.prevotes(r)
	if id, ok := prevotes.TwoThirdsMajority(); ok {
		// A polka in a round after our lock, for something else, releases the lock.
		if m.lockedBlock != nil && m.lockedRound < r && r <= m.round && !blockMatches(m.lockedBlock, id) {
			m.unlock(r)
		}
		// A polka for a block in the current round makes it the valid block.
		if !id.IsNil() && m.validRound < r && r == m.round {
			if blockMatches(m.proposalBlock, id) {
				m.validRound, m.validBlock, m.validBlockParts = r, m.proposalBlock, m.proposalBlockParts
			} else {
				m.proposalBlock = nil
			}
			if !partsHaveHeader(m.proposalBlockParts, id.PartSetHeader) {
				m.resetProposalBlockTo(id.PartSetHeader)
			}
			m.emit(Publish{Event: Event{Kind: EventValidBlock, HRS: m.hrs(), BlockID: id}})
		}
	}

	switch {
	case m.round < r && prevotes.HasTwoThirdsAny():
		m.enterNewRound(h, r) // round skip
	case m.round == r && m.step >= StepPrevote:
		if id, ok := prevotes.TwoThirdsMajority(); ok && (m.isProposalComplete() || id.IsNil()) {
			m.enterPrecommit(h, r)
		} else if prevotes.HasTwoThirdsAny() {
			m.enterPrevoteWait(h, r)
		}
	case m.proposal != nil && m.proposal.POLRound >= 0 && m.proposal.POLRound == r:
		if m.isProposalComplete() {
			m.enterPrevote(h, m.round)
		}
	}
}

// onPrecommitAdded runs the precommit triggers for round r.
func (m *Machine) onPrecommitAdded(r int32) {
	h := m.h.Height
	precommits := m.votes.precommits(r)
	if id, ok := precommits.TwoThirdsMajority(); ok {
		// The majority may be of a later round: catch up to it first.
		m.seq(
			func() { m.enterNewRound(h, r) },
			func() { m.enterPrecommit(h, r) },
			func() {
				if id.IsNil() {
					m.enterPrecommitWait(h, r)
					return
				}
				m.enterCommit(h, r)
				m.seq(func() {
					if m.cfg.SkipTimeoutCommit && precommits.HasAll() {
						m.enterNewRound(m.h.Height, 0)
					}
				})
			},
		)
		return
	}
	if m.round <= r && precommits.HasTwoThirdsAny() {
		m.seq(
			func() { m.enterNewRound(h, r) },
			func() { m.enterPrecommitWait(h, r) },
		)
	}
}
