package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/p2p/conn"
)

// Peers implements Switch: the connected peers whose reactors have all been told (AddPeer
// returned), in the order they connected. The slice is the caller's.
func (sw *PeerSwitch) Peers() []Peer {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	out := make([]Peer, 0, len(sw.peerList))
	for _, p := range sw.peerList {
		if isClosed(p.ready) {
			out = append(out, p)
		}
	}
	return out
}

// Peer returns the connected peer with id, if any (see Peers).
func (sw *PeerSwitch) Peer(id ID) (Peer, bool) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	p, ok := sw.peers[id]
	if !ok || !isClosed(p.ready) {
		return nil, false
	}
	return p, true
}

// PeersChanged returns a channel that is closed at the next change of Peers (a peer added, with
// every reactor told, or removed). To wait for a condition on the peers without missing a
// change: take the channel, check the condition, then wait on the channel.
func (sw *PeerSwitch) PeersChanged() <-chan struct{} {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.changed
}

// notifyChangedLocked wakes PeersChanged waiters; sw.mu must be held.
func (sw *PeerSwitch) notifyChangedLocked() {
	close(sw.changed)
	sw.changed = make(chan struct{})
}

// NumPeers returns how many peers are connected outbound and inbound, unconditional peers not
// counted (they are exempt from the limits), and how many dials are in progress.
func (sw *PeerSwitch) NumPeers() (outbound, inbound, dialing int) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	for _, p := range sw.peerList {
		if _, ok := sw.unconditional[p.info.ID]; ok {
			continue
		}
		if p.outbound {
			outbound++
		} else {
			inbound++
		}
	}
	return outbound, inbound, len(sw.dialing)
}

// MaxNumOutboundPeers is max_num_outbound_peers: how many outbound peers the address book's
// dialer (PEX) aims for. Persistent and unconditional peers are dialed regardless.
func (sw *PeerSwitch) MaxNumOutboundPeers() int { return sw.cfg.MaxNumOutboundPeers }

// IsDialingOrConnected reports whether addr's ID is connected or being dialed, or a peer
// with addr's IP and port is connected.
func (sw *PeerSwitch) IsDialingOrConnected(addr NetAddress) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if _, ok := sw.dialing[addr.ID]; ok {
		return true
	}
	for _, p := range sw.peerList {
		if p.socketAddr.Same(addr) {
			return true
		}
	}
	return false
}

// Broadcast implements Switch: e.Message is encoded once and queued with TrySend to every peer
// that uses the channel. It never blocks; a peer whose queue is full misses the message.
func (sw *PeerSwitch) Broadcast(e Envelope) {
	if e.Message == nil {
		return
	}
	b, err := proto.Marshal(e.Message)
	if err != nil {
		sw.logger.Error("Cannot encode broadcast message", "channel", e.ChannelID, "err", err)
		return
	}
	var byType metrics.Counter
	if sw.metricsOn {
		byType = sw.messages.of(e.Message)[0]
	}
	for _, p := range sw.Peers() {
		if pp := p.(*peer); pp.sendBytes(e.ChannelID, b) {
			pp.metrics.sentBytes(e.ChannelID, byType, len(b))
		}
	}
}

// StopPeerForError implements Switch: it disconnects peer (if it is still connected) with reason
// err, without waiting. Reactors then get RemovePeer(peer, err); a persistent peer is redialed.
func (sw *PeerSwitch) StopPeerForError(peer Peer, err error) {
	if peer == nil {
		return
	}
	if err == nil {
		err = errors.New("stopped without a reason")
	}
	sw.mu.Lock()
	p, ok := sw.peers[peer.ID()]
	sw.mu.Unlock()
	if !ok || Peer(p) != peer {
		return
	}
	sw.logger.Debug("Stopping peer for error", "peer", p, "err", err)
	p.stop(err)
}

// StopPeerGracefully disconnects peer (if it is still connected) once the messages queued to it
// so far are sent, without waiting. Reactors then get RemovePeer(peer, ErrPeerClosed).
func (sw *PeerSwitch) StopPeerGracefully(peer Peer) {
	if peer == nil {
		return
	}
	sw.mu.Lock()
	p, ok := sw.peers[peer.ID()]
	sw.mu.Unlock()
	if !ok || Peer(p) != peer {
		return
	}
	sw.logger.Debug("Stopping peer gracefully", "peer", p)
	p.mconn.FlushStop()
}

