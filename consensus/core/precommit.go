package core

import (
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// enterPrecommit casts this node's precommit for round r and updates the lock (Algorithm 1,
// lines 36–46, with CometBFT v0.38's unlock rules; consensus.md §4.7).
func (m *Machine) enterPrecommit(h int64, r int32) {
	if m.h.Height != h || r < m.round || (r == m.round && m.step >= StepPrecommit) {
		return
	}
	m.doPrecommit(h, r)
	m.round, m.step = r, StepPrecommit
	m.newStep()
}

func (m *Machine) doPrecommit(h int64, r int32) {
	polka, ok := m.votes.prevotes(r).TwoThirdsMajority()
	if !ok {
		m.signVote(types.PrecommitType, types.BlockID{}, nil) // no polka: keep any lock, precommit nil
		return
	}
	m.publishAt(EventPolka, r, polka)
	if polRound, _ := m.votes.polInfo(); polRound < r {
		panic(fmt.Sprintf("consensus: polka in round %d but the latest POL round is %d", r, polRound))
	}

	switch {
	case polka.IsNil():
		if m.lockedBlock != nil {
			m.unlock(r)
		}
		m.signVote(types.PrecommitType, types.BlockID{}, nil)

	case blockMatches(m.lockedBlock, polka):
		m.lockedRound = r
		m.publishAt(EventRelock, r, polka)
		m.signVote(types.PrecommitType, polka, m.lockedBlock)

	case blockMatches(m.proposalBlock, polka):
		if err := m.validateBlock(m.proposalBlock); err != nil {
			panic(fmt.Sprintf("consensus: +2/3 prevoted block %v at %d/%d, which is invalid: %v", polka, h, r, err))
		}
		m.lockedRound, m.lockedBlock, m.lockedBlockParts = r, m.proposalBlock, m.proposalBlockParts
		m.publishAt(EventLock, r, polka)
		m.signVote(types.PrecommitType, polka, m.proposalBlock)

	default:
		// A polka for a block we don't have: unlock (announced even if we held no lock, as
		// CometBFT does), fetch the block, precommit nil.
		m.unlock(r)
		if !partsHaveHeader(m.proposalBlockParts, polka.PartSetHeader) {
			m.resetProposalBlockTo(polka.PartSetHeader)
		}
		m.signVote(types.PrecommitType, types.BlockID{}, nil)
	}
}

// unlock releases the lock and announces it.
func (m *Machine) unlock(r int32) {
	m.lockedRound, m.lockedBlock, m.lockedBlockParts = -1, nil, nil
	m.publishAt(EventUnlock, r, types.BlockID{})
}

// resetProposalBlockTo forgets the proposal block and waits for the parts of the block with
// header instead.
func (m *Machine) resetProposalBlockTo(header types.PartSetHeader) {
	m.proposalBlock = nil
	parts, err := types.NewPartSetFromHeader(header)
	if err != nil {
		// The header comes from +2/3 of the voting power; a malformed one breaks the fault model.
		panic(fmt.Sprintf("consensus: +2/3 voted for an invalid part-set header %v: %v", header, err))
	}
	m.proposalBlockParts = parts
}

// enterPrecommitWait waits timeout_precommit after +2/3 precommits for anything in round r.
// CometBFT v0.38 does not change the step here; it only marks the timeout as triggered.
func (m *Machine) enterPrecommitWait(h int64, r int32) {
	if m.h.Height != h || r < m.round || (r == m.round && m.triggeredTimeoutPrecommit) {
		return
	}
	if !m.votes.precommits(r).HasTwoThirdsAny() {
		panic(fmt.Sprintf("consensus: enterPrecommitWait(%d/%d) without +2/3 precommits", h, r))
	}
	m.scheduleTimeout(m.cfg.precommitTimeout(r), r, StepPrecommitWait)
	m.triggeredTimeoutPrecommit = true
	m.newStep()
}

func (m *Machine) publishAt(kind EventKind, r int32, id types.BlockID) {
	m.emit(Publish{Event: Event{Kind: kind, HRS: HRS{Height: m.h.Height, Round: r, Step: m.step}, BlockID: id}})
}
