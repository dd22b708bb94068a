package core

import (
	"fmt"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// onProposal accepts the proposal of the current round (CometBFT's setProposal). Accepting a
// proposal causes no transition by itself.
func (m *Machine) onProposal(in ProposalMessage) {
	p := in.Proposal
	if m.proposal != nil || p.Height != m.h.Height || p.Round != m.round {
		return
	}
	if p.POLRound < -1 || (p.POLRound >= 0 && p.POLRound >= p.Round) {
		m.reject(in.From, fmt.Errorf("proposal %d/%d has invalid POL round %d", p.Height, p.Round, p.POLRound))
		return
	}
	proposer := m.validators.GetProposer()
	if err := p.Verify(m.h.ChainID, proposer.PubKey); err != nil {
		m.reject(in.From, fmt.Errorf("proposal %d/%d: not signed by the round's proposer %X: %w", p.Height, p.Round, proposer.Address, err))
		return
	}
	if total, limit := p.BlockID.PartSetHeader.Total, m.h.maxParts(); total > limit {
		m.reject(in.From, fmt.Errorf("proposal %d/%d announces %d parts, more than the %d block.max_bytes allows", p.Height, p.Round, total, limit))
		return
	}
	m.proposal = p
	if m.proposalBlockParts == nil {
		parts, err := types.NewPartSetFromHeader(p.BlockID.PartSetHeader)
		if err != nil {
			m.proposal = nil
			m.reject(in.From, fmt.Errorf("proposal %d/%d: %w", p.Height, p.Round, err))
			return
		}
		m.proposalBlockParts = parts
	}
	if in.From == "" {
		m.emit(Broadcast{Message: in})
	}
}

// onBlockPart adds a part of the proposal block; a completed block may move the round on.
func (m *Machine) onBlockPart(in BlockPartMessage) {
	if in.Height != m.h.Height || m.proposalBlockParts == nil {
		return // a part of another height, or of a round we left: not the peer's fault
	}
	added, err := m.proposalBlockParts.AddPart(in.Part)
	if err != nil {
		if in.Round == m.round {
			m.reject(in.From, fmt.Errorf("block part %d of %d/%d: %w", in.Part.Index, in.Height, in.Round, err))
		}
		return
	}
	if !added {
		return
	}
	if in.From == "" {
		m.emit(Broadcast{Message: in})
	}
	maxBytes := m.h.BlockMaxBytes
	if maxBytes == -1 {
		maxBytes = types.MaxBlockSizeBytes
	}
	if m.proposalBlockParts.ByteSize() > maxBytes {
		m.reject(in.From, fmt.Errorf("block parts of %d/%d exceed block.max_bytes %d", in.Height, in.Round, maxBytes))
		return
	}
	if !m.proposalBlockParts.IsComplete() {
		return
	}
	block, err := decodeBlock(m.proposalBlockParts)
	if err != nil {
		m.reject(in.From, fmt.Errorf("proposal block %d/%d: %w", in.Height, in.Round, err))
		return
	}
	m.proposalBlock = block
	m.emit(Publish{Event: Event{Kind: EventCompleteProposal, HRS: m.hrs(),
		BlockID: types.BlockID{Hash: block.Hash(), PartSetHeader: m.proposalBlockParts.Header()}}})
	m.handleCompleteProposal(in.Height)
}

// handleCompleteProposal moves on once the proposal block is complete.
func (m *Machine) handleCompleteProposal(h int64) {
	// A polka in this round for the block we now hold makes it the valid block.
	if id, ok := m.votes.prevotes(m.round).TwoThirdsMajority(); ok && !id.IsNil() && m.validRound < m.round &&
		blockMatches(m.proposalBlock, id) {
		m.validRound, m.validBlock, m.validBlockParts = m.round, m.proposalBlock, m.proposalBlockParts
	}
	switch {
	case m.step <= StepPropose && m.isProposalComplete():
		m.enterPrevote(h, m.round)
		m.seq(func() {
			if m.votes.prevotes(m.round).HasTwoThirdsMajority() {
				m.enterPrecommit(h, m.round)
			}
		})
	case m.step == StepCommit:
		m.tryFinalizeCommit(h)
	}
}

// decodeBlock reassembles a complete part set into a block and checks it statelessly.
func decodeBlock(parts *types.PartSet) (*types.Block, error) {
	raw, err := parts.Bytes()
	if err != nil {
		return nil, err
	}
	var pb tmproto.Block
	if err := pb.Unmarshal(raw); err != nil {
		return nil, fmt.Errorf("decoding block: %w", err)
	}
	block, err := types.BlockFromProto(&pb)
	if err != nil {
		return nil, err
	}
	if err := block.ValidateBasic(); err != nil {
		return nil, err
	}
	return block, nil
}

// partsHaveHeader reports whether parts is a part set with header (false for nil).
func partsHaveHeader(parts *types.PartSet, header types.PartSetHeader) bool {
	return parts != nil && parts.HasHeader(header)
}

func (m *Machine) reject(from PeerID, err error) {
	m.emit(Rejected{From: from, Err: err})
}
