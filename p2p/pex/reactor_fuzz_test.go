package pex

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// fakePeer records what is sent to it.
type fakePeer struct {
	id       p2p.ID
	outbound bool
	sent     []p2p.Envelope
}

func (p *fakePeer) ID() p2p.ID               { return p.id }
func (p *fakePeer) NodeInfo() p2p.NodeInfo   { return p2p.NodeInfo{ID: p.id} }
func (p *fakePeer) RemoteAddr() net.Addr     { return &net.TCPAddr{IP: net.IPv4(8, 8, 4, 4), Port: 26656} }
func (p *fakePeer) IsOutbound() bool         { return p.outbound }
func (p *fakePeer) IsPersistent() bool       { return false }
func (p *fakePeer) Done() <-chan struct{}    { return nil }
func (p *fakePeer) Send(e p2p.Envelope) bool { p.sent = append(p.sent, e); return true }
func (p *fakePeer) TrySend(e p2p.Envelope) bool {
	p.sent = append(p.sent, e)
	return true
}
func (p *fakePeer) SocketAddr() *p2p.NetAddress {
	return &p2p.NetAddress{ID: p.id, IP: netip.MustParseAddr("8.8.4.4"), Port: 26656}
}

// fakeSwitch records stopped peers and refuses dials.
type fakeSwitch struct {
	stopped  []error
	graceful int
}

func (s *fakeSwitch) Peers() []p2p.Peer                      { return nil }
func (s *fakeSwitch) Broadcast(p2p.Envelope)                 {}
func (s *fakeSwitch) StopPeerForError(_ p2p.Peer, err error) { s.stopped = append(s.stopped, err) }
func (s *fakeSwitch) NetAddress() (p2p.NetAddress, error) {
	return p2p.NetAddress{}, p2p.ErrNetAddressInvalid
}
func (s *fakeSwitch) NumPeers() (int, int, int)                { return 0, 0, 0 }
func (s *fakeSwitch) MaxNumOutboundPeers() int                 { return 10 }
func (s *fakeSwitch) IsDialingOrConnected(p2p.NetAddress) bool { return false }
func (s *fakeSwitch) IsPeerPersistent(p2p.ID) bool             { return false }
func (s *fakeSwitch) Peer(p2p.ID) (p2p.Peer, bool)             { return nil, false }
func (s *fakeSwitch) StopPeerGracefully(p2p.Peer)              { s.graceful++ }
func (s *fakeSwitch) PeerConnectionStatus(p2p.ID) (conn.ConnectionStatus, bool) {
	return conn.ConnectionStatus{}, false
}
func (s *fakeSwitch) DialPeerWithAddress(context.Context, p2p.NetAddress) error {
	return p2p.ErrSwitchNotRunning
}

// FuzzReceive hands the reactor any message the PEX channel decodes, from a peer it did or did
// not ask, inbound or outbound, in seed mode or not: it must never panic, and it disconnects the
// peer exactly when the message is unsolicited, malformed or empty.
func FuzzReceive(f *testing.F) {
	f.Add([]byte{0x0a, 0x00}, false, false, false)
	good := &tmp2p.Message{Sum: &tmp2p.Message_PexAddrs{PexAddrs: &tmp2p.PexAddrs{Addrs: []tmp2p.NetAddress{
		{ID: string(p2ptest.NodeKey(1).ID()), IP: "1.2.3.4", Port: 26656},
		{ID: "short", IP: "::1", Port: 70000},
	}}}}
	b, err := proto.Marshal(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b, true, true, false)
	f.Add(b, false, false, true)
	f.Add([]byte{}, false, false, false)
	f.Fuzz(func(t *testing.T, data []byte, requested, outbound, seedMode bool) {
		var msg tmp2p.Message
		if proto.Unmarshal(data, &msg) != nil {
			return // the switch disconnects before the reactor sees it
		}
		book, err := NewAddrBook("", true, 1, log.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		sw := &fakeSwitch{}
		r, err := NewReactor(book, sw, Config{SeedMode: seedMode}, log.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		peer := &fakePeer{id: p2ptest.NodeKey(9).ID(), outbound: outbound}
		if requested {
			r.RequestAddrs(peer)
		}
		r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: &msg})
		addrs, isAddrs := msg.Sum.(*tmp2p.Message_PexAddrs)
		switch {
		case msg.Sum == nil || (isAddrs && !requested):
			if len(sw.stopped) != 1 {
				t.Fatalf("stopped %d times for %v", len(sw.stopped), &msg)
			}
		case isAddrs:
			malformed := false
			for _, a := range addrs.PexAddrs.Addrs {
				if _, err := p2p.NetAddressFromProto(a); err != nil {
					malformed = true
				}
			}
			if malformed != (len(sw.stopped) == 1) || len(sw.stopped) > 1 {
				t.Fatalf("malformed %v, stopped %v", malformed, sw.stopped)
			}
		default: // a request: answered
			if len(sw.stopped) != 0 || len(peer.sent) != 1+btoi(requested) {
				t.Fatalf("request: stopped %v, sent %d", sw.stopped, len(peer.sent))
			}
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
