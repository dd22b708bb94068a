package reactor

import (
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/bits"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	pbits "github.com/ballot-bft/ballot/proto/tendermint/libs/bits"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// The wire vectors of p2p.md §7.1.
func TestWireVectors(t *testing.T) {
	for _, tc := range []struct {
		msg  message
		want string
	}{
		{newRoundStep{HRS: core.HRS{Height: 5, Round: 1, Step: core.StepPropose}, SecondsSinceStartTime: 2, LastCommitRound: 0}, "0a080805100118032002"},
		{hasVote{Height: 5, Round: 1, Type: types.PrevoteType, Index: 2}, "3a080805100118012002"},
	} {
		bz, err := tc.msg.toProto().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(bz); got != tc.want {
			t.Errorf("%T encodes as %s, want %s", tc.msg, got, tc.want)
		}
		var pb consensuspb.Message
		if err := pb.Unmarshal(bz); err != nil {
			t.Fatal(err)
		}
		got, err := decodeMessage(&pb)
		if err != nil {
			t.Fatalf("decoding %s: %v", tc.want, err)
		}
		if !reflect.DeepEqual(got, tc.msg) {
			t.Errorf("%s decodes as %+v, want %+v", tc.want, got, tc.msg)
		}
	}
}

// validMessages returns one valid message of each type.
func validMessages(f *fixture) []message {
	parts := testParts(2)
	id := blockID("b", 2)
	pol := bits.New(4)
	pol.SetIndex(1, true)
	return []message{
		newRoundStep{HRS: core.HRS{Height: 2, Round: 1, Step: core.StepPrevote}, SecondsSinceStartTime: -3, LastCommitRound: 0},
		newValidBlock{Height: 2, Round: 1, PartsHeader: parts.Header(), Parts: parts.BitArray(), IsCommit: true},
		proposalMessage{Proposal: f.withProposal(f.view(2, 1, core.StepPropose), parts, 0).Proposal},
		proposalPOL{Height: 2, POLRound: 0, POL: pol},
		blockPartMessage{Height: 2, Round: 1, Part: parts.GetPart(1)},
		voteMessage{Vote: f.vote(2, 1, types.PrecommitType, 3, id)},
		hasVote{Height: 2, Round: 1, Type: types.PrecommitType, Index: 3},
		voteSetMaj23{Height: 2, Round: 1, Type: types.PrevoteType, BlockID: id},
		voteSetBits{Height: 2, Round: 1, Type: types.PrevoteType, BlockID: id, Votes: pol},
		voteSetBits{Height: 2, Round: 1, Type: types.PrevoteType, BlockID: types.BlockID{}},
	}
}

// Every message survives the wire unchanged.
func TestMessagesRoundTrip(t *testing.T) {
	f := newFixture(t)
	for _, msg := range validMessages(f) {
		bz, err := msg.toProto().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var pb consensuspb.Message
		if err := pb.Unmarshal(bz); err != nil {
			t.Fatal(err)
		}
		got, err := decodeMessage(&pb)
		if err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
		again, err := got.toProto().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(again) != hex.EncodeToString(bz) {
			t.Errorf("%T changed on the way: %x, then %x", msg, bz, again)
		}
		if got.channel() != msg.channel() {
			t.Errorf("%T: channel %#x, want %#x", msg, got.channel(), msg.channel())
		}
	}
}

// invalidCase is one message that breaks one rule of p2p.md §7.2.
type invalidCase struct {
	name string
	ch   byte
	msg  *consensuspb.Message
}

func invalidCases(f *fixture) []invalidCase {
	nrs := func(h int64, r int32, step uint32, lcr int32) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_NewRoundStep{NewRoundStep: &consensuspb.NewRoundStep{Height: h, Round: r, Step: step, LastCommitRound: lcr}}}
	}
	psh := tmproto.PartSetHeader{Total: 2, Hash: blockID("x", 2).PartSetHeader.Hash}
	ba := func(n int64, elems int) *pbits.BitArray {
		return &pbits.BitArray{Bits: n, Elems: make([]uint64, elems)}
	}
	nvb := func(h int64, r int32, psh tmproto.PartSetHeader, b *pbits.BitArray) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_NewValidBlock{NewValidBlock: &consensuspb.NewValidBlock{Height: h, Round: r, BlockPartSetHeader: psh, BlockParts: b}}}
	}
	proposal := func(edit func(p *tmproto.Proposal)) *consensuspb.Message {
		p := f.withProposal(f.view(2, 0, core.StepPropose), testParts(2), -1).Proposal.ToProto()
		edit(p)
		return &consensuspb.Message{Sum: &consensuspb.Message_Proposal{Proposal: &consensuspb.Proposal{Proposal: *p}}}
	}
	pol := func(h int64, r int32, b pbits.BitArray) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_ProposalPol{ProposalPol: &consensuspb.ProposalPOL{Height: h, ProposalPolRound: r, ProposalPol: b}}}
	}
	part := func(h int64, r int32, edit func(p *tmproto.Part)) *consensuspb.Message {
		p, _ := testParts(2).GetPart(0).ToProto()
		edit(p)
		return &consensuspb.Message{Sum: &consensuspb.Message_BlockPart{BlockPart: &consensuspb.BlockPart{Height: h, Round: r, Part: *p}}}
	}
	vote := func(v *tmproto.Vote) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_Vote{Vote: &consensuspb.Vote{Vote: v}}}
	}
	unsigned := f.vote(2, 0, types.PrevoteType, 0, types.BlockID{}).ToProto()
	unsigned.Signature = nil
	hv := func(h int64, r int32, typ types.SignedMsgType, i int32) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_HasVote{HasVote: &consensuspb.HasVote{Height: h, Round: r, Type: typ, Index: i}}}
	}
	goodID := blockID("b", 2).ToProto()
	badID := tmproto.BlockID{Hash: []byte{1, 2, 3}}
	maj := func(h int64, r int32, typ types.SignedMsgType, id tmproto.BlockID) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_VoteSetMaj23{VoteSetMaj23: &consensuspb.VoteSetMaj23{Height: h, Round: r, Type: typ, BlockID: id}}}
	}
	vsb := func(h int64, typ types.SignedMsgType, id tmproto.BlockID, b pbits.BitArray) *consensuspb.Message {
		return &consensuspb.Message{Sum: &consensuspb.Message_VoteSetBits{VoteSetBits: &consensuspb.VoteSetBits{Height: h, Round: 0, Type: typ, BlockID: id, Votes: b}}}
	}
	pv, pc := types.PrevoteType, types.PrecommitType
	return []invalidCase{
		{"NewRoundStep negative height", StateChannel, nrs(-1, 0, 1, -1)},
		{"NewRoundStep negative round", StateChannel, nrs(2, -1, 1, 0)},
		{"NewRoundStep step 0", StateChannel, nrs(2, 0, 0, 0)},
		{"NewRoundStep step 9", StateChannel, nrs(2, 0, 9, 0)},
		{"NewRoundStep step 257 (not truncated to 1)", StateChannel, nrs(2, 0, 257, 0)},
		{"NewRoundStep last commit round -2", StateChannel, nrs(2, 0, 1, -2)},
		{"NewRoundStep below the initial height", StateChannel, nrs(0, 0, 1, -1)},
		{"NewRoundStep initial height with a last commit round", StateChannel, nrs(1, 0, 1, 0)},
		{"NewRoundStep above the initial height without a last commit round", StateChannel, nrs(2, 0, 1, -1)},

		{"NewValidBlock negative height", StateChannel, nvb(-1, 0, psh, ba(2, 1))},
		{"NewValidBlock negative round", StateChannel, nvb(2, -1, psh, ba(2, 1))},
		{"NewValidBlock bad part set header", StateChannel, nvb(2, 0, tmproto.PartSetHeader{Total: 2, Hash: []byte{1}}, ba(2, 1))},
		{"NewValidBlock ill-formed bit array", StateChannel, nvb(2, 0, psh, ba(2, 0))},
		{"NewValidBlock empty bit array", StateChannel, nvb(2, 0, psh, nil)},
		{"NewValidBlock bit array size differs from the total", StateChannel, nvb(2, 0, psh, ba(3, 1))},
		{"NewValidBlock more than 1601 parts", StateChannel, nvb(2, 0, tmproto.PartSetHeader{Total: 1602, Hash: psh.Hash}, ba(1602, 26))},

		{"Proposal fails ValidateBasic", DataChannel, proposal(func(p *tmproto.Proposal) { p.Signature = nil })},
		{"Proposal with more parts than block.max_bytes allows", DataChannel, proposal(func(p *tmproto.Proposal) { p.BlockID.PartSetHeader.Total = 337 })},

		{"ProposalPOL negative height", DataChannel, pol(-1, 0, *ba(4, 1))},
		{"ProposalPOL negative POL round", DataChannel, pol(2, -1, *ba(4, 1))},
		{"ProposalPOL ill-formed bit array", DataChannel, pol(2, 0, *ba(4, 2))},
		{"ProposalPOL empty bit array", DataChannel, pol(2, 0, pbits.BitArray{})},
		{"ProposalPOL more than 10000 bits", DataChannel, pol(2, 0, *ba(10001, 157))},

		{"BlockPart negative height", DataChannel, part(-1, 0, func(*tmproto.Part) {})},
		{"BlockPart negative round", DataChannel, part(2, -1, func(*tmproto.Part) {})},
		{"BlockPart fails ValidateBasic", DataChannel, part(2, 0, func(p *tmproto.Part) { p.Index = 1 })},

		{"Vote without a vote", VoteChannel, vote(nil)},
		{"Vote fails ValidateBasic", VoteChannel, vote(unsigned)},

		{"HasVote negative height", StateChannel, hv(-1, 0, pv, 0)},
		{"HasVote negative round", StateChannel, hv(2, -1, pv, 0)},
		{"HasVote proposal type", StateChannel, hv(2, 0, types.ProposalType, 0)},
		{"HasVote negative index", StateChannel, hv(2, 0, pc, -1)},

		{"VoteSetMaj23 negative height", StateChannel, maj(-1, 0, pv, goodID)},
		{"VoteSetMaj23 negative round", StateChannel, maj(2, -1, pv, goodID)},
		{"VoteSetMaj23 unknown type", StateChannel, maj(2, 0, 3, goodID)},
		{"VoteSetMaj23 bad block ID", StateChannel, maj(2, 0, pc, badID)},

		{"VoteSetBits negative height", VoteSetBitsChannel, vsb(-1, pv, goodID, *ba(4, 1))},
		{"VoteSetBits unknown type", VoteSetBitsChannel, vsb(2, 0, goodID, *ba(4, 1))},
		{"VoteSetBits bad block ID", VoteSetBitsChannel, vsb(2, pc, badID, *ba(4, 1))},
		{"VoteSetBits ill-formed bit array", VoteSetBitsChannel, vsb(2, pc, goodID, *ba(4, 3))},
		{"VoteSetBits more than 10000 bits", VoteSetBitsChannel, vsb(2, pc, goodID, *ba(10001, 157))},
	}
}

