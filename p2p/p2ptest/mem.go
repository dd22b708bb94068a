package p2ptest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/ballot-bft/ballot/p2p"
)

// MemNetwork is an in-memory network of MemTransports connected with net.Pipe. Unlike TCP
// loopback it works inside a testing/synctest bubble (every wait is durably blocking), so timers
// of the switch and its connections can be tested on the bubble's fake clock.
type MemNetwork struct {
	mu        sync.Mutex
	listeners map[netip.AddrPort]*MemTransport
	nextIP    byte
	nextPort  uint16
}

// NewMemNetwork returns an empty network.
func NewMemNetwork() *MemNetwork {
	return &MemNetwork{listeners: map[netip.AddrPort]*MemTransport{}, nextPort: 40000}
}

// NewTransport returns a transport listening on the next free address 127.0.0.N:26656 (N from 1).
func (n *MemNetwork) NewTransport() *MemTransport {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextIP++
	if n.nextIP == 0 {
		panic("p2ptest: more than 255 transports on one MemNetwork")
	}
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, n.nextIP}), 26656)
	t := &MemTransport{network: n, addr: addr, accept: make(chan net.Conn), closed: make(chan struct{})}
	n.listeners[addr] = t
	return t
}

// MemTransport is a p2p.Transport on a MemNetwork.
type MemTransport struct {
	network   *MemNetwork
	addr      netip.AddrPort
	accept    chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

var _ p2p.Transport = (*MemTransport)(nil)

// Addr is the address the transport listens on.
func (t *MemTransport) Addr() netip.AddrPort { return t.addr }

// ListenAddr is Addr in NodeInfo's form ("tcp://ip:port").
func (t *MemTransport) ListenAddr() string { return "tcp://" + t.addr.String() }

// Accept implements p2p.Transport.
func (t *MemTransport) Accept() (net.Conn, error) {
	select {
	case c := <-t.accept:
		return c, nil
	case <-t.closed:
		return nil, fmt.Errorf("accept on %s: %w", t.addr, net.ErrClosed)
	}
}

// Dial implements p2p.Transport: it connects to the transport listening on addr, which must
// accept before ctx ends.
func (t *MemTransport) Dial(ctx context.Context, addr p2p.NetAddress) (net.Conn, error) {
	remote := netip.AddrPortFrom(addr.IP, addr.Port)
	t.network.mu.Lock()
	listener := t.network.listeners[remote]
	t.network.nextPort++
	local := netip.AddrPortFrom(t.addr.Addr(), t.network.nextPort)
	t.network.mu.Unlock()
	if listener == nil {
		return nil, fmt.Errorf("dialing %s: connection refused", remote)
	}
	select {
	case <-t.closed:
		return nil, fmt.Errorf("dialing %s: %w", remote, net.ErrClosed)
	default:
	}
	ours, theirs := net.Pipe()
	select {
	case listener.accept <- &addrConn{Conn: theirs, local: remote, remote: local}:
		return &addrConn{Conn: ours, local: local, remote: remote}, nil
	case <-listener.closed:
		ours.Close()
		theirs.Close()
		return nil, fmt.Errorf("dialing %s: connection refused", remote)
	case <-ctx.Done():
		ours.Close()
		theirs.Close()
		return nil, fmt.Errorf("dialing %s: %w", remote, ctx.Err())
	}
}

// Close implements p2p.Transport; further dials to this transport's address are refused.
func (t *MemTransport) Close() error {
	t.closeOnce.Do(func() { close(t.closed) })
	return nil
}

// Reopen replaces a closed transport's listener with a new open transport on the same address
// (a restarted node). It fails if the address is still open.
func (t *MemTransport) Reopen() (*MemTransport, error) {
	n := t.network
	n.mu.Lock()
	defer n.mu.Unlock()
	old := n.listeners[t.addr]
	select {
	case <-old.closed:
	default:
		return nil, errors.New("p2ptest: reopening an open transport")
	}
	nt := &MemTransport{network: n, addr: t.addr, accept: make(chan net.Conn), closed: make(chan struct{})}
	n.listeners[t.addr] = nt
	return nt, nil
}

// addrConn gives a pipe end TCP addresses, as a p2p.Transport's connections must have.
type addrConn struct {
	net.Conn
	local, remote netip.AddrPort
}

func (c *addrConn) LocalAddr() net.Addr  { return net.TCPAddrFromAddrPort(c.local) }
func (c *addrConn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }
