package core

import (
	"time"

	"github.com/ballot-bft/ballot/types"
)

// millisecond is CometBFT's time iota: the smallest step between consecutive block times.
const millisecond = time.Millisecond

// enterNewRound starts round r of height h (Algorithm 1, StartRound).
func (m *Machine) enterNewRound(h int64, r int32) {
	if m.h.Height != h || r < m.round || (r == m.round && m.step != StepNewHeight) {
		return
	}
	if m.round < r {
		vals := m.validators.Copy()
		vals.IncrementProposerPriority(r - m.round)
		m.validators = vals
	}
	m.round, m.step = r, StepNewRound
	if r != 0 {
		// At round 0 these were reset at the new height, and a round-0 proposal may already be in.
		m.proposal, m.proposalBlock, m.proposalBlockParts = nil, nil, nil
	}
	m.votes.setRound(r + 1) // track the next round too, for round skipping
	m.triggeredTimeoutPrecommit = false

	proposer := m.validators.GetProposer()
	index, _ := m.validators.GetByAddress(proposer.Address)
	m.emit(Publish{Event: Event{Kind: EventNewRound, HRS: m.hrs(), Proposer: proposer, ProposerIndex: index}})

	if r == 0 && m.cfg.waitForTxs() && !m.h.NeedProofBlock {
		if m.cfg.CreateEmptyBlocksInterval > 0 {
			m.scheduleTimeout(m.cfg.CreateEmptyBlocksInterval, r, StepNewRound)
		}
		return // TxsAvailable or the NewRound timeout proposes
	}
	m.enterPropose(h, r)
}

// enterPropose waits for round r's proposal, and makes it if this node is the proposer.
func (m *Machine) enterPropose(h int64, r int32) {
	if m.h.Height != h || r < m.round || (r == m.round && m.step >= StepPropose) {
		return
	}
	m.scheduleTimeout(m.cfg.proposeTimeout(r), r, StepPropose)
	if m.isValidator() && m.isProposer() {
		m.decideProposal(h, r)
	}
	m.round, m.step = r, StepPropose
	m.newStep()
	if m.isProposalComplete() {
		m.enterPrevote(h, m.round)
	}
}

// decideProposal re-proposes the valid block if there is one, and otherwise asks for a new block.
func (m *Machine) decideProposal(h int64, r int32) {
	if m.validBlock != nil {
		m.signProposal(m.validBlock, m.validBlockParts)
		return
	}
	var lastCommit *types.ExtendedCommit
	if h != m.h.InitialHeight {
		if m.lastCommit == nil || !m.lastCommit.IsCommit() {
			return // can't propose without the previous block's commit
		}
		lastCommit = m.lastCommit.MakeExtendedCommit(m.lastCommitHasExtensions())
	}
	m.buildingProposal = &HRS{Height: h, Round: r, Step: StepPropose}
	m.emit(BuildProposal{Height: h, Round: r, LastCommit: lastCommit})
}

// lastCommitHasExtensions reports whether vote extensions were enabled at the previous height.
func (m *Machine) lastCommitHasExtensions() bool {
	enable := m.h.VoteExtensionsEnableHeight
	return enable > 0 && m.h.Height-1 >= enable
}

func (m *Machine) onProposalBlockBuilt(in ProposalBlockBuilt) {
	b := m.buildingProposal
	if b == nil || b.Height != in.Height || b.Round != in.Round {
		return
	}
	m.buildingProposal = nil
	// Past the propose step (2/3+ precommits of this round arrived while the block was being
	// built, and we voted), the proposal is moot; the signer would refuse it anyway, since it never
	// signs a proposal after a vote of the same round.
	if in.Block == nil || in.Height != m.h.Height || in.Round != m.round || m.step != StepPropose {
		return
	}
	m.signProposal(in.Block, in.Parts)
}

// signProposal asks for our proposal of block in the current round to be signed.
func (m *Machine) signProposal(block *types.Block, parts *types.PartSet) {
	blockID := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	proposal := types.NewProposal(m.h.Height, m.round, m.validRound, blockID, m.now)
	m.emit(SignProposal{Proposal: proposal, Block: block, Parts: parts})
}

func (m *Machine) onTxsAvailable() {
	if m.round != 0 {
		return
	}
	switch m.step {
	case StepNewHeight:
		if m.h.NeedProofBlock {
			return // enterNewRound proposes anyway
		}
		// 1 ms after round 0's start, so that the NewRound timeout comes after the NewHeight one.
		m.scheduleTimeout(m.startTime.Sub(m.now)+millisecond, 0, StepNewRound)
	case StepNewRound:
		m.enterPropose(m.h.Height, 0)
	}
}
