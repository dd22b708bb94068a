package wal

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestInputRoundTrip(t *testing.T) {
	for _, in := range everyInput(t, 8) {
		m, err := MessageFromInput(in)
		if err != nil {
			t.Fatalf("%T: %v", in, err)
		}
		// Through the record encoding, as replay sees it.
		stream, _ := encodeAll(t, []*consensuspb.WALMessage{m})
		rec, err := NewDecoder(bytes.NewReader(stream)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := InputFromMessage(rec.Msg)
		if err != nil {
			t.Fatalf("%T back: %v", in, err)
		}
		again, err := MessageFromInput(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(marshal(t, again), marshal(t, m)) {
			t.Fatalf("%T changed in the round trip:\n%v\n%v", in, m, again)
		}
		switch in := in.(type) {
		case core.VoteMessage:
			got := back.(core.VoteMessage)
			if got.From != in.From || !bytes.Equal(got.Vote.Extension, in.Vote.Extension) || !got.Vote.Timestamp.Equal(in.Vote.Timestamp) {
				t.Fatalf("vote %v from %q came back as %v from %q", in.Vote, in.From, got.Vote, got.From)
			}
		case core.TimeoutFired:
			if back != in {
				t.Fatalf("timeout %v came back as %v", in, back)
			}
		case core.BlockPartMessage:
			got := back.(core.BlockPartMessage)
			if got.Height != in.Height || got.Round != in.Round || !bytes.Equal(got.Part.Bytes, in.Part.Bytes) || got.From != in.From {
				t.Fatalf("part %v came back as %v", in, got)
			}
		case core.PeerMaj23:
			got := back.(core.PeerMaj23)
			if got.Height != in.Height || got.Round != in.Round || got.Type != in.Type || !got.BlockID.Equals(in.BlockID) || got.From != in.From {
				t.Fatalf("claim %+v came back as %+v", in, got)
			}
		case core.ProposalMessage:
			got := back.(core.ProposalMessage)
			if got.From != in.From || got.Proposal.String() != in.Proposal.String() {
				t.Fatalf("proposal %v from %q came back as %v from %q", in.Proposal, in.From, got.Proposal, got.From)
			}
		}
	}
}

func TestPeerIDAndTimeoutFields(t *testing.T) {
	m, err := MessageFromInput(core.VoteMessage{Vote: testVote(3, 1, 0), From: "d2f5e0c7"})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.GetMsgInfo().PeerID; got != "d2f5e0c7" {
		t.Fatalf("peer_id %q", got)
	}
	m, err = MessageFromInput(core.TimeoutFired{Height: 3, Round: 2, Step: core.StepPrecommitWait})
	if err != nil {
		t.Fatal(err)
	}
	ti := m.GetTimeoutInfo()
	if ti.Height != 3 || ti.Round != 2 || ti.Step != 7 || ti.Duration != 0 {
		t.Fatalf("timeout info %v", ti)
	}
}

func TestInputsNotWritten(t *testing.T) {
	for _, in := range []core.Input{
		core.TxsAvailable{},
		core.TxsBacklog{Height: 2},
		core.ProposalBlockBuilt{Height: 1},
		core.ProposalProcessed{Height: 1, Accepted: true},
		core.Committed{},
	} {
		if m, err := MessageFromInput(in); !errors.Is(err, ErrNotLogged) {
			t.Errorf("%T was converted to %v, %v; want ErrNotLogged", in, m, err)
		}
	}
	if m, err := MessageFromInput(nil); err == nil || errors.Is(err, ErrNotLogged) {
		t.Errorf("a nil input: %v, %v; want an error other than ErrNotLogged", m, err)
	}
	if _, err := MessageFromInput(core.VoteMessage{}); err == nil {
		t.Error("a vote message without a vote was converted")
	}
	if _, err := MessageFromInput(core.BlockPartMessage{Height: 1}); err == nil {
		t.Error("a block part message without a part was converted")
	}
}

func TestInputFromMessageRejects(t *testing.T) {
	for _, m := range []*consensuspb.WALMessage{RoundState(1, 0, "RoundStepPropose"), EndHeight(1),
		{Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{Msg: consensuspb.Message{
			Sum: &consensuspb.Message_HasVote{HasVote: &consensuspb.HasVote{Height: 1}}}}}},
	} {
		if _, err := InputFromMessage(m); !errors.Is(err, ErrNotInput) {
			t.Errorf("%s: %v, want ErrNotInput", KindOf(m), err)
		}
	}

	badVote := testVote(1, 0, 0)
	badVote.Signature = nil
	badVoteMsg, err := MessageFromInput(core.VoteMessage{Vote: badVote, From: "p"})
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]*consensuspb.WALMessage{
		"nil":          nil,
		"empty":        {},
		"unsigned":     badVoteMsg,
		"step 0":       {Sum: &consensuspb.WALMessage_TimeoutInfo{TimeoutInfo: &consensuspb.TimeoutInfo{Height: 1, Step: 0}}},
		"step 9":       {Sum: &consensuspb.WALMessage_TimeoutInfo{TimeoutInfo: &consensuspb.TimeoutInfo{Height: 1, Step: 9}}},
		"step 257":     {Sum: &consensuspb.WALMessage_TimeoutInfo{TimeoutInfo: &consensuspb.TimeoutInfo{Height: 1, Step: 257}}},
		"no vote":      {Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{Msg: consensuspb.Message{Sum: &consensuspb.Message_Vote{Vote: &consensuspb.Vote{}}}}}},
		"empty msg":    {Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{}}},
		"neg part":     {Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{Msg: consensuspb.Message{Sum: &consensuspb.Message_BlockPart{BlockPart: &consensuspb.BlockPart{Height: -1}}}}}},
		"no claim":     {Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{Msg: consensuspb.Message{Sum: &consensuspb.Message_VoteSetMaj23{}}}}},
		"claim type":   maj23Message(&consensuspb.VoteSetMaj23{Height: 1, Type: tmproto.ProposalType}),
		"claim round":  maj23Message(&consensuspb.VoteSetMaj23{Height: 1, Round: -1, Type: tmproto.PrevoteType}),
		"claim id":     maj23Message(&consensuspb.VoteSetMaj23{Height: 1, Type: tmproto.PrecommitType, BlockID: tmproto.BlockID{Hash: []byte{1, 2, 3}}}),
		"bad proposal": {Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{Msg: consensuspb.Message{Sum: &consensuspb.Message_Proposal{Proposal: &consensuspb.Proposal{}}}}}},
	}
	for name, m := range bad {
		in, err := InputFromMessage(m)
		if err == nil || errors.Is(err, ErrNotInput) {
			t.Errorf("%s: %v, %v; want an error", name, in, err)
		}
	}
	if _, err := InputFromMessage(badVoteMsg); !errors.Is(err, types.ErrInvalidVote) || !strings.Contains(err.Error(), `"p"`) {
		t.Errorf("unsigned vote: %v, want ErrInvalidVote naming the peer", err)
	}
}

