package core

import (
	cscore "github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// RoundStateFromView renders a consensus machine's view (consensus/core.View) as
// dump_consensus_state's round state, the way CometBFT v0.38 renders its RoundState: the part
// sets of the proposal, locked and valid blocks as "count/total" with their bit arrays, the
// votes of rounds 0 to the highest round set up for voting (not the rounds peers made the
// machine track to catch up), the last commit with the peers' +2/3 claims, and an empty
// validator set, not null, for the last validators at the initial height. v must not be nil.
// The result shares the view's immutable values.
func RoundStateFromView(v *cscore.View) *RoundState {
	rs := &RoundState{
		Height:                    v.HRS.Height,
		Round:                     v.HRS.Round,
		Step:                      uint8(v.HRS.Step),
		StartTime:                 v.StartTime,
		CommitTime:                v.CommitTime,
		Validators:                v.Validators,
		Proposal:                  v.Proposal,
		ProposalBlock:             v.ProposalBlock,
		LockedRound:               v.LockedRound,
		LockedBlock:               v.LockedBlock,
		ValidRound:                v.ValidRound,
		ValidBlock:                v.ValidBlock,
		Votes:                     make([]RoundVotes, 0, v.VotesRound+1),
		CommitRound:               v.CommitRound,
		LastValidators:            v.LastValidators,
		TriggeredTimeoutPrecommit: v.TriggeredTimeoutPrecommit,
	}
	if rs.LastValidators == nil {
		rs.LastValidators = &types.ValidatorSet{}
	}
	if !v.PartsHeader.IsZero() {
		have := make([]bool, len(v.ProposalBlockParts))
		for i, p := range v.ProposalBlockParts {
			have[i] = p != nil
		}
		rs.ProposalBlockParts = SummarizeParts(have)
	}
	if v.LockedBlock != nil {
		rs.LockedBlockParts = completeParts(v.LockedBlockParts)
	}
	if v.ValidBlock != nil {
		rs.ValidBlockParts = completeParts(v.ValidBlockParts)
	}
	for _, r := range v.Rounds {
		if r.Round <= v.VotesRound {
			rs.Votes = append(rs.Votes, NewRoundVotes(r.Round, r.Prevotes, r.Precommits, v.Validators))
		}
	}
	if v.LastCommit != nil {
		claims := make(map[string]types.BlockID, len(v.LastCommitPeerMaj23s))
		for peer, id := range v.LastCommitPeerMaj23s {
			claims[string(peer)] = id
		}
		rs.LastCommit = SummarizeVotes(v.LastCommit, v.LastValidators, claims)
	}
	return rs
}

// completeParts renders a part set that holds every part of header.
func completeParts(header types.PartSetHeader) *PartSetSummary {
	have := make([]bool, header.Total)
	for i := range have {
		have[i] = true
	}
	return SummarizeParts(have)
}
