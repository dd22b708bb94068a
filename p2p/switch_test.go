package p2p_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	gogotypes "github.com/cosmos/gogoproto/types"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
)

// recorders returns an init function adding a Recorder to each switch, and the recorders.
func recorders(n int) (func(int, *p2p.PeerSwitch), []*p2ptest.Recorder) {
	recs := make([]*p2ptest.Recorder, n)
	for i := range recs {
		recs[i] = p2ptest.NewRecorder()
	}
	return func(i int, sw *p2p.PeerSwitch) { sw.AddReactor("recorder", recs[i]) }, recs
}

func peerOf(t *testing.T, sw *p2p.PeerSwitch, id p2p.ID) p2p.Peer {
	t.Helper()
	p, ok := sw.Peer(id)
	if !ok {
		t.Fatalf("%s has no peer %s", sw.NodeInfo().ID, id)
	}
	return p
}

func mustAddr(t *testing.T, sw *p2p.PeerSwitch) p2p.NetAddress {
	t.Helper()
	a, err := sw.NetAddress()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTwoSwitchesExchangeMessages(t *testing.T) {
	init, recs := recorders(2)
	sws := p2ptest.MakeConnectedSwitches(t, 2, init)
	id0, id1 := sws[0].NodeInfo().ID, sws[1].NodeInfo().ID

	if got := (<-recs[0].Added).ID(); got != id1 {
		t.Fatalf("switch 0 added %s, want %s", got, id1)
	}
	if got := (<-recs[1].Added).ID(); got != id0 {
		t.Fatalf("switch 1 added %s, want %s", got, id0)
	}
	p01, p10 := peerOf(t, sws[0], id1), peerOf(t, sws[1], id0)
	if !p01.IsOutbound() || p10.IsOutbound() {
		t.Fatalf("outbound flags: 0→1 %v, 1→0 %v; want true, false", p01.IsOutbound(), p10.IsOutbound())
	}
	if p01.NodeInfo().Moniker != "node1" || p10.NodeInfo().Network != p2ptest.DefaultNetwork {
		t.Fatalf("peer node infos: %+v / %+v", p01.NodeInfo(), p10.NodeInfo())
	}
	if got, want := *p01.SocketAddr(), mustAddr(t, sws[1]); got != want {
		t.Fatalf("outbound socket address %v, want the dialed %v", got, want)
	}

	if !p01.Send(p2ptest.Bytes([]byte("hello"))) {
		t.Fatal("Send failed")
	}
	e := <-recs[1].Received
	if e.Src.ID() != id0 || e.ChannelID != p2ptest.TestChannel || string(e.Message.(*gogotypes.BytesValue).Value) != "hello" {
		t.Fatalf("received %+v", e)
	}
	sws[1].Broadcast(p2ptest.Bytes([]byte("to all")))
	if e := <-recs[0].Received; string(e.Message.(*gogotypes.BytesValue).Value) != "to all" {
		t.Fatalf("broadcast received %+v", e)
	}
	// A channel the peer does not list is refused.
	if p01.TrySend(p2p.Envelope{ChannelID: 0x20, Message: &gogotypes.BytesValue{}}) {
		t.Fatal("TrySend on a channel the peer lacks succeeded")
	}
}

func TestFourSwitchesPersistentPeers(t *testing.T) {
	const n = 4
	init, recs := recorders(n)
	sws := make([]*p2p.PeerSwitch, n)
	for i := range sws {
		sws[i] = p2ptest.MakeSwitch(t, i, init)
	}
	// Switch i keeps every lower-numbered switch as a persistent peer (and itself, which it
	// ignores, as a list shared by a whole network names every node).
	for i := range sws {
		var addrs []string
		for j := range i + 1 {
			addrs = append(addrs, mustAddr(t, sws[j]).String())
		}
		if err := sws[i].AddPersistentPeers(addrs); err != nil {
			t.Fatal(err)
		}
	}
	for _, sw := range sws {
		p2ptest.Start(t, sw)
	}
	for i, sw := range sws {
		p2ptest.WaitForNumPeers(t, sw, n-1)
		for _, p := range sw.Peers() {
			if p.IsPersistent() != p.IsOutbound() {
				t.Errorf("switch %d: peer %s persistent=%v outbound=%v", i, p.ID(), p.IsPersistent(), p.IsOutbound())
			}
		}
	}
	if sws[2].IsPeerPersistent(sws[2].NodeInfo().ID) {
		t.Fatal("a switch keeps itself as a persistent peer")
	}
	sws[3].Broadcast(p2ptest.Bytes([]byte("x")))
	for i := range n - 1 {
		if e := <-recs[i].Received; e.Src.ID() != sws[3].NodeInfo().ID {
			t.Fatalf("switch %d got a message from %s", i, e.Src.ID())
		}
	}
}

func TestStopRemovesEveryPeer(t *testing.T) {
	init, recs := recorders(3)
	sws := make([]*p2p.PeerSwitch, 3)
	stops := make([]func(), 3)
	for i := range sws {
		sws[i] = p2ptest.MakeSwitch(t, i, init)
		stops[i] = p2ptest.Start(t, sws[i])
	}
	p2ptest.Connect(t, sws[0], sws[1])
	p2ptest.Connect(t, sws[0], sws[2])
	stops[0]()
	for range 2 {
		r := <-recs[0].Removed
		if !errors.Is(r.Reason, p2p.ErrSwitchStopped) {
			t.Errorf("peer %s removed for %v, want ErrSwitchStopped", r.Peer.ID(), r.Reason)
		}
		select {
		case <-r.Peer.Done():
		default:
			t.Error("RemovePeer came before Done was closed")
		}
	}
	if len(sws[0].Peers()) != 0 {
		t.Fatalf("stopped switch still lists %d peers", len(sws[0].Peers()))
	}
	p2ptest.WaitForNumPeers(t, sws[1], 0)
	p2ptest.WaitForNumPeers(t, sws[2], 0)
	if err := sws[0].DialPeerWithAddress(context.Background(), mustAddr(t, sws[1])); !errors.Is(err, p2p.ErrSwitchNotRunning) {
		t.Fatalf("dial after stop: %v, want ErrSwitchNotRunning", err)
	}
}

func TestDuplicateConnectionRefused(t *testing.T) {
	init, recs := recorders(2)
	sws := p2ptest.MakeConnectedSwitches(t, 2, init)
	id0 := sws[0].NodeInfo().ID
	original := peerOf(t, sws[1], id0)

	// Dialing a connected peer again, from either side, is refused before dialing.
	if err := sws[0].DialPeerWithAddress(context.Background(), mustAddr(t, sws[1])); !errors.Is(err, p2p.ErrDuplicatePeer) {
		t.Fatalf("redial 0→1: %v, want ErrDuplicatePeer", err)
	}
	if err := sws[1].DialPeerWithAddress(context.Background(), mustAddr(t, sws[0])); !errors.Is(err, p2p.ErrDuplicatePeer) {
		t.Fatalf("dial 1→0: %v, want ErrDuplicatePeer", err)
	}

	// A second node with switch 0's key connects to switch 1: switch 1 refuses it after the
	// handshake and keeps the original connection.
	cloneRec := p2ptest.NewRecorder()
	clone := p2ptest.MakeSwitch(t, 0, func(_ int, sw *p2p.PeerSwitch) { sw.AddReactor("recorder", cloneRec) })
	p2ptest.Start(t, clone)
	_ = clone.DialPeerWithAddress(context.Background(), mustAddr(t, sws[1])) // may succeed on the clone's side
	p2ptest.WaitForNumPeers(t, clone, 0)
	if got := peerOf(t, sws[1], id0); got != original {
		t.Fatal("switch 1 replaced its peer")
	}
	select {
	case r := <-recs[1].Removed:
		t.Fatalf("switch 1 removed %s: %v", r.Peer.ID(), r.Reason)
	default:
	}
}

func TestIncompatibleNodeInfoRefused(t *testing.T) {
	sws := p2ptest.MakeConnectedSwitches(t, 1, nil)
	other := p2ptest.MakeSwitch(t, 1, nil, p2ptest.WithNetwork("other-chain"))
	p2ptest.Start(t, other)
	err := other.DialPeerWithAddress(context.Background(), mustAddr(t, sws[0]))
	if !errors.Is(err, p2p.ErrIncompatibleNodeInfo) {
		t.Fatalf("dial across networks: %v, want ErrIncompatibleNodeInfo", err)
	}
	if len(other.Peers()) != 0 || len(sws[0].Peers()) != 0 {
		t.Fatal("a peer on another network was added")
	}

	// No common channel.
	lone := p2ptest.MakeSwitch(t, 2, func(_ int, sw *p2p.PeerSwitch) {
		rec := p2ptest.NewRecorderOn(p2p.ChannelDescriptor{
			ChannelDescriptor: p2ptest.NewRecorder().Descs[0].ChannelDescriptor,
			MessageType:       &gogotypes.BytesValue{},
		})
		rec.Descs[0].ID = 0x55
		sw.AddReactor("lone", rec)
	})
	p2ptest.Start(t, lone)
	if err := lone.DialPeerWithAddress(context.Background(), mustAddr(t, sws[0])); !errors.Is(err, p2p.ErrIncompatibleNodeInfo) {
		t.Fatalf("dial without a common channel: %v, want ErrIncompatibleNodeInfo", err)
	}
}

func TestWrongIDInPeerAddressRefused(t *testing.T) {
	sws := p2ptest.MakeConnectedSwitches(t, 2, nil)
	sws[0].StopPeerForError(peerOf(t, sws[0], sws[1].NodeInfo().ID), errors.New("test"))
	p2ptest.WaitForNumPeers(t, sws[0], 0)
	p2ptest.WaitForNumPeers(t, sws[1], 0)

	wrong := mustAddr(t, sws[1])
	wrong.ID = p2ptest.NodeKey(99).ID()
	err := sws[0].DialPeerWithAddress(context.Background(), wrong)
	if !errors.Is(err, p2p.ErrDialedIDMismatch) {
		t.Fatalf("dial with the wrong ID: %v, want ErrDialedIDMismatch", err)
	}
	if len(sws[0].Peers()) != 0 {
		t.Fatal("peer added despite the wrong ID")
	}

	// Malformed peer strings are configuration errors.
	for _, bad := range []string{
		"nothex@127.0.0.1:26656",
		"127.0.0.1:26656",
		strings.Repeat("a", 40) + "@127.0.0.1:notaport",
	} {
		cfg := config.TestP2PConfig()
		cfg.PersistentPeers = bad
		key := p2ptest.NodeKey(5)
		info := p2ptest.NodeInfo(key, "tcp://127.0.0.1:1", "c", "m")
		if _, err := p2p.NewSwitch(cfg, key, info, p2ptest.NewMemNetwork().NewTransport(), nopLogger()); err == nil {
			t.Errorf("persistent_peers %q accepted", bad)
		}
	}
}

func TestSelfDialRefused(t *testing.T) {
	sws := p2ptest.MakeConnectedSwitches(t, 1, nil)
	if err := sws[0].DialPeerWithAddress(context.Background(), mustAddr(t, sws[0])); !errors.Is(err, p2p.ErrSelfConnection) {
		t.Fatalf("self dial: %v, want ErrSelfConnection", err)
	}
	// Our own address under another ID: the handshake finds ourselves.
	self := mustAddr(t, sws[0])
	self.ID = p2ptest.NodeKey(42).ID()
	if err := sws[0].DialPeerWithAddress(context.Background(), self); !errors.Is(err, p2p.ErrSelfConnection) {
		t.Fatalf("self dial under another ID: %v, want ErrSelfConnection", err)
	}
}

func TestInboundLimit(t *testing.T) {
	unconditional := p2ptest.NodeKey(3).ID()
	hub := p2ptest.MakeSwitch(t, 0, nil, p2ptest.WithConfig(func(_ int, cfg *config.P2PConfig) {
		cfg.MaxNumInboundPeers = 1
		cfg.UnconditionalPeerIDs = string(unconditional)
	}))
	p2ptest.Start(t, hub)
	spokes := make([]*p2p.PeerSwitch, 4)
	for i := 1; i < 4; i++ {
		spokes[i] = p2ptest.MakeSwitch(t, i, nil)
		p2ptest.Start(t, spokes[i])
	}
	p2ptest.Connect(t, spokes[1], hub)
	// The limit is reached, but switch 3 is unconditional: it gets in regardless, and is not
	// counted.
	p2ptest.Connect(t, spokes[3], hub)
	if out, in, _ := hub.NumPeers(); in != 1 || out != 0 || len(hub.Peers()) != 2 {
		t.Fatalf("hub has %d inbound, %d outbound counted peers, %d in all; want 1, 0, 2", in, out, len(hub.Peers()))
	}
	// Switch 2 is refused.
	if err := spokes[2].DialPeerWithAddress(context.Background(), mustAddr(t, hub)); err == nil {
		t.Fatal("dial beyond the inbound limit succeeded")
	}
	p2ptest.WaitForNumPeers(t, spokes[2], 0)
	if len(hub.Peers()) != 2 {
		t.Fatalf("hub has %d peers, want 2", len(hub.Peers()))
	}
}

func TestFilters(t *testing.T) {
	errNo := errors.New("no")
	target := p2ptest.MakeSwitch(t, 0, nil)
	p2ptest.Start(t, target)
	targetAddr := mustAddr(t, target)

	var seenAddr p2p.NetAddress
	byAddr := p2ptest.MakeSwitch(t, 1, nil, p2ptest.WithSwitchOptions(p2p.WithAddrFilter(func(a p2p.NetAddress) error {
		seenAddr = a
		return errNo
	})))
	p2ptest.Start(t, byAddr)
	if err := byAddr.DialPeerWithAddress(context.Background(), targetAddr); !errors.Is(err, p2p.ErrFiltered) {
		t.Fatalf("address filter: %v, want ErrFiltered", err)
	}
	if seenAddr.ID != "" || seenAddr.DialString() != targetAddr.DialString() {
		t.Fatalf("address filter saw %v, want %s without an ID", seenAddr, targetAddr.DialString())
	}

	var seenID p2p.ID
	byID := p2ptest.MakeSwitch(t, 2, nil, p2ptest.WithSwitchOptions(p2p.WithIDFilter(func(id p2p.ID) error {
		seenID = id
		return errNo
	})))
	p2ptest.Start(t, byID)
	if err := byID.DialPeerWithAddress(context.Background(), targetAddr); !errors.Is(err, p2p.ErrFiltered) {
		t.Fatalf("ID filter: %v, want ErrFiltered", err)
	}
	if seenID != targetAddr.ID {
		t.Fatalf("ID filter saw %s, want %s", seenID, targetAddr.ID)
	}
	p2ptest.WaitForNumPeers(t, target, 0)
}

func TestUndecodableMessageStopsPeer(t *testing.T) {
	init, recs := recorders(3)
	sws := p2ptest.MakeConnectedSwitches(t, 3, init)
	id0 := sws[0].NodeInfo().ID
	// 0xff 0xff is no valid protobuf: a field key of wire type 7.
	if !peerOf(t, sws[0], sws[1].NodeInfo().ID).Send(p2p.Envelope{ChannelID: p2ptest.TestChannel, Message: rawMessage{0xff, 0xff}}) {
		t.Fatal("Send failed")
	}
	r := <-recs[1].Removed
	if r.Peer.ID() != id0 || !errors.Is(r.Reason, p2p.ErrMalformedMessage) {
		t.Fatalf("switch 1 removed %s for %v; want %s for ErrMalformedMessage", r.Peer.ID(), r.Reason, id0)
	}
	select {
	case e := <-recs[1].Received:
		t.Fatalf("the reactor received %+v", e)
	default:
	}
	// Switch 1 carries on with its other peer.
	peerOf(t, sws[2], sws[1].NodeInfo().ID).Send(p2ptest.Bytes([]byte("still here")))
	if e := <-recs[1].Received; !bytes.Equal(e.Message.(*gogotypes.BytesValue).Value, []byte("still here")) {
		t.Fatalf("received %+v", e)
	}
}

func TestRunRequiresAChannelAndRunsOnce(t *testing.T) {
	sw := p2ptest.MakeSwitch(t, 0, nil)
	p2ptest.Start(t, sw)
	if err := sw.Run(context.Background()); err == nil {
		t.Fatal("second Run succeeded")
	}
	key := p2ptest.NodeKey(1)
	bare, err := p2p.NewSwitch(config.TestP2PConfig(), key, p2ptest.NodeInfo(key, "tcp://127.0.0.1:1", "c", "m"),
		p2ptest.NewMemNetwork().NewTransport(), nopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := bare.Run(context.Background()); err == nil {
		t.Fatal("Run without channels succeeded")
	}
	if _, err := p2p.NewSwitch(config.TestP2PConfig(), key, p2ptest.NodeInfo(p2ptest.NodeKey(2), "tcp://127.0.0.1:1", "c", "m"),
		p2ptest.NewMemNetwork().NewTransport(), nopLogger()); err == nil {
		t.Fatal("NewSwitch accepted a node info of another key")
	}
}
