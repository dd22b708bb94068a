package wal

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Filter selects records by fields every node's WAL has. The zero Filter selects everything.
type Filter struct {
	// Height selects records at this height; 0 selects every height. A record's height is the
	// height of its round state, timeout, proposal, part or vote, or the EndHeight marker's.
	Height int64
	// Round, if not nil, selects records of this round; EndHeight markers have no round and
	// are then left out.
	Round *int32
	// Kinds, if not empty, selects records of these kinds.
	Kinds []Kind
}

// Match reports whether the filter selects m.
func (f Filter) Match(m *consensuspb.WALMessage) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, KindOf(m)) {
		return false
	}
	height, round, hasRound := position3(m)
	if f.Height != 0 && height != f.Height {
		return false
	}
	if f.Round != nil && (!hasRound || round != *f.Round) {
		return false
	}
	return true
}

// position3 returns the height and round a record is about; hasRound is false for records
// without a round.
func position3(m *consensuspb.WALMessage) (height int64, round int32, hasRound bool) {
	switch sum := m.GetSum().(type) {
	case *consensuspb.WALMessage_EventDataRoundState:
		return sum.EventDataRoundState.GetHeight(), sum.EventDataRoundState.GetRound(), true
	case *consensuspb.WALMessage_TimeoutInfo:
		return sum.TimeoutInfo.GetHeight(), sum.TimeoutInfo.GetRound(), true
	case *consensuspb.WALMessage_EndHeight:
		return sum.EndHeight.GetHeight(), 0, false
	case *consensuspb.WALMessage_MsgInfo:
		if sum.MsgInfo == nil {
			return 0, 0, false
		}
		switch msg := sum.MsgInfo.Msg.Sum.(type) {
		case *consensuspb.Message_Proposal:
			p := msg.Proposal.GetProposal()
			return p.Height, p.Round, true
		case *consensuspb.Message_BlockPart:
			return msg.BlockPart.GetHeight(), msg.BlockPart.GetRound(), true
		case *consensuspb.Message_Vote:
			return msg.Vote.GetVote().GetHeight(), msg.Vote.GetVote().GetRound(), true
		case *consensuspb.Message_VoteSetMaj23:
			return msg.VoteSetMaj23.GetHeight(), msg.VoteSetMaj23.GetRound(), true
		}
	}
	return 0, 0, false
}

// Dump prints the records of the WAL file at path that filter selects, one per line, in the
// form of FormatRecord. A damaged record is always printed, as a line starting with "!!" that
// describes it in plain words; decoding goes on after it while the framing survives. Dump
// returns the first damage (a *CorruptionError) after printing everything readable, an error
// from w, or nil.
func Dump(w io.Writer, path string, filter Filter) error {
	var first *CorruptionError
	var writeErr error
	err := scanFile(path, func(msg *consensuspb.TimedWALMessage) error {
		if !filter.Match(msg.Msg) {
			return nil
		}
		_, writeErr = fmt.Fprintln(w, FormatRecord(msg))
		return writeErr
	}, func(_ int64, damage *CorruptionError) {
		if damage == nil || writeErr != nil {
			return
		}
		if first == nil {
			first = damage
		}
		_, writeErr = fmt.Fprintf(w, "!! %s\n", damage.Error())
	})
	switch {
	case writeErr != nil:
		return fmt.Errorf("wal: dump: %w", writeErr)
	case err != nil:
		return err
	case first != nil:
		return first
	}
	return nil
}

