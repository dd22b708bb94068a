package wal

import (
	"fmt"
	"math"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// MessageFromInput returns the WAL message recording in, for the Inputs that are written:
// ProposalMessage, BlockPartMessage, VoteMessage and PeerMaj23 (as a VoteSetMaj23 message)
// become a MsgInfo whose peer_id is From ("" for the node's own), TimeoutFired becomes a
// TimeoutInfo with a zero duration (the machine does not tell the driver how long the timeout
// was). Any other Input is an error matching ErrNotLogged (answers to the machine's requests and
// the mempool's TxsAvailable and TxsBacklog are derived again on replay and are never written),
// or a plain error for a message without its content. The message shares byte slices with in.
func MessageFromInput(in core.Input) (*consensuspb.WALMessage, error) {
	switch in := in.(type) {
	case core.ProposalMessage:
		if in.Proposal == nil {
			return nil, fmt.Errorf("wal: proposal message without a proposal")
		}
		return msgInfo(&consensuspb.Message{Sum: &consensuspb.Message_Proposal{
			Proposal: &consensuspb.Proposal{Proposal: *in.Proposal.ToProto()},
		}}, in.From), nil
	case core.BlockPartMessage:
		part, err := in.Part.ToProto()
		if err != nil {
			return nil, fmt.Errorf("wal: block part message: %w", err)
		}
		return msgInfo(&consensuspb.Message{Sum: &consensuspb.Message_BlockPart{
			BlockPart: &consensuspb.BlockPart{Height: in.Height, Round: in.Round, Part: *part},
		}}, in.From), nil
	case core.VoteMessage:
		if in.Vote == nil {
			return nil, fmt.Errorf("wal: vote message without a vote")
		}
		return msgInfo(&consensuspb.Message{Sum: &consensuspb.Message_Vote{
			Vote: &consensuspb.Vote{Vote: in.Vote.ToProto()},
		}}, in.From), nil
	case core.PeerMaj23:
		return msgInfo(&consensuspb.Message{Sum: &consensuspb.Message_VoteSetMaj23{
			VoteSetMaj23: &consensuspb.VoteSetMaj23{Height: in.Height, Round: in.Round, Type: in.Type, BlockID: in.BlockID.ToProto()},
		}}, in.From), nil
	case core.TimeoutFired:
		return &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_TimeoutInfo{TimeoutInfo: &consensuspb.TimeoutInfo{
			Height: in.Height, Round: in.Round, Step: uint32(in.Step),
		}}}, nil
	case nil:
		return nil, fmt.Errorf("wal: nil input")
	}
	return nil, fmt.Errorf("%w: %T is derived again on replay", ErrNotLogged, in)
}

func msgInfo(msg *consensuspb.Message, from core.PeerID) *consensuspb.WALMessage {
	return &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{
		Msg: *msg, PeerID: string(from),
	}}}
}

// InputFromMessage turns a replayed WAL message back into the Input it recorded, checking the
// proposal, part, vote or +2/3 claim with its ValidateBasic (an invalid one is an error, as
// CometBFT treats it as a corrupted record). It returns ErrNotInput for records that are not
// inputs — RoundState, EndHeight, and MsgInfo records holding other consensus messages — which
// replay skips. The Input shares byte slices with m.
func InputFromMessage(m *consensuspb.WALMessage) (core.Input, error) {
	if m == nil {
		return nil, fmt.Errorf("wal: nil message")
	}
	switch sum := m.Sum.(type) {
	case *consensuspb.WALMessage_MsgInfo:
		if sum.MsgInfo == nil {
			return nil, fmt.Errorf("wal: empty MsgInfo")
		}
		return inputFromMsgInfo(sum.MsgInfo)
	case *consensuspb.WALMessage_TimeoutInfo:
		t := sum.TimeoutInfo
		if t == nil {
			return nil, fmt.Errorf("wal: empty TimeoutInfo")
		}
		step := core.Step(t.Step)
		if t.Step > math.MaxUint8 || !step.IsValid() {
			return nil, fmt.Errorf("wal: timeout at %d/%d has invalid step %d", t.Height, t.Round, t.Step)
		}
		return core.TimeoutFired{Height: t.Height, Round: t.Round, Step: step}, nil
	case *consensuspb.WALMessage_EventDataRoundState, *consensuspb.WALMessage_EndHeight:
		return nil, ErrNotInput
	case nil:
		return nil, fmt.Errorf("wal: message holds nothing")
	}
	return nil, fmt.Errorf("wal: unknown WAL message %T", m.Sum)
}

