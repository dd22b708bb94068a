package jepsen

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// The default port range of the harness: loopback ports no other ballot test or tool uses,
// below Linux's ephemeral range (32768–60999): a port in that range can be taken, while a
// node is down, as the local port of any outgoing connection on the machine, and the node
// then can't listen on it again when restarted.
const (
	DefaultPortLow  = 27000
	DefaultPortHigh = 32000
)

// ErrNoPorts means the port range has no free port left.
var ErrNoPorts = errors.New("jepsen: no free loopback port left in the range")

// Ports hands out loopback TCP ports from [low, high), each probed free by listening on it. It
// starts at an offset chosen by the caller (runs side by side pick different offsets) and
// never hands out a port twice. Safe for concurrent use.
type Ports struct {
	mu        sync.Mutex
	low, high int
	next      int
	given     map[int]bool
}

// NewPorts returns an allocator over [low, high) that starts probing at low+offset%(high-low).
func NewPorts(low, high int, offset uint64) (*Ports, error) {
	if low <= 0 || high > 65536 || low >= high {
		return nil, fmt.Errorf("jepsen: bad port range [%d, %d)", low, high)
	}
	return &Ports{low: low, high: high, next: low + int(offset%uint64(high-low)), given: map[int]bool{}}, nil
}

// Listen returns a listener on a free port of the range (127.0.0.1); the caller owns it.
func (p *Ports) Listen() (net.Listener, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range p.high - p.low {
		port := p.next
		p.next++
		if p.next == p.high {
			p.next = p.low
		}
		if p.given[port] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // taken by someone else
		}
		p.given[port] = true
		return l, nil
	}
	return nil, ErrNoPorts
}

// Take returns the address ("127.0.0.1:port") of a port that was free a moment ago, for a
// process the harness starts. The port is not handed out again.
func (p *Ports) Take() (string, error) {
	l, err := p.Listen()
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("jepsen: releasing %s: %w", addr, err)
	}
	return addr, nil
}
