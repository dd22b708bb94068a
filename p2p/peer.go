package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p/conn"
)

// ErrMalformedMessage: a peer sent bytes that do not decode into its channel's message type.
var ErrMalformedMessage = errors.New("malformed message")

// ErrPeerClosed is the reason given to reactors for a peer stopped with StopPeerGracefully.
var ErrPeerClosed = errors.New("peer closed")

// ErrSwitchStopped is the reason given to reactors for peers removed because the switch stopped.
var ErrSwitchStopped = errors.New("switch stopped")

// channelTable maps a channel ID to its descriptor and reactor; it is built by AddReactor and
// read-only once the switch runs.
type channelTable struct {
	descs    [256]*ChannelDescriptor
	reactors [256]Reactor
	list     []conn.ChannelDescriptor // in the order added, for the MConnection
}

// peer is the switch's Peer: one authenticated connection and its MConnection.
//
// Lifecycle (driven by Switch.runPeer): the MConnection runs; every reactor's AddPeer is called;
// ready is closed, which lets received messages through to Receive; when the MConnection stops,
// done is closed, then every reactor's RemovePeer is called. Receive is thus never called before
// AddPeer returns nor after RemovePeer starts.
type peer struct {
	mconn      *conn.MConnection
	info       NodeInfo
	outbound   bool
	persistent bool
	socketAddr NetAddress
	remoteAddr net.Addr
	channels   *channelTable
	logger     log.Logger

	ctx    context.Context // ends when the peer is stopped; its cause is the reason
	cancel context.CancelCauseFunc
	ready  chan struct{} // closed once every reactor's AddPeer returned
	done   chan struct{} // closed when the connection has stopped

	metrics *peerMetrics // nil when the switch has no metrics
}

var _ Peer = (*peer)(nil)

// newPeer wraps sc in a peer whose MConnection has the channels of table; ctx bounds its life.
func newPeer(ctx context.Context, sc net.Conn, info NodeInfo, outbound, persistent bool, socketAddr NetAddress,
	table *channelTable, cfg conn.MConnConfig, logger log.Logger) (*peer, error) {
	p := &peer{
		info:       info,
		outbound:   outbound,
		persistent: persistent,
		socketAddr: socketAddr,
		remoteAddr: sc.RemoteAddr(),
		channels:   table,
		logger:     logger.With("peer", info.ID),
		ready:      make(chan struct{}),
		done:       make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancelCause(ctx)
	mconn, err := conn.NewMConnection(sc, table.list, p.receive, func(error) {}, cfg)
	if err != nil {
		p.cancel(err)
		return nil, fmt.Errorf("peer %s: %w", info.ID, err)
	}
	p.mconn = mconn
	return p, nil
}

// ID implements Peer.
func (p *peer) ID() ID { return p.info.ID }

// NodeInfo implements Peer.
func (p *peer) NodeInfo() NodeInfo { return p.info }

// RemoteAddr implements Peer.
func (p *peer) RemoteAddr() net.Addr { return p.remoteAddr }

// SocketAddr implements Peer.
func (p *peer) SocketAddr() *NetAddress {
	addr := p.socketAddr
	return &addr
}

// IsOutbound implements Peer.
func (p *peer) IsOutbound() bool { return p.outbound }

// IsPersistent implements Peer.
func (p *peer) IsPersistent() bool { return p.persistent }

// Done implements Peer.
func (p *peer) Done() <-chan struct{} { return p.done }

// String names the peer in logs.
func (p *peer) String() string {
	dir := "in"
	if p.outbound {
		dir = "out"
	}
	return fmt.Sprintf("Peer{%s %s %s}", p.info.ID, p.socketAddr.DialString(), dir)
}

// Send implements Peer: it encodes e.Message and queues it, waiting up to the connection's send
// timeout for room. It reports false if the peer does not use the channel, the message does not
// encode, or it was not queued.
func (p *peer) Send(e Envelope) bool {
	b, ok := p.encode(e)
	if !ok || !p.mconn.Send(e.ChannelID, b) {
		return false
	}
	p.metrics.sentMsg(e.ChannelID, e.Message, len(b))
	return true
}

// TrySend implements Peer; it never blocks.
func (p *peer) TrySend(e Envelope) bool {
	b, ok := p.encode(e)
	if !ok || !p.mconn.TrySend(e.ChannelID, b) {
		return false
	}
	p.metrics.sentMsg(e.ChannelID, e.Message, len(b))
	return true
}

// encode returns the bytes to send for e, or false if e cannot go to this peer.
func (p *peer) encode(e Envelope) ([]byte, bool) {
	if !p.info.HasChannel(e.ChannelID) || e.Message == nil {
		return nil, false
	}
	b, err := proto.Marshal(e.Message)
	if err != nil {
		p.logger.Error("Cannot encode message", "channel", e.ChannelID, "err", err)
		return nil, false
	}
	return b, true
}

// sendBytes queues already encoded bytes without blocking (Broadcast's path).
func (p *peer) sendBytes(chID byte, b []byte) bool {
	return p.info.HasChannel(chID) && p.mconn.TrySend(chID, b)
}

// stop disconnects the peer with reason (the first reason given wins). It does not wait.
func (p *peer) stop(reason error) { p.cancel(reason) }

// status returns the connection's monitoring snapshot.
func (p *peer) status() conn.ConnectionStatus { return p.mconn.Status() }

// receive is the MConnection's ReceiveFunc: it decodes msg into a fresh message of the channel's
// type and hands it to the channel's reactor. Undecodable bytes stop the peer.
func (p *peer) receive(chID byte, msg []byte) {
	select {
	case <-p.ready:
	case <-p.ctx.Done():
		return
	}
	if p.ctx.Err() != nil {
		return // stopped: drop what is still arriving
	}
	desc, reactor := p.channels.descs[chID], p.channels.reactors[chID]
	if desc == nil || reactor == nil {
		// The MConnection delivers only on its channels, which all come from the table.
		panic(fmt.Sprintf("p2p: message on channel %#02x that has no reactor", chID))
	}
	m := newMessage(desc.MessageType)
	if err := proto.Unmarshal(msg, m); err != nil {
		p.stop(fmt.Errorf("%w on channel %#02x: %v", ErrMalformedMessage, chID, err))
		return
	}
	p.metrics.receivedMsg(chID, m, len(msg))
	reactor.Receive(Envelope{Src: p, ChannelID: chID, Message: m})
}

// newMessage returns a new zero message of the same type as prototype (a non-nil pointer, as
// AddReactor checks).
func newMessage(prototype proto.Message) proto.Message {
	return reflect.New(reflect.TypeOf(prototype).Elem()).Interface().(proto.Message)
}
