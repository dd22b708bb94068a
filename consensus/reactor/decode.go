package reactor

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/types"
)

// ErrInvalidMessage wraps every reason a peer's consensus message fails the stateless checks of
// p2p.md §7.2; the reactor disconnects the peer that sent it.
var ErrInvalidMessage = errors.New("invalid consensus message")

// errUnknownMessage: a Message with no (or an unknown) oneof member. Logged, not punished.
var errUnknownMessage = errors.New("unknown consensus message type")

// invalid returns an ErrInvalidMessage error naming the message and the reason.
func invalid(what, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidMessage, what, fmt.Sprintf(format, args...))
}

// decodeMessage converts a wire message to its domain form and runs the checks that need no
// state (p2p.md §7.2). The checks against the chain (NewRoundStep against the initial height, a
// proposal's part count against block.max_bytes) are newRoundStep.validateHeight and
// validateProposalParts. The result may share byte slices with pb.
func decodeMessage(pb *consensuspb.Message) (message, error) {
	if hasNilMember(pb) {
		return nil, invalid("Message", "empty %T", pb.GetSum())
	}
	switch sum := pb.GetSum().(type) {
	case *consensuspb.Message_NewRoundStep:
		return decodeNewRoundStep(sum.NewRoundStep)
	case *consensuspb.Message_NewValidBlock:
		return decodeNewValidBlock(sum.NewValidBlock)
	case *consensuspb.Message_Proposal:
		p, err := types.ProposalFromProto(&sum.Proposal.Proposal)
		if err != nil {
			return nil, invalid("Proposal", "%v", err)
		}
		return proposalMessage{Proposal: p}, nil
	case *consensuspb.Message_ProposalPol:
		return decodeProposalPOL(sum.ProposalPol)
	case *consensuspb.Message_BlockPart:
		return decodeBlockPart(sum.BlockPart)
	case *consensuspb.Message_Vote:
		v, err := types.VoteFromProto(sum.Vote.Vote)
		if err != nil {
			return nil, invalid("Vote", "%v", err)
		}
		return voteMessage{Vote: v}, nil
	case *consensuspb.Message_HasVote:
		return decodeHasVote(sum.HasVote)
	case *consensuspb.Message_VoteSetMaj23:
		return decodeVoteSetMaj23(sum.VoteSetMaj23)
	case *consensuspb.Message_VoteSetBits:
		return decodeVoteSetBits(sum.VoteSetBits)
	}
	return nil, errUnknownMessage
}

// hasNilMember reports a oneof member without its message (never produced by decoding bytes,
// but possible in a Message built in memory).
func hasNilMember(pb *consensuspb.Message) bool {
	switch sum := pb.GetSum().(type) {
	case *consensuspb.Message_NewRoundStep:
		return sum.NewRoundStep == nil
	case *consensuspb.Message_NewValidBlock:
		return sum.NewValidBlock == nil
	case *consensuspb.Message_Proposal:
		return sum.Proposal == nil
	case *consensuspb.Message_ProposalPol:
		return sum.ProposalPol == nil
	case *consensuspb.Message_BlockPart:
		return sum.BlockPart == nil
	case *consensuspb.Message_Vote:
		return sum.Vote == nil
	case *consensuspb.Message_HasVote:
		return sum.HasVote == nil
	case *consensuspb.Message_VoteSetMaj23:
		return sum.VoteSetMaj23 == nil
	case *consensuspb.Message_VoteSetBits:
		return sum.VoteSetBits == nil
	}
	return false
}

func decodeNewRoundStep(pb *consensuspb.NewRoundStep) (message, error) {
	const what = "NewRoundStep"
	switch {
	case pb.Height < 0:
		return nil, invalid(what, "negative height %d", pb.Height)
	case pb.Round < 0:
		return nil, invalid(what, "negative round %d", pb.Round)
	case pb.Step < uint32(core.StepNewHeight) || pb.Step > uint32(core.StepCommit):
		return nil, invalid(what, "step %d is not a round step", pb.Step)
	case pb.LastCommitRound < -1:
		return nil, invalid(what, "last commit round %d below -1", pb.LastCommitRound)
	}
	return newRoundStep{
		HRS:                   core.HRS{Height: pb.Height, Round: pb.Round, Step: core.Step(pb.Step)},
		SecondsSinceStartTime: pb.SecondsSinceStartTime,
		LastCommitRound:       pb.LastCommitRound,
	}, nil
}

// validateHeight checks the announced height against the chain's initial height: no earlier
// height exists, and only the initial height has no last commit.
func (m newRoundStep) validateHeight(initialHeight int64) error {
	const what = "NewRoundStep"
	switch h := m.HRS.Height; {
	case h < initialHeight:
		return invalid(what, "height %d is below the initial height %d", h, initialHeight)
	case h == initialHeight && m.LastCommitRound != -1:
		return invalid(what, "last commit round %d at the initial height, want -1", m.LastCommitRound)
	case h > initialHeight && m.LastCommitRound < 0:
		return invalid(what, "last commit round %d above the initial height", m.LastCommitRound)
	}
	return nil
}

