package reactor

import (
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	pbits "github.com/ballot-bft/ballot/proto/tendermint/libs/bits"
	"github.com/ballot-bft/ballot/types"
)

// The consensus channels (p2p.md §6).
const (
	StateChannel       = byte(0x20) // NewRoundStep, NewValidBlock, HasVote, VoteSetMaj23
	DataChannel        = byte(0x21) // Proposal, ProposalPOL, BlockPart
	VoteChannel        = byte(0x22) // Vote
	VoteSetBitsChannel = byte(0x23) // VoteSetBits
)

// message is a consensus message in domain form, checked statelessly (decode.go). Each knows the
// channel it travels on and its wire form.
type message interface {
	channel() byte
	toProto() *consensuspb.Message
}

// newRoundStep announces the sender's position after a step change.
type newRoundStep struct {
	HRS                   core.HRS
	SecondsSinceStartTime int64
	LastCommitRound       int32 // -1 at the initial height
}

// newValidBlock announces the block the sender is assembling (a polka or commit for it) and the
// parts it holds.
type newValidBlock struct {
	Height      int64
	Round       int32
	PartsHeader types.PartSetHeader
	Parts       *bits.BitArray
	IsCommit    bool
}

// proposalMessage carries a signed proposal.
type proposalMessage struct {
	Proposal *types.Proposal
}

// proposalPOL tells which prevotes of the proposal's POL round the sender holds.
type proposalPOL struct {
	Height   int64
	POLRound int32
	POL      *bits.BitArray
}

// blockPartMessage carries one part of a block; Height and Round are the sender's (or, when
// catching a peer up, the peer's).
type blockPartMessage struct {
	Height int64
	Round  int32
	Part   *types.Part
}

// voteMessage carries a signed vote.
type voteMessage struct {
	Vote *types.Vote
}

// hasVote tells that the sender holds a vote.
type hasVote struct {
	Height int64
	Round  int32
	Type   types.SignedMsgType
	Index  int32
}

// voteSetMaj23 claims that the sender saw +2/3 votes for BlockID.
type voteSetMaj23 struct {
	Height  int64
	Round   int32
	Type    types.SignedMsgType
	BlockID types.BlockID
}

// voteSetBits answers a voteSetMaj23: which votes for BlockID the sender holds.
type voteSetBits struct {
	Height  int64
	Round   int32
	Type    types.SignedMsgType
	BlockID types.BlockID
	Votes   *bits.BitArray
}

func (newRoundStep) channel() byte     { return StateChannel }
func (newValidBlock) channel() byte    { return StateChannel }
func (proposalMessage) channel() byte  { return DataChannel }
func (proposalPOL) channel() byte      { return DataChannel }
func (blockPartMessage) channel() byte { return DataChannel }
func (voteMessage) channel() byte      { return VoteChannel }
func (hasVote) channel() byte          { return StateChannel }
func (voteSetMaj23) channel() byte     { return StateChannel }
func (voteSetBits) channel() byte      { return VoteSetBitsChannel }

func (m newRoundStep) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_NewRoundStep{NewRoundStep: &consensuspb.NewRoundStep{
		Height:                m.HRS.Height,
		Round:                 m.HRS.Round,
		Step:                  uint32(m.HRS.Step),
		SecondsSinceStartTime: m.SecondsSinceStartTime,
		LastCommitRound:       m.LastCommitRound,
	}}}
}

func (m newValidBlock) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_NewValidBlock{NewValidBlock: &consensuspb.NewValidBlock{
		Height:             m.Height,
		Round:              m.Round,
		BlockPartSetHeader: m.PartsHeader.ToProto(),
		BlockParts:         m.Parts.ToProto(),
		IsCommit:           m.IsCommit,
	}}}
}

func (m proposalMessage) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_Proposal{Proposal: &consensuspb.Proposal{
		Proposal: *m.Proposal.ToProto(),
	}}}
}

func (m proposalPOL) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_ProposalPol{ProposalPol: &consensuspb.ProposalPOL{
		Height:           m.Height,
		ProposalPolRound: m.POLRound,
		ProposalPol:      bitsValue(m.POL),
	}}}
}

func (m blockPartMessage) toProto() *consensuspb.Message {
	part, err := m.Part.ToProto()
	if err != nil {
		panic("consensus/reactor: sending a nil block part") // parts come from a View or the block store
	}
	return &consensuspb.Message{Sum: &consensuspb.Message_BlockPart{BlockPart: &consensuspb.BlockPart{
		Height: m.Height,
		Round:  m.Round,
		Part:   *part,
	}}}
}

func (m voteMessage) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_Vote{Vote: &consensuspb.Vote{Vote: m.Vote.ToProto()}}}
}

func (m hasVote) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_HasVote{HasVote: &consensuspb.HasVote{
		Height: m.Height,
		Round:  m.Round,
		Type:   m.Type,
		Index:  m.Index,
	}}}
}

func (m voteSetMaj23) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_VoteSetMaj23{VoteSetMaj23: &consensuspb.VoteSetMaj23{
		Height:  m.Height,
		Round:   m.Round,
		Type:    m.Type,
		BlockID: m.BlockID.ToProto(),
	}}}
}

func (m voteSetBits) toProto() *consensuspb.Message {
	return &consensuspb.Message{Sum: &consensuspb.Message_VoteSetBits{VoteSetBits: &consensuspb.VoteSetBits{
		Height:  m.Height,
		Round:   m.Round,
		Type:    m.Type,
		BlockID: m.BlockID.ToProto(),
		Votes:   bitsValue(m.Votes),
	}}}
}

// bitsValue is the wire form of b for a non-nullable field: the zero message for an empty array.
func bitsValue(b *bits.BitArray) pbits.BitArray {
	if pb := b.ToProto(); pb != nil {
		return *pb
	}
	return pbits.BitArray{}
}