// MarkPeerAsGood tells the address book that peer has been useful (consensus does so every
// 10000 votes or block parts from it).
func (sw *PeerSwitch) MarkPeerAsGood(peer Peer) {
	if sw.addrBook != nil {
		sw.addrBook.MarkGood(peer.ID())
	}
}

// PeerConnectionStatus returns the connection snapshot of the peer with id (RPC net_info).
func (sw *PeerSwitch) PeerConnectionStatus(id ID) (conn.ConnectionStatus, bool) {
	sw.mu.Lock()
	p, ok := sw.peers[id]
	sw.mu.Unlock()
	if !ok {
		return conn.ConnectionStatus{}, false
	}
	return p.status(), true
}

// handleInbound authenticates an accepted connection and adds its peer, or closes it.
func (sw *PeerSwitch) handleInbound(ctx context.Context, raw net.Conn) {
	remote, err := NewNetAddress("", raw.RemoteAddr())
	if err != nil {
		sw.logger.Debug("Rejected inbound connection", "remote", raw.RemoteAddr(), "err", err)
		raw.Close()
		return
	}
	slot, err := sw.reserveHandshake(remote.IP, true)
	if err != nil {
		sw.logger.Debug("Rejected inbound connection", "remote", remote, "err", err)
		raw.Close()
		return
	}
	defer slot.release()
	sc, info, err := sw.authenticate(ctx, raw, remote, "")
	if err != nil {
		sw.logger.Debug("Rejected inbound connection", "remote", remote, "err", err)
		return
	}
	socketAddr := NetAddress{ID: info.ID, IP: remote.IP, Port: remote.Port}
	if err := sw.addPeer(sc, info, false, socketAddr, slot); err != nil {
		sc.Close()
		sw.logger.Debug("Rejected inbound peer", "peer", socketAddr, "err", err)
	}
}

// handshakeSlot is a connection counted as being authenticated (see reserveHandshake).
type handshakeSlot struct {
	sw       *PeerSwitch
	ip       netip.Addr
	inbound  bool
	released bool
}

// reserveHandshake counts a connection from or to ip as being authenticated, refusing it if
// another connection with that IP exists (unless allow_duplicate_ip), or, inbound, if there are
// already max_num_inbound_peers + len(unconditional_peer_ids) inbound connections (connected or
// being authenticated; CometBFT's listener limit). The slot is released when its peer is added
// (in the same critical section, so the connection is never counted twice) or by release.
func (sw *PeerSwitch) reserveHandshake(ip netip.Addr, inbound bool) (*handshakeSlot, error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if !sw.cfg.AllowDuplicateIP {
		if sw.handshaking[ip] > 0 {
			return nil, fmt.Errorf("%w: %s (being authenticated)", ErrDuplicateIP, ip)
		}
		for _, p := range sw.peerList {
			if p.socketAddr.IP == ip {
				return nil, fmt.Errorf("%w: %s", ErrDuplicateIP, ip)
			}
		}
	}
	if inbound {
		limit := max(sw.cfg.MaxNumInboundPeers+len(sw.unconditional), 1)
		if sw.inboundShakes+sw.countInboundLocked(true) >= limit {
			return nil, fmt.Errorf("%w: %d inbound connections", ErrTooManyPeers, limit)
		}
		sw.inboundShakes++
	}
	sw.handshaking[ip]++
	return &handshakeSlot{sw: sw, ip: ip, inbound: inbound}, nil
}

// release gives the slot back if it is still held.
func (s *handshakeSlot) release() {
	s.sw.mu.Lock()
	defer s.sw.mu.Unlock()
	s.releaseLocked()
}

// releaseLocked is release with sw.mu held.
func (s *handshakeSlot) releaseLocked() {
	if s.released {
		return
	}
	s.released = true
	if s.inbound {
		s.sw.inboundShakes--
	}
	if s.sw.handshaking[s.ip]--; s.sw.handshaking[s.ip] == 0 {
		delete(s.sw.handshaking, s.ip)
	}
}

// countInboundLocked counts inbound peers, unconditional ones only if withUnconditional.
func (sw *PeerSwitch) countInboundLocked(withUnconditional bool) int {
	n := 0
	for _, p := range sw.peerList {
		if _, unconditional := sw.unconditional[p.info.ID]; !p.outbound && (withUnconditional || !unconditional) {
			n++
		}
	}
	return n
}