// FormatRecord describes one record on one line: the time it was written, its kind, then its
// height, round and step, the peer it came from ("self" for the node's own) and a summary.
// For example:
//
//	2024-05-01T10:00:00.123456789Z vote         h=5 r=0 peer=1f2e… prevote val=3 addr=A1B2C3D4E5F6 block=0A1B2C3D4E5F
func FormatRecord(msg *consensuspb.TimedWALMessage) string {
	kind := KindOf(msg.Msg)
	return fmt.Sprintf("%s %-12s %s", msg.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"), kind, describe(msg.Msg))
}

func describe(m *consensuspb.WALMessage) string {
	switch sum := m.GetSum().(type) {
	case *consensuspb.WALMessage_EventDataRoundState:
		rs := sum.EventDataRoundState
		return fmt.Sprintf("h=%d r=%d step=%s", rs.Height, rs.Round, rs.Step)
	case *consensuspb.WALMessage_TimeoutInfo:
		t := sum.TimeoutInfo
		return fmt.Sprintf("h=%d r=%d step=%s duration=%s", t.Height, t.Round, stepName(t.Step), t.Duration)
	case *consensuspb.WALMessage_EndHeight:
		return fmt.Sprintf("h=%d", sum.EndHeight.Height)
	case *consensuspb.WALMessage_MsgInfo:
		if sum.MsgInfo != nil {
			return describeMsgInfo(sum.MsgInfo)
		}
	}
	return "(no message)"
}

func describeMsgInfo(info *consensuspb.MsgInfo) string {
	from := "self"
	if info.PeerID != "" {
		from = "peer=" + info.PeerID
	}
	switch msg := info.Msg.Sum.(type) {
	case *consensuspb.Message_Proposal:
		p := msg.Proposal.GetProposal()
		return fmt.Sprintf("h=%d r=%d %s pol_round=%d block=%s time=%s sig=%s",
			p.Height, p.Round, from, p.PolRound, blockID(p.BlockID), p.Timestamp.UTC().Format(time.RFC3339Nano), short(p.Signature))
	case *consensuspb.Message_BlockPart:
		bp, part := msg.BlockPart, msg.BlockPart.GetPart()
		return fmt.Sprintf("h=%d r=%d %s index=%d of %d bytes=%d",
			bp.GetHeight(), bp.GetRound(), from, part.Index, part.Proof.Total, len(part.Bytes))
	case *consensuspb.Message_Vote:
		v := msg.Vote.GetVote()
		if v == nil {
			return from + " (empty vote)"
		}
		s := fmt.Sprintf("h=%d r=%d %s %s val=%d addr=%s block=%s time=%s",
			v.Height, v.Round, from, voteType(v.Type), v.ValidatorIndex, short(v.ValidatorAddress),
			blockID(v.BlockID), v.Timestamp.UTC().Format(time.RFC3339Nano))
		if len(v.Extension) > 0 {
			s += fmt.Sprintf(" ext=%dB", len(v.Extension))
		}
		return s
	case *consensuspb.Message_VoteSetMaj23:
		c := msg.VoteSetMaj23
		if c == nil {
			return from + " (empty claim)"
		}
		return fmt.Sprintf("h=%d r=%d %s %s block=%s", c.Height, c.Round, from, voteType(c.Type), blockID(c.BlockID))
	case nil:
		return from + " (no consensus message)"
	}
	name := fmt.Sprintf("%T", info.Msg.Sum)
	return from + " " + strings.TrimPrefix(name, "*consensus.Message_")
}

func stepName(step uint32) string {
	if step > 255 {
		return fmt.Sprintf("RoundStepUnknown(%d)", step)
	}
	return core.Step(step).String()
}

func voteType(t tmproto.SignedMsgType) string {
	switch t {
	case tmproto.PrevoteType:
		return "prevote"
	case tmproto.PrecommitType:
		return "precommit"
	}
	return fmt.Sprintf("vote-type-%d", t)
}

func blockID(id tmproto.BlockID) string {
	if len(id.Hash) == 0 && id.PartSetHeader.Total == 0 && len(id.PartSetHeader.Hash) == 0 {
		return "nil"
	}
	return fmt.Sprintf("%s:%d:%s", short(id.Hash), id.PartSetHeader.Total, short(id.PartSetHeader.Hash))
}

// short returns the first six bytes of b in upper-case hex, as CometBFT's logs show hashes.
func short(b []byte) string {
	if len(b) > 6 {
		b = b[:6]
	}
	return fmt.Sprintf("%X", b)
}
