package core

import (
	"fmt"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/types"
)

// RoundState is the consensus machine's state as dump_consensus_state writes it (CometBFT's
// consensus RoundState JSON). The consensus side publishes it; it is immutable once published.
// Rounds and heights not reached are -1 (LockedRound, ValidRound, CommitRound); absent blocks,
// proposals and part sets are nil.
type RoundState struct {
	Height     int64     `json:"height"`
	Round      int32     `json:"round"`
	Step       uint8     `json:"step"` // CometBFT's RoundStepType (1 NewHeight … 8 Commit)
	StartTime  time.Time `json:"start_time"`
	CommitTime time.Time `json:"commit_time"`
	// Validators decide Height, with the proposer priorities of Round.
	Validators *types.ValidatorSet `json:"validators"`

	Proposal           *types.Proposal `json:"proposal"`
	ProposalBlock      *types.Block    `json:"proposal_block"`
	ProposalBlockParts *PartSetSummary `json:"proposal_block_parts"`

	LockedRound      int32           `json:"locked_round"`
	LockedBlock      *types.Block    `json:"locked_block"`
	LockedBlockParts *PartSetSummary `json:"locked_block_parts"`

	ValidRound      int32           `json:"valid_round"`
	ValidBlock      *types.Block    `json:"valid_block"`
	ValidBlockParts *PartSetSummary `json:"valid_block_parts"`

	// Votes has one entry per tracked round of Height, in round order.
	Votes       []RoundVotes `json:"votes"`
	CommitRound int32        `json:"commit_round"`
	// LastCommit is the precommits for Height-1; nil at the initial height.
	LastCommit     *VoteSetSummary     `json:"last_commit"`
	LastValidators *types.ValidatorSet `json:"last_validators"`

	TriggeredTimeoutPrecommit bool `json:"triggered_timeout_precommit"`
}

// RoundVotes is one round's prevotes and precommits, rendered as CometBFT renders them.
type RoundVotes struct {
	Round              int32    `json:"round"`
	Prevotes           []string `json:"prevotes"`
	PrevotesBitArray   string   `json:"prevotes_bit_array"`
	Precommits         []string `json:"precommits"`
	PrecommitsBitArray string   `json:"precommits_bit_array"`
}

// VoteSetSummary is a vote set rendered as CometBFT renders one: a string per validator, the
// bit array with the voted share, and the block IDs peers claimed +2/3 for, by peer ID.
type VoteSetSummary struct {
	Votes         []string                 `json:"votes"`
	VotesBitArray string                   `json:"votes_bit_array"`
	PeerMaj23s    map[string]types.BlockID `json:"peer_maj_23s"`
}

// PartSetSummary is a block part set as CometBFT renders one: "count/total" and the bit array of
// the parts held, as a BitArray's JSON ("x_x", without the "BA{3:…}" of its String form).
type PartSetSummary struct {
	CountTotal    string `json:"count/total"`
	PartsBitArray string `json:"parts_bit_array"`
}

// RoundStateSimple is consensus_state's short form of the round state.
type RoundStateSimple struct {
	HeightRoundStep   string          `json:"height/round/step"`
	StartTime         time.Time       `json:"start_time"`
	ProposalBlockHash crypto.HexBytes `json:"proposal_block_hash"`
	LockedBlockHash   crypto.HexBytes `json:"locked_block_hash"`
	ValidBlockHash    crypto.HexBytes `json:"valid_block_hash"`
	Votes             []RoundVotes    `json:"height_vote_set"`
	Proposer          ProposerInfo    `json:"proposer"`
}

// ProposerInfo identifies the round's proposer by address and index in the validator set.
type ProposerInfo struct {
	Address crypto.Address `json:"address"`
	Index   int32          `json:"index"`
}

// Simple returns rs in consensus_state's short form.
func (rs *RoundState) Simple() RoundStateSimple {
	simple := RoundStateSimple{
		HeightRoundStep:   fmt.Sprintf("%d/%d/%d", rs.Height, rs.Round, rs.Step),
		StartTime:         rs.StartTime,
		ProposalBlockHash: blockHash(rs.ProposalBlock),
		LockedBlockHash:   blockHash(rs.LockedBlock),
		ValidBlockHash:    blockHash(rs.ValidBlock),
		Votes:             rs.Votes,
		Proposer:          ProposerInfo{Index: -1},
	}
	if proposer := proposerOf(rs.Validators); proposer != nil {
		index, _ := rs.Validators.GetByAddress(proposer.Address)
		simple.Proposer = ProposerInfo{Address: proposer.Address, Index: index}
	}
	return simple
}

