package core

import (
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// enterCommit commits the block with +2/3 precommits in commitRound (Algorithm 1, line 49), once
// the block itself is in.
func (m *Machine) enterCommit(h int64, commitRound int32) {
	if m.h.Height != h || m.step >= StepCommit {
		return
	}
	id, ok := m.votes.precommits(commitRound).TwoThirdsMajority()
	if !ok {
		panic(fmt.Sprintf("consensus: enterCommit(%d/%d) without +2/3 precommits", h, commitRound))
	}
	if blockMatches(m.lockedBlock, id) {
		m.proposalBlock, m.proposalBlockParts = m.lockedBlock, m.lockedBlockParts
	}
	if !blockMatches(m.proposalBlock, id) && !partsHaveHeader(m.proposalBlockParts, id.PartSetHeader) {
		m.resetProposalBlockTo(id.PartSetHeader)
		// Announced before the step changes, as CometBFT does: is_commit=false, current round.
		m.emit(Publish{Event: Event{Kind: EventValidBlock, HRS: m.hrs(), BlockID: id}})
	}
	m.step = StepCommit
	m.commitRound = commitRound
	m.commitTime = m.now
	m.newStep()
	m.tryFinalizeCommit(h)
}

// tryFinalizeCommit finalizes if the decided block is complete.
func (m *Machine) tryFinalizeCommit(h int64) {
	if m.h.Height != h {
		panic(fmt.Sprintf("consensus: tryFinalizeCommit(%d) at height %d", h, m.h.Height))
	}
	id, ok := m.votes.precommits(m.commitRound).TwoThirdsMajority()
	if !ok || id.IsNil() || !blockMatches(m.proposalBlock, id) {
		return // wait for the block's parts
	}
	m.finalizeCommit(h)
}

// finalizeCommit hands the decided block to the driver and blocks until it is committed.
func (m *Machine) finalizeCommit(h int64) {
	if m.h.Height != h || m.step != StepCommit || m.committing {
		return
	}
	precommits := m.votes.precommits(m.commitRound)
	id, _ := precommits.TwoThirdsMajority()
	if !m.proposalBlockParts.HasHeader(id.PartSetHeader) {
		panic(fmt.Sprintf("consensus: committing %v but holding parts %v", id, m.proposalBlockParts.Header()))
	}
	if err := m.validateBlock(m.proposalBlock); err != nil {
		panic(fmt.Sprintf("consensus: +2/3 committed block %v at height %d, which is invalid: %v", id, h, err))
	}
	m.committing = true
	m.emit(Commit{
		Height:     h,
		Block:      m.proposalBlock,
		Parts:      m.proposalBlockParts,
		SeenCommit: precommits.MakeExtendedCommit(m.h.extensionsEnabled()),
	})
}

// onCommitted moves to the next height (CometBFT's updateToState and scheduleRound0).
func (m *Machine) onCommitted(in Committed) {
	if !m.committing {
		return
	}
	if in.Next.Height != m.h.Height+1 {
		panic(fmt.Sprintf("consensus: committed height %d, but the next height is %d", m.h.Height, in.Next.Height))
	}
	precommits := m.votes.precommits(m.commitRound)
	claims := m.votes.claimsOf(m.commitRound, types.PrecommitType)
	commitTime := m.commitTime
	next := in.Next
	next.CommitTime = commitTime
	if err := m.resetToHeight(next, precommits); err != nil {
		panic(fmt.Sprintf("consensus: next height: %v", err))
	}
	m.lastCommitClaims = claims
	m.newStep()
	m.scheduleRound0()
}
