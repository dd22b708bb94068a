package p2p

import (
	"net"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/p2p/conn"
)

// ChannelDescriptor describes a channel a reactor uses. MessageType is the wire message of the
// channel (a pointer to a gogoproto message, e.g. &consensuspb.Message{}): the switch decodes each
// received message into a fresh one of that type before handing it to the reactor.
type ChannelDescriptor struct {
	conn.ChannelDescriptor
	MessageType proto.Message
}

// Envelope is one message on a channel: received from Src, or to be sent to a peer.
type Envelope struct {
	Src       Peer // the sender; nil for a message being sent
	ChannelID byte
	Message   proto.Message
}

// Reactor handles the messages of some channels (consensus, mempool, evidence, blocksync, PEX).
//
// Contract: the switch calls AddPeer once a peer is connected and its connection runs, and
// RemovePeer once when it is gone; Receive is called from the peer's receive goroutine, one
// message at a time per peer, for messages that decoded into the channel's MessageType. None of
// them may block for long: a reactor hands work to its own goroutines (one per peer for sending,
// woken by channels — never sleep-polling). A reactor that finds a message invalid calls
// Switch.StopPeerForError.
type Reactor interface {
	Channels() []ChannelDescriptor
	AddPeer(peer Peer)
	RemovePeer(peer Peer, reason error)
	Receive(e Envelope)
}

// Peer is a connected peer as reactors see it. Its methods are safe for concurrent use.
type Peer interface {
	ID() ID
	NodeInfo() NodeInfo
	RemoteAddr() net.Addr
	// SocketAddr is the address the peer is reachable on (for outbound peers, the one dialed).
	SocketAddr() *NetAddress
	IsOutbound() bool
	IsPersistent() bool
	// Send queues a message, waiting (bounded by the connection's send timeout) for room; it
	// reports false if the message was not queued (the peer is gone or stuck).
	Send(e Envelope) bool
	// TrySend queues a message if there is room right away.
	TrySend(e Envelope) bool
	// Done is closed when the peer has stopped.
	Done() <-chan struct{}
}

// Switch is what reactors may ask of the switch that runs them.
type Switch interface {
	// Peers returns the connected peers.
	Peers() []Peer
	// Broadcast sends e to every connected peer (TrySend semantics per peer; it never blocks).
	Broadcast(e Envelope)
	// StopPeerForError disconnects peer because of err (a persistent peer is dialed again later).
	StopPeerForError(peer Peer, err error)
}