func blockHash(b *types.Block) crypto.HexBytes {
	if b == nil {
		return nil
	}
	return b.Hash()
}

// proposerOf returns the set's proposer without modifying the (shared) set, or nil for an empty
// or nil set.
func proposerOf(vals *types.ValidatorSet) *types.Validator {
	switch {
	case vals == nil || len(vals.Validators) == 0:
		return nil
	case vals.Proposer != nil:
		return vals.Proposer
	}
	return vals.Copy().GetProposer()
}

// SummarizeVotes renders votes, indexed by validator index in vals (nil where the validator has
// not voted), the way CometBFT writes a vote set; peerMaj23s may be nil.
func SummarizeVotes(votes []*types.Vote, vals *types.ValidatorSet, peerMaj23s map[string]types.BlockID) *VoteSetSummary {
	if peerMaj23s == nil {
		peerMaj23s = map[string]types.BlockID{}
	}
	strs, bitArray := renderVotes(votes, vals)
	return &VoteSetSummary{Votes: strs, VotesBitArray: bitArray, PeerMaj23s: peerMaj23s}
}

// NewRoundVotes renders one round's prevotes and precommits, each indexed by validator index in
// vals (nil where the validator has not voted).
func NewRoundVotes(round int32, prevotes, precommits []*types.Vote, vals *types.ValidatorSet) RoundVotes {
	rv := RoundVotes{Round: round}
	rv.Prevotes, rv.PrevotesBitArray = renderVotes(prevotes, vals)
	rv.Precommits, rv.PrecommitsBitArray = renderVotes(precommits, vals)
	return rv
}

// SummarizeParts renders a part set's progress: count of parts held over the total, and which.
// have has one entry per part.
func SummarizeParts(have []bool) *PartSetSummary {
	count := 0
	for _, h := range have {
		if h {
			count++
		}
	}
	return &PartSetSummary{
		CountTotal:    fmt.Sprintf("%d/%d", count, len(have)),
		PartsBitArray: bitString(have),
	}
}

// renderVotes returns one string per validator ("nil-Vote" for a missing vote) and the bit array
// with the share of voting power that voted: "BA{4:xx__} 20/40 = 0.50".
func renderVotes(votes []*types.Vote, vals *types.ValidatorSet) ([]string, string) {
	n := 0
	var total int64
	if vals != nil {
		n = len(vals.Validators)
		total = vals.TotalVotingPower()
	}
	strs := make([]string, n)
	voted := make([]bool, n)
	var sum int64
	for i := range n {
		var vote *types.Vote
		if i < len(votes) {
			vote = votes[i]
		}
		strs[i] = voteString(vote)
		if vote != nil {
			voted[i] = true
			sum += vals.Validators[i].VotingPower
		}
	}
	frac := 0.0
	if total > 0 {
		frac = float64(sum) / float64(total)
	}
	return strs, fmt.Sprintf("%s %d/%d = %.2f", bitArrayString(voted), sum, total, frac)
}

// bitArrayString writes bits as CometBFT's BitArray.String does: BA{<size>:<bits>}, the bits as
// bitString writes them.
func bitArrayString(bits []bool) string {
	return fmt.Sprintf("BA{%d:%s}", len(bits), bitString(bits))
}

// bitString writes bits as CometBFT's BitArray JSON does (unquoted): x for set, _ for unset.
func bitString(bits []bool) string {
	var b strings.Builder
	b.Grow(len(bits))
	for _, set := range bits {
		if set {
			b.WriteByte('x')
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// voteString writes a vote as CometBFT's Vote.String does:
// Vote{index:ADDR height/round/TYPE(Name) BLOCK SIG EXT @ time}, each hex a 6-byte fingerprint.
func voteString(v *types.Vote) string {
	if v == nil {
		return "nil-Vote"
	}
	var name string
	switch v.Type {
	case types.PrevoteType:
		name = "Prevote"
	case types.PrecommitType:
		name = "Precommit"
	default:
		name = "Unknown"
	}
	return fmt.Sprintf("Vote{%d:%X %d/%02d/%s(%s) %X %X %X @ %s}",
		v.ValidatorIndex, fingerprint(v.ValidatorAddress), v.Height, v.Round, v.Type, name,
		fingerprint(v.BlockID.Hash), fingerprint(v.Signature), fingerprint(v.Extension),
		types.CanonicalTime(v.Timestamp))
}

// fingerprint is the first 6 bytes of b, zero-padded.
func fingerprint(b []byte) []byte {
	fp := make([]byte, 6)
	copy(fp, b)
	return fp
}
