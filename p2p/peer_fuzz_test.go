package p2p

import (
	"context"
	"errors"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	gogotypes "github.com/cosmos/gogoproto/types"

	"github.com/ballot-bft/ballot/p2p/conn"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	csproto "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	memproto "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
	ssproto "github.com/ballot-bft/ballot/proto/tendermint/statesync"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// countingReactor counts the messages it receives.
type countingReactor struct {
	descs    []ChannelDescriptor
	received []Envelope
}

func (r *countingReactor) Channels() []ChannelDescriptor { return r.descs }
func (r *countingReactor) AddPeer(Peer)                  {}
func (r *countingReactor) RemovePeer(Peer, error)        {}
func (r *countingReactor) Receive(e Envelope)            { r.received = append(r.received, e) }

// fuzzChannels are the channels of every reactor, with their wire types (fact sheet §6).
var fuzzChannels = []struct {
	id  byte
	msg proto.Message
}{
	{0x00, &tmp2p.Message{}},
	{0x20, &csproto.Message{}},
	{0x21, &csproto.Message{}},
	{0x30, &memproto.Message{}},
	{0x38, &tmproto.EvidenceList{}},
	{0x40, &bcproto.Message{}},
	{0x60, &ssproto.Message{}},
	{0x7f, &gogotypes.BytesValue{}},
}

// newFuzzPeer returns a peer with fuzzChannels, past AddPeer, without a connection.
func newFuzzPeer() (*peer, *countingReactor) {
	r := &countingReactor{}
	for _, c := range fuzzChannels {
		r.descs = append(r.descs, ChannelDescriptor{ChannelDescriptor: conn.ChannelDescriptor{ID: c.id}, MessageType: c.msg})
	}
	table := &channelTable{}
	for i := range r.descs {
		d := r.descs[i]
		table.descs[d.ID] = &d
		table.reactors[d.ID] = r
	}
	p := &peer{info: NodeInfo{ID: "fuzz"}, channels: table, ready: make(chan struct{}), done: make(chan struct{})}
	p.ctx, p.cancel = context.WithCancelCause(context.Background())
	close(p.ready)
	return p, r
}

// FuzzPeerReceive feeds arbitrary bytes on every channel to the peer's receive path: it must
// either hand the reactor a decoded message or stop the peer with ErrMalformedMessage, and never
// panic.
func FuzzPeerReceive(f *testing.F) {
	f.Add(byte(0), []byte{0x0a, 0x00})                         // PexRequest
	f.Add(byte(1), []byte{0x0a, 0x08, 0x08, 0x05, 0x10, 0x01}) // NewRoundStep
	f.Add(byte(3), []byte{0x0a, 0x04, 0x0a, 0x02, 0x61, 0x62}) // Txs{"ab"}
	f.Add(byte(5), []byte{0x0a, 0x02, 0x08, 0x07})             // BlockRequest{7}
	f.Add(byte(7), []byte{0xff, 0xff})
	f.Add(byte(2), []byte{})
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		ch := fuzzChannels[int(which)%len(fuzzChannels)]
		p, r := newFuzzPeer()
		p.receive(ch.id, data)
		stopped := errors.Is(context.Cause(p.ctx), ErrMalformedMessage)
		switch {
		case len(r.received) == 1 && !stopped:
			e := r.received[0]
			if e.ChannelID != ch.id || e.Src != Peer(p) || e.Message == ch.msg {
				t.Fatalf("bad envelope %+v", e)
			}
		case len(r.received) == 0 && stopped:
		default:
			t.Fatalf("received %d messages, stopped=%v (cause %v)", len(r.received), stopped, context.Cause(p.ctx))
		}
	})
}

func TestReceiveAfterStopIsDropped(t *testing.T) {
	p, r := newFuzzPeer()
	p.stop(errors.New("gone"))
	p.receive(0x7f, nil)
	if len(r.received) != 0 {
		t.Fatal("a stopped peer delivered a message")
	}
}

func TestReceiveGivesAFreshMessageEachTime(t *testing.T) {
	p, r := newFuzzPeer()
	p.receive(0x7f, []byte{0x0a, 0x01, 'a'})
	p.receive(0x7f, []byte{})
	if len(r.received) != 2 {
		t.Fatalf("received %d", len(r.received))
	}
	first := r.received[0].Message.(*gogotypes.BytesValue)
	second := r.received[1].Message.(*gogotypes.BytesValue)
	if first == second || string(first.Value) != "a" || len(second.Value) != 0 {
		t.Fatalf("messages %v, %v", first, second)
	}
}