func inputFromMsgInfo(info *consensuspb.MsgInfo) (core.Input, error) {
	from := core.PeerID(info.PeerID)
	switch msg := info.Msg.Sum.(type) {
	case *consensuspb.Message_Proposal:
		if msg.Proposal == nil {
			return nil, fmt.Errorf("wal: empty proposal message")
		}
		proposal, err := types.ProposalFromProto(&msg.Proposal.Proposal)
		if err != nil {
			return nil, fmt.Errorf("wal: proposal from %q: %w", from, err)
		}
		return core.ProposalMessage{Proposal: proposal, From: from}, nil
	case *consensuspb.Message_BlockPart:
		if msg.BlockPart == nil {
			return nil, fmt.Errorf("wal: empty block part message")
		}
		bp := msg.BlockPart
		if bp.Height < 0 || bp.Round < 0 {
			return nil, fmt.Errorf("wal: block part from %q at %d/%d: negative height or round", from, bp.Height, bp.Round)
		}
		part, err := types.PartFromProto(&bp.Part)
		if err != nil {
			return nil, fmt.Errorf("wal: block part from %q at %d/%d: %w", from, bp.Height, bp.Round, err)
		}
		return core.BlockPartMessage{Height: bp.Height, Round: bp.Round, Part: part, From: from}, nil
	case *consensuspb.Message_Vote:
		if msg.Vote == nil {
			return nil, fmt.Errorf("wal: empty vote message")
		}
		vote, err := types.VoteFromProto(msg.Vote.Vote)
		if err != nil {
			return nil, fmt.Errorf("wal: vote from %q: %w", from, err)
		}
		return core.VoteMessage{Vote: vote, From: from}, nil
	case *consensuspb.Message_VoteSetMaj23:
		return peerMaj23FromProto(msg.VoteSetMaj23, from)
	case nil:
		return nil, fmt.Errorf("wal: MsgInfo from %q holds no consensus message", from)
	}
	return nil, fmt.Errorf("%w: %T", ErrNotInput, info.Msg.Sum)
}

func peerMaj23FromProto(pb *consensuspb.VoteSetMaj23, from core.PeerID) (core.Input, error) {
	switch {
	case pb == nil:
		return nil, fmt.Errorf("wal: empty VoteSetMaj23 message")
	case pb.Height < 0 || pb.Round < 0:
		return nil, fmt.Errorf("wal: +2/3 claim from %q at %d/%d: negative height or round", from, pb.Height, pb.Round)
	case !types.IsVoteTypeValid(pb.Type):
		return nil, fmt.Errorf("wal: +2/3 claim from %q at %d/%d: invalid vote type %d", from, pb.Height, pb.Round, pb.Type)
	}
	id, err := types.BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, fmt.Errorf("wal: +2/3 claim from %q at %d/%d: %w", from, pb.Height, pb.Round, err)
	}
	return core.PeerMaj23{Height: pb.Height, Round: pb.Round, Type: pb.Type, BlockID: id, From: from}, nil
}

// RoundState returns the record of a step change: step is CometBFT's step name, as
// core.Step.String gives it ("RoundStepPropose").
func RoundState(height int64, round int32, step string) *consensuspb.WALMessage {
	return &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_EventDataRoundState{
		EventDataRoundState: &tmproto.EventDataRoundState{Height: height, Round: round, Step: step},
	}}
}

// EndHeight returns the marker written, with fsync, once block height is saved and before it is
// executed; replay of height+1 starts after it. EndHeight(0) opens a new WAL.
func EndHeight(height int64) *consensuspb.WALMessage {
	return &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_EndHeight{
		EndHeight: &consensuspb.EndHeight{Height: height},
	}}
}

// Kind names the kind of a WAL record, for display and filtering.
type Kind string

// The record kinds. KindMaj23 is a peer's +2/3 claim (a VoteSetMaj23 message, which ballot logs
// and CometBFT does not); KindOther is a MsgInfo holding any other consensus message than a
// proposal, block part, vote or claim (neither node writes one).
const (
	KindRoundState Kind = "round_state"
	KindProposal   Kind = "proposal"
	KindBlockPart  Kind = "block_part"
	KindVote       Kind = "vote"
	KindTimeout    Kind = "timeout"
	KindMaj23      Kind = "vote_set_maj23"
	KindEndHeight  Kind = "end_height"
	KindOther      Kind = "other_message"
	KindEmpty      Kind = "empty"
)

// Kinds returns every Kind a decoded record can have, in display order.
func Kinds() []Kind {
	return []Kind{KindRoundState, KindProposal, KindBlockPart, KindVote, KindMaj23, KindTimeout, KindEndHeight, KindOther}
}

// ParseKind returns the Kind named s, or an error listing the valid names.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("wal: unknown record kind %q (known: %v)", s, Kinds())
}

// KindOf returns the kind of m; KindEmpty for a nil or empty message.
func KindOf(m *consensuspb.WALMessage) Kind {
	if m == nil {
		return KindEmpty
	}
	switch sum := m.Sum.(type) {
	case *consensuspb.WALMessage_EventDataRoundState:
		return KindRoundState
	case *consensuspb.WALMessage_TimeoutInfo:
		return KindTimeout
	case *consensuspb.WALMessage_EndHeight:
		return KindEndHeight
	case *consensuspb.WALMessage_MsgInfo:
		if sum.MsgInfo == nil {
			return KindEmpty
		}
		switch sum.MsgInfo.Msg.Sum.(type) {
		case *consensuspb.Message_Proposal:
			return KindProposal
		case *consensuspb.Message_BlockPart:
			return KindBlockPart
		case *consensuspb.Message_Vote:
			return KindVote
		case *consensuspb.Message_VoteSetMaj23:
			return KindMaj23
		case nil:
			return KindEmpty
		}
		return KindOther
	}
	return KindEmpty
}