func maj23Message(c *consensuspb.VoteSetMaj23) *consensuspb.WALMessage {
	return &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{
		PeerID: "p", Msg: consensuspb.Message{Sum: &consensuspb.Message_VoteSetMaj23{VoteSetMaj23: c}},
	}}}
}

// A peer's +2/3 claim is logged as CometBFT's VoteSetMaj23 message, with the peer's ID, and
// comes back as the same claim; a nil claim (a vote set's own majority) round-trips too.
func TestPeerMaj23Record(t *testing.T) {
	for _, in := range []core.PeerMaj23{
		{Height: 7, Round: 2, Type: types.PrecommitType, BlockID: testBlockID(), From: "b1c2"},
		{Height: 7, Round: 0, Type: types.PrevoteType, From: "b1c2"},
	} {
		m, err := MessageFromInput(in)
		if err != nil {
			t.Fatal(err)
		}
		info := m.GetMsgInfo()
		c := info.Msg.GetVoteSetMaj23()
		if info.PeerID != "b1c2" || c == nil || c.Height != 7 || c.Round != in.Round || c.Type != in.Type ||
			!bytes.Equal(c.BlockID.Hash, in.BlockID.Hash) || c.BlockID.PartSetHeader.Total != in.BlockID.PartSetHeader.Total {
			t.Fatalf("claim %+v logged as %v", in, m)
		}
		if KindOf(m) != KindMaj23 {
			t.Fatalf("kind %s", KindOf(m))
		}
		back, err := InputFromMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := back.(core.PeerMaj23)
		if !ok || got.Height != in.Height || got.Round != in.Round || got.Type != in.Type || !got.BlockID.Equals(in.BlockID) || got.From != in.From {
			t.Fatalf("claim %+v came back as %+v", in, back)
		}
	}
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(string(k))
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := ParseKind("votes"); err == nil {
		t.Error("ParseKind accepted an unknown kind")
	}
	hasVote := &consensuspb.TimedWALMessage{Time: baseTime, Msg: &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_MsgInfo{
		MsgInfo: &consensuspb.MsgInfo{PeerID: "p", Msg: consensuspb.Message{Sum: &consensuspb.Message_HasVote{HasVote: &consensuspb.HasVote{Height: 4}}}},
	}}}
	if KindOf(hasVote.Msg) != KindOther || !strings.HasSuffix(FormatRecord(hasVote), "other_message peer=p HasVote") {
		t.Errorf("a HasVote record: %s, %q", KindOf(hasVote.Msg), FormatRecord(hasVote))
	}
	if KindOf(nil) != KindEmpty || KindOf(&consensuspb.WALMessage{}) != KindEmpty {
		t.Error("empty messages have a kind")
	}
}
