package core

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/types"
)

// enterPrevote casts this node's prevote for round r (Algorithm 1, lines 22–33, with v0.38's lock
// rule: a locked node prevotes its locked block).
func (m *Machine) enterPrevote(h int64, r int32) {
	if m.h.Height != h || r < m.round || (r == m.round && m.step >= StepPrevote) {
		return
	}
	m.doPrevote(h, r)
	m.round, m.step = r, StepPrevote
	m.newStep()
}

func (m *Machine) doPrevote(h int64, r int32) {
	switch {
	case m.lockedBlock != nil && !plantedBugIgnoreLock:
		m.signVote(types.PrevoteType, blockIDOf(m.lockedBlock, m.lockedBlockParts), nil)
	case m.proposalBlock == nil:
		m.signVote(types.PrevoteType, types.BlockID{}, nil)
	case m.validateBlock(m.proposalBlock) != nil:
		m.signVote(types.PrevoteType, types.BlockID{}, nil)
	default:
		// The application decides; the prevote waits for its answer.
		m.pendingPrevote = &HRS{Height: h, Round: r, Step: StepPrevote}
		m.emit(ProcessProposal{Height: h, Round: r, Block: m.proposalBlock})
	}
}

func (m *Machine) onProposalProcessed(in ProposalProcessed) {
	p := m.pendingPrevote
	if p == nil || p.Height != in.Height || p.Round != in.Round {
		return
	}
	m.pendingPrevote = nil
	if in.Height != m.h.Height || m.proposalBlock == nil || !bytes.Equal(m.proposalBlock.Hash(), in.BlockHash) {
		// The proposal block changed under the request: vote as if the application rejected it.
		m.signVote(types.PrevoteType, types.BlockID{}, nil)
		return
	}
	if !in.Accepted {
		m.signVote(types.PrevoteType, types.BlockID{}, nil)
		return
	}
	m.signVote(types.PrevoteType, blockIDOf(m.proposalBlock, m.proposalBlockParts), nil)
}

// enterPrevoteWait waits timeout_prevote after +2/3 prevotes for anything in round r.
func (m *Machine) enterPrevoteWait(h int64, r int32) {
	if m.h.Height != h || r < m.round || (r == m.round && m.step >= StepPrevoteWait) {
		return
	}
	if !m.votes.prevotes(r).HasTwoThirdsAny() {
		panic(fmt.Sprintf("consensus: enterPrevoteWait(%d/%d) without +2/3 prevotes", h, r))
	}
	m.scheduleTimeout(m.cfg.prevoteTimeout(r), r, StepPrevoteWait)
	m.round, m.step = r, StepPrevoteWait
	m.newStep()
}

// signVote asks for this node's vote of type t for blockID in the current round. extendBlock is
// the block whose vote extension goes with a non-nil precommit, when extensions are enabled.
func (m *Machine) signVote(t types.SignedMsgType, blockID types.BlockID, extendBlock *types.Block) {
	if !m.isValidator() {
		return
	}
	index, _ := m.validators.GetByAddress(m.id.Address)
	vote := &types.Vote{
		Type:             t,
		Height:           m.h.Height,
		Round:            m.round,
		BlockID:          blockID,
		Timestamp:        m.voteTime(),
		ValidatorAddress: m.id.Address,
		ValidatorIndex:   index,
	}
	if t != types.PrecommitType || blockID.IsNil() || !m.h.extensionsEnabled() {
		extendBlock = nil
	}
	m.emit(SignVote{Vote: vote, ExtendBlock: extendBlock})
}

// voteTime is now, but at least 1 ms after the time of the locked block (or else the proposal
// block), so that the next block's time — the median of these votes — comes after this block's.
func (m *Machine) voteTime() time.Time {
	earliest := m.now
	switch {
	case m.lockedBlock != nil:
		earliest = m.lockedBlock.Time.Add(millisecond)
	case m.proposalBlock != nil:
		earliest = m.proposalBlock.Time.Add(millisecond)
	}
	if m.now.After(earliest) {
		return m.now
	}
	return earliest
}

// blockIDOf returns the BlockID of block with part set parts.
func blockIDOf(block *types.Block, parts *types.PartSet) types.BlockID {
	return types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
}