func decodeNewValidBlock(pb *consensuspb.NewValidBlock) (message, error) {
	const what = "NewValidBlock"
	if pb.Height < 0 {
		return nil, invalid(what, "negative height %d", pb.Height)
	}
	if pb.Round < 0 {
		return nil, invalid(what, "negative round %d", pb.Round)
	}
	header, err := types.PartSetHeaderFromProto(&pb.BlockPartSetHeader)
	if err != nil {
		return nil, invalid(what, "%v", err)
	}
	parts, err := bits.FromProto(pb.BlockParts)
	if err != nil {
		return nil, invalid(what, "%v", err)
	}
	switch n := parts.Size(); {
	case n == 0:
		return nil, invalid(what, "empty block parts bit array")
	case n != int(header.Total):
		return nil, invalid(what, "block parts bit array has %d bits, the part set header %d parts", n, header.Total)
	case n > int(types.MaxBlockPartsCount):
		return nil, invalid(what, "block parts bit array has %d bits, at most %d allowed", n, types.MaxBlockPartsCount)
	}
	return newValidBlock{Height: pb.Height, Round: pb.Round, PartsHeader: header, Parts: parts, IsCommit: pb.IsCommit}, nil
}

// validateProposalParts checks that the proposal's block may exist under block.max_bytes
// (-1: the 100 MiB limit): its part count is at most (max_bytes-1)/65536+1.
func validateProposalParts(p *types.Proposal, maxBytes int64) error {
	if maxBytes == -1 {
		maxBytes = types.MaxBlockSizeBytes
	}
	limit := (maxBytes-1)/int64(types.BlockPartSizeBytes) + 1
	if total := int64(p.BlockID.PartSetHeader.Total); total > limit {
		return invalid("Proposal", "%d block parts, block.max_bytes %d allows %d", total, maxBytes, limit)
	}
	return nil
}

func decodeProposalPOL(pb *consensuspb.ProposalPOL) (message, error) {
	const what = "ProposalPOL"
	if pb.Height < 0 {
		return nil, invalid(what, "negative height %d", pb.Height)
	}
	if pb.ProposalPolRound < 0 {
		return nil, invalid(what, "negative POL round %d", pb.ProposalPolRound)
	}
	pol, err := bits.FromProto(&pb.ProposalPol)
	if err != nil {
		return nil, invalid(what, "%v", err)
	}
	switch n := pol.Size(); {
	case n == 0:
		return nil, invalid(what, "empty POL bit array")
	case n > types.MaxVotesCount:
		return nil, invalid(what, "POL bit array has %d bits, at most %d allowed", n, types.MaxVotesCount)
	}
	return proposalPOL{Height: pb.Height, POLRound: pb.ProposalPolRound, POL: pol}, nil
}

func decodeBlockPart(pb *consensuspb.BlockPart) (message, error) {
	const what = "BlockPart"
	if pb.Height < 0 {
		return nil, invalid(what, "negative height %d", pb.Height)
	}
	if pb.Round < 0 {
		return nil, invalid(what, "negative round %d", pb.Round)
	}
	part, err := types.PartFromProto(&pb.Part)
	if err != nil {
		return nil, invalid(what, "%v", err)
	}
	return blockPartMessage{Height: pb.Height, Round: pb.Round, Part: part}, nil
}

// checkVoteSet checks the fields that name one vote set: height, round and vote type.
func checkVoteSet(what string, height int64, round int32, t types.SignedMsgType) error {
	switch {
	case height < 0:
		return invalid(what, "negative height %d", height)
	case round < 0:
		return invalid(what, "negative round %d", round)
	case !types.IsVoteTypeValid(t):
		return invalid(what, "vote type %d is neither prevote nor precommit", t)
	}
	return nil
}

func decodeHasVote(pb *consensuspb.HasVote) (message, error) {
	if err := checkVoteSet("HasVote", pb.Height, pb.Round, pb.Type); err != nil {
		return nil, err
	}
	if pb.Index < 0 {
		return nil, invalid("HasVote", "negative validator index %d", pb.Index)
	}
	return hasVote{Height: pb.Height, Round: pb.Round, Type: pb.Type, Index: pb.Index}, nil
}

func decodeVoteSetMaj23(pb *consensuspb.VoteSetMaj23) (message, error) {
	if err := checkVoteSet("VoteSetMaj23", pb.Height, pb.Round, pb.Type); err != nil {
		return nil, err
	}
	id, err := types.BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, invalid("VoteSetMaj23", "%v", err)
	}
	return voteSetMaj23{Height: pb.Height, Round: pb.Round, Type: pb.Type, BlockID: id}, nil
}

// decodeVoteSetBits checks a VoteSetBits as CometBFT does: the round is not checked, and an empty
// bit array is allowed (the sender holds no such votes).
func decodeVoteSetBits(pb *consensuspb.VoteSetBits) (message, error) {
	const what = "VoteSetBits"
	if pb.Height < 0 {
		return nil, invalid(what, "negative height %d", pb.Height)
	}
	if !types.IsVoteTypeValid(pb.Type) {
		return nil, invalid(what, "vote type %d is neither prevote nor precommit", pb.Type)
	}
	id, err := types.BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, invalid(what, "%v", err)
	}
	votes, err := bits.FromProto(&pb.Votes)
	if err != nil {
		return nil, invalid(what, "%v", err)
	}
	if n := votes.Size(); n > types.MaxVotesCount {
		return nil, invalid(what, "votes bit array has %d bits, at most %d allowed", n, types.MaxVotesCount)
	}
	return voteSetBits{Height: pb.Height, Round: pb.Round, Type: pb.Type, BlockID: id, Votes: votes}, nil
}