// Each stateless rule of p2p.md §7.2, broken, disconnects the peer that sent the message.
func TestInvalidMessagesDisconnect(t *testing.T) {
	f := newFixture(t)
	for _, tc := range invalidCases(f) {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, f, f.view(2, 0, core.StepPropose))
				p := h.addPeer("peer")
				h.receiveOn(p, tc.ch, tc.msg)
				synctest.Wait()
				err, stopped := h.sw.stoppedErr(p.ID())
				if !stopped {
					t.Fatal("the peer was not disconnected")
				}
				if !errors.Is(err, ErrInvalidMessage) {
					t.Errorf("disconnected with %v, want an ErrInvalidMessage", err)
				}
				if got := h.cons.takeDelivered(); len(got) != 0 {
					t.Errorf("the invalid message reached consensus: %v", got)
				}
				// Whatever else the peer sends is ignored.
				h.receive(p, voteMessage{Vote: f.vote(2, 0, types.PrevoteType, 1, types.BlockID{})})
				if got := h.cons.takeDelivered(); len(got) != 0 {
					t.Errorf("a stopped peer's vote reached consensus: %v", got)
				}
			})
		})
	}
}

// Valid messages, unknown message types and messages on the wrong channel don't disconnect.
func TestValidAndUnknownMessagesKeepThePeer(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, f, f.view(2, 1, core.StepPrevote))
		p := h.addPeer("peer")
		for _, msg := range validMessages(f) {
			h.receive(p, msg)
		}
		h.receiveOn(p, StateChannel, &consensuspb.Message{})                                                       // no oneof member
		h.receiveOn(p, StateChannel, validMessages(f)[5].toProto())                                                // a Vote on the State channel
		h.receiveOn(p, VoteChannel, newRoundStep{HRS: core.HRS{Height: 3, Step: 1}, LastCommitRound: 0}.toProto()) // and vice versa
		synctest.Wait()
		if err, stopped := h.sw.stoppedErr(p.ID()); stopped {
			t.Fatalf("the peer was disconnected: %v", err)
		}
	})
}

