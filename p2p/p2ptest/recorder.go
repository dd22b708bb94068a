package p2ptest

import (
	gogotypes "github.com/cosmos/gogoproto/types"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
)

// TestChannel is the channel of a Recorder made by NewRecorder: its messages are
// google.protobuf.BytesValue.
const TestChannel byte = 0x7f

// Removal is a RemovePeer call seen by a Recorder.
type Removal struct {
	Peer   p2p.Peer
	Reason error
}

// Recorder is a reactor for tests that reports what the switch does to it on channels: every
// AddPeer on Added, RemovePeer on Removed, Receive on Received. The channels are buffered (4096);
// a test that lets one fill up stalls the switch's call, as a slow reactor would (and then the
// switch cannot stop: drain what the test makes a peer send in bulk).
type Recorder struct {
	Descs    []p2p.ChannelDescriptor
	Added    chan p2p.Peer
	Removed  chan Removal
	Received chan p2p.Envelope
}

var _ p2p.Reactor = (*Recorder)(nil)

// NewRecorder returns a Recorder on TestChannel.
func NewRecorder() *Recorder {
	return NewRecorderOn(p2p.ChannelDescriptor{
		ChannelDescriptor: conn.ChannelDescriptor{ID: TestChannel, Priority: 1, SendQueueCapacity: 100, RecvMessageCapacity: 1 << 20},
		MessageType:       &gogotypes.BytesValue{},
	})
}

// NewRecorderOn returns a Recorder on the given channels.
func NewRecorderOn(descs ...p2p.ChannelDescriptor) *Recorder {
	return &Recorder{
		Descs:    descs,
		Added:    make(chan p2p.Peer, 4096),
		Removed:  make(chan Removal, 4096),
		Received: make(chan p2p.Envelope, 4096),
	}
}

// Channels implements p2p.Reactor.
func (r *Recorder) Channels() []p2p.ChannelDescriptor { return r.Descs }

// AddPeer implements p2p.Reactor.
func (r *Recorder) AddPeer(peer p2p.Peer) { r.Added <- peer }

// RemovePeer implements p2p.Reactor.
func (r *Recorder) RemovePeer(peer p2p.Peer, reason error) { r.Removed <- Removal{peer, reason} }

// Receive implements p2p.Reactor.
func (r *Recorder) Receive(e p2p.Envelope) { r.Received <- e }

// Bytes returns an envelope for a Recorder's TestChannel carrying b.
func Bytes(b []byte) p2p.Envelope {
	return p2p.Envelope{ChannelID: TestChannel, Message: &gogotypes.BytesValue{Value: b}}
}
