package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/p2p/conn"
)

// DefaultHandshakeTimeout bounds each handshake step (SecretConnection, NodeInfo exchange) when
// the configured handshake_timeout is 0.
const DefaultHandshakeTimeout = 20 * time.Second

// ErrDialedIDMismatch: the peer we dialed authenticated with a key whose ID is not the one in the
// address we dialed.
var ErrDialedIDMismatch = errors.New("dialed peer authenticated with another ID")

// Transport is where the switch gets its raw connections: inbound ones from Accept, outbound ones
// from Dial. It knows nothing of handshakes; the switch authenticates every connection it gets.
//
// Accept is called from one goroutine at a time; Dial and Close may be called concurrently with it
// and with each other. Connections returned belong to the caller.
type Transport interface {
	// Accept waits for the next inbound connection. After Close it returns an error wrapping
	// net.ErrClosed. Its RemoteAddr must be a *net.TCPAddr (the peer's IP and port).
	Accept() (net.Conn, error)
	// Dial connects to addr's IP and port, giving up when ctx ends.
	Dial(ctx context.Context, addr NetAddress) (net.Conn, error)
	// Close stops accepting; it does not close connections already handed out.
	Close() error
}

// TCPTransport is the Transport of a node: a TCP listener and a TCP dialer.
type TCPTransport struct {
	listener net.Listener
}

// Listen returns a TCPTransport accepting on laddr ("tcp://host:port" or "host:port", port 0 for
// one the OS picks). The only protocol is tcp.
func Listen(laddr string) (*TCPTransport, error) {
	hostPort := laddr
	if proto, rest, ok := strings.Cut(laddr, "://"); ok {
		if proto != "tcp" {
			return nil, fmt.Errorf("p2p listen address %q: protocol %q is not supported (want tcp)", laddr, proto)
		}
		hostPort = rest
	}
	l, err := net.Listen("tcp", hostPort)
	if err != nil {
		return nil, fmt.Errorf("p2p listen on %q: %w", laddr, err)
	}
	return &TCPTransport{listener: l}, nil
}

// Addr is the address the transport accepts on (with the actual port when 0 was asked for).
func (t *TCPTransport) Addr() net.Addr { return t.listener.Addr() }

// Accept implements Transport.
func (t *TCPTransport) Accept() (net.Conn, error) { return t.listener.Accept() }

// Dial implements Transport.
func (t *TCPTransport) Dial(ctx context.Context, addr NetAddress) (net.Conn, error) {
	return addr.DialContext(ctx)
}

// Close implements Transport.
func (t *TCPTransport) Close() error { return t.listener.Close() }

// handshake turns a raw connection into an authenticated peer connection (fact sheet §1): the
// SecretConnection handshake, for an outbound connection (dialedID != "") the check that the
// authenticated ID is the dialed one, the check that it is not ours, the NodeInfo exchange and CheckPeerNodeInfo. Each of the
// two exchanges must finish within timeout. On error raw is closed.
func handshake(raw net.Conn, key *NodeKey, ours NodeInfo, timeout time.Duration, dialedID ID) (*conn.SecretConnection, NodeInfo, error) {
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	if err := raw.SetDeadline(time.Now().Add(timeout)); err != nil {
		raw.Close()
		return nil, NodeInfo{}, fmt.Errorf("setting handshake deadline: %w", err)
	}
	sc, err := conn.MakeSecretConnection(raw, key.PrivKey)
	if err != nil {
		return nil, NodeInfo{}, fmt.Errorf("secret connection handshake: %w", err)
	}
	if err := raw.SetDeadline(time.Time{}); err != nil {
		sc.Close()
		return nil, NodeInfo{}, fmt.Errorf("clearing handshake deadline: %w", err)
	}
	authID := PubKeyToID(sc.RemotePubKey())
	if authID == ours.ID {
		sc.Close()
		return nil, NodeInfo{}, fmt.Errorf("%w: %s", ErrSelfConnection, authID)
	}
	if dialedID != "" && authID != dialedID {
		sc.Close()
		return nil, NodeInfo{}, fmt.Errorf("%w: dialed %s, peer is %s", ErrDialedIDMismatch, dialedID, authID)
	}
	theirs, err := ExchangeNodeInfo(sc, ours, timeout)
	if err != nil {
		sc.Close()
		return nil, NodeInfo{}, err
	}
	if err := CheckPeerNodeInfo(ours, theirs, authID); err != nil {
		sc.Close()
		return nil, NodeInfo{}, err
	}
	return sc, theirs, nil
}