// Decoding never panics, and whatever decodes re-encodes to a message that decodes the same.
func FuzzDecodeMessage(f *testing.F) {
	fx := newFixture(&testing.T{})
	for _, msg := range validMessages(fx) {
		bz, err := msg.toProto().Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	for _, tc := range invalidCases(fx) {
		bz, err := tc.msg.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		var pb consensuspb.Message
		if err := pb.Unmarshal(bz); err != nil {
			return
		}
		msg, err := decodeMessage(&pb)
		if err != nil {
			return
		}
		if nrs, ok := msg.(newRoundStep); ok {
			_ = nrs.validateHeight(1)
		}
		if p, ok := msg.(proposalMessage); ok {
			_ = validateProposalParts(p.Proposal, 22020096)
		}
		again, err := msg.toProto().Marshal()
		if err != nil {
			t.Fatalf("re-encoding %T: %v", msg, err)
		}
		var pb2 consensuspb.Message
		if err := pb2.Unmarshal(again); err != nil {
			t.Fatalf("re-decoding %T: %v", msg, err)
		}
		msg2, err := decodeMessage(&pb2)
		if err != nil {
			t.Fatalf("%T decoded, but its re-encoding fails: %v", msg, err)
		}
		if reflect.TypeOf(msg2) != reflect.TypeOf(msg) {
			t.Fatalf("%T re-decoded as %T", msg, msg2)
		}
	})
}