// authenticate runs the address filter, the handshake (aborted if ctx ends) and the ID filter on
// raw, whose remote address is remote. On error raw is closed.
func (sw *PeerSwitch) authenticate(ctx context.Context, raw net.Conn, remote NetAddress, dialedID ID) (*conn.SecretConnection, NodeInfo, error) {
	if sw.addrFilter != nil {
		if err := sw.addrFilter(NetAddress{IP: remote.IP, Port: remote.Port}); err != nil {
			raw.Close()
			return nil, NodeInfo{}, fmt.Errorf("%w: address %s: %v", ErrFiltered, remote.DialString(), err)
		}
	}
	stopAbort := context.AfterFunc(ctx, func() { raw.Close() })
	defer stopAbort()
	sc, info, err := handshake(raw, sw.nodeKey, sw.nodeInfo, sw.cfg.HandshakeTimeout, dialedID)
	if err != nil {
		if errors.Is(err, ErrSelfConnection) && sw.addrBook != nil && dialedID != "" {
			// We dialed ourselves: remember the address so it is not dialed again.
			self := NetAddress{ID: dialedID, IP: remote.IP, Port: remote.Port}
			sw.addrBook.RemoveAddress(self)
			sw.addrBook.AddOurAddress(self)
		}
		return nil, NodeInfo{}, err
	}
	if sw.idFilter != nil {
		if err := sw.idFilter(info.ID); err != nil {
			sc.Close()
			return nil, NodeInfo{}, fmt.Errorf("%w: ID %s: %v", ErrFiltered, info.ID, err)
		}
	}
	return sc, info, nil
}

// addPeer admits an authenticated connection as a peer and starts running it, or returns why
// not (the caller closes sc then).
func (sw *PeerSwitch) addPeer(sc net.Conn, info NodeInfo, outbound bool, socketAddr NetAddress, slot *handshakeSlot) error {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.ctx == nil || sw.stopping {
		return ErrSwitchNotRunning
	}
	if _, ok := sw.peers[info.ID]; ok {
		return fmt.Errorf("%w: %s", ErrDuplicatePeer, info.ID)
	}
	_, unconditional := sw.unconditional[info.ID]
	if !outbound && !unconditional && sw.countInboundLocked(false) >= sw.cfg.MaxNumInboundPeers {
		return fmt.Errorf("%w: %d inbound peers", ErrTooManyPeers, sw.cfg.MaxNumInboundPeers)
	}
	_, persistent := sw.persistent[info.ID]
	p, err := newPeer(sw.ctx, sc, info, outbound, persistent, socketAddr, &sw.channels, sw.mconnCfg, sw.logger)
	if err != nil {
		return err
	}
	if sw.metricsOn {
		p.metrics = newPeerMetrics(sw.metrics, sw.messages, info.ID, &sw.channels)
	}
	slot.releaseLocked() // from now on the connection counts as a peer
	sw.peers[info.ID] = p
	sw.peerList = append(sw.peerList, p)
	sw.metrics.Peers.Set(float64(len(sw.peers)))
	sw.wg.Go(func() { sw.runPeer(p) })
	return nil
}

// runPeer runs p's connection, telling the reactors when it starts and when it ends; then it
// removes p and, for a persistent peer, starts redialing it.
func (sw *PeerSwitch) runPeer(p *peer) {
	runErr := make(chan error, 1)
	go func() { runErr <- p.mconn.Run(p.ctx) }()
	for _, nr := range sw.reactors {
		nr.reactor.AddPeer(p)
	}
	sw.mu.Lock()
	close(p.ready)
	sw.notifyChangedLocked()
	sw.mu.Unlock()
	sw.logger.Debug("Peer connected", "peer", p)

	reason := sw.waitPeer(p, runErr)
	if reason == nil {
		reason = context.Cause(p.ctx)
	}
	if reason == nil {
		reason = ErrPeerClosed // FlushStop
	}
	p.cancel(reason)
	close(p.done)
	for _, nr := range sw.reactors {
		nr.reactor.RemovePeer(p, reason)
	}
	sw.mu.Lock()
	delete(sw.peers, p.info.ID)
	sw.metrics.Peers.Set(float64(len(sw.peers)))
	for i, q := range sw.peerList {
		if q == p {
			sw.peerList = append(sw.peerList[:i], sw.peerList[i+1:]...)
			break
		}
	}
	sw.notifyChangedLocked()
	_, persistent := sw.persistent[p.info.ID]
	sw.mu.Unlock()
	sw.logger.Debug("Peer disconnected", "peer", p, "reason", reason)
	if persistent {
		sw.startRedial(p.info.ID, 0)
	}
}

// isClosed reports whether ch is closed.
func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
