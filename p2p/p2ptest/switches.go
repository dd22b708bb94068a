package p2ptest

import (
	"context"
	"encoding/binary"
	"strconv"
	"testing"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
)

// DefaultNetwork is the chain ID of test switches unless WithNetwork says otherwise.
const DefaultNetwork = "test-chain"

// Option adjusts how MakeSwitch builds a switch.
type Option func(*options)

type options struct {
	mem        *MemNetwork
	network    string
	logger     log.Logger
	configure  func(i int, cfg *config.P2PConfig)
	swOpts     []p2p.SwitchOption
	keyOffset  int
	transport  p2p.Transport
	listenAddr string
	nodeInfoFn func(i int, info *p2p.NodeInfo)
}

// WithMemNetwork puts the switches on an in-memory network (for testing/synctest bubbles)
// instead of TCP loopback.
func WithMemNetwork(n *MemNetwork) Option { return func(o *options) { o.mem = n } }

// WithTransport makes the switch use tr, listening on listenAddr ("tcp://ip:port"), e.g. a
// reopened MemTransport for a restarted node. Use it for one switch only.
func WithTransport(tr p2p.Transport, listenAddr string) Option {
	return func(o *options) { o.transport, o.listenAddr = tr, listenAddr }
}

// WithNetwork sets the chain ID the switches advertise.
func WithNetwork(chainID string) Option { return func(o *options) { o.network = chainID } }

// WithLogger sets the switches' logger (default: none).
func WithLogger(l log.Logger) Option { return func(o *options) { o.logger = l } }

// WithConfig lets the test adjust each switch's [p2p] config (which starts as
// config.TestP2PConfig with a 0 s first-dial jitter) before the switch is built.
func WithConfig(f func(i int, cfg *config.P2PConfig)) Option {
	return func(o *options) { o.configure = f }
}

// WithSwitchOptions passes options to p2p.NewSwitch.
func WithSwitchOptions(opts ...p2p.SwitchOption) Option {
	return func(o *options) { o.swOpts = append(o.swOpts, opts...) }
}

// WithNodeInfo lets the test adjust each switch's NodeInfo before the switch is built.
func WithNodeInfo(f func(i int, info *p2p.NodeInfo)) Option {
	return func(o *options) { o.nodeInfoFn = f }
}

// WithKeyOffset makes switch i use NodeKey(i+offset), so one test can build switches with keys
// distinct from another group's.
func WithKeyOffset(offset int) Option { return func(o *options) { o.keyOffset = offset } }

// NodeKey returns the deterministic node key number i (its ed25519 seed is i, big-endian, in the
// last bytes of 32 bytes, plus one).
func NodeKey(i int) *p2p.NodeKey {
	var seed [32]byte
	binary.BigEndian.PutUint64(seed[24:], uint64(i)+1)
	k, err := ed25519.PrivKeyFromSeed(seed[:])
	if err != nil {
		panic(err) // a 32-byte seed always makes a key
	}
	return &p2p.NodeKey{PrivKey: k}
}

// NodeInfo returns the NodeInfo of a test node with key, listening on listenAddr, on network;
// Channels are left for AddReactor to fill.
func NodeInfo(key *p2p.NodeKey, listenAddr, network string, moniker string) p2p.NodeInfo {
	return p2p.NodeInfo{
		ProtocolVersion: p2p.NewProtocolVersion(0),
		ID:              key.ID(),
		ListenAddr:      listenAddr,
		Network:         network,
		Version:         "0.38.26",
		Moniker:         moniker,
		Other:           p2p.NodeInfoOther{TxIndex: "on"},
	}
}

// MakeSwitch builds switch number i (node key NodeKey(i)), listening on 127.0.0.1 with a free
// port (or on its MemNetwork), calls init (if not nil) to add reactors, and adds a Recorder on
// TestChannel if no reactor was added. The switch is not running: see Start.
func MakeSwitch(t testing.TB, i int, init func(i int, sw *p2p.PeerSwitch), opts ...Option) *p2p.PeerSwitch {
	t.Helper()
	o := options{network: DefaultNetwork, logger: log.NewNop()}
	for _, opt := range opts {
		opt(&o)
	}
	cfg := config.TestP2PConfig()
	if o.configure != nil {
		o.configure(i, cfg)
	}
	var (
		transport  p2p.Transport
		listenAddr string
	)
	switch {
	case o.transport != nil:
		transport, listenAddr = o.transport, o.listenAddr
	case o.mem != nil:
		mt := o.mem.NewTransport()
		transport, listenAddr = mt, mt.ListenAddr()
	default:
		tt, err := p2p.Listen(cfg.ListenAddress)
		if err != nil {
			t.Fatalf("switch %d: %v", i, err)
		}
		transport, listenAddr = tt, "tcp://"+tt.Addr().String()
	}
	key := NodeKey(i + o.keyOffset)
	info := NodeInfo(key, listenAddr, o.network, "node"+strconv.Itoa(i))
	if o.nodeInfoFn != nil {
		o.nodeInfoFn(i, &info)
	}
	swOpts := append([]p2p.SwitchOption{p2p.WithDialJitter(0), p2p.WithRandSeed(uint64(i))}, o.swOpts...)
	sw, err := p2p.NewSwitch(cfg, key, info, transport, o.logger.With("node", i), swOpts...)
	if err != nil {
		transport.Close()
		t.Fatalf("switch %d: %v", i, err)
	}
	if init != nil {
		init(i, sw)
	}
	if len(sw.NodeInfo().Channels) == 0 {
		sw.AddReactor("recorder", NewRecorder())
	}
	return sw
}

// Start runs sw until the test ends; the test fails if Run returns an error. It returns once
// the switch accepts dials, and a function that stops the switch and waits for Run to return
// (called again by the cleanup, harmlessly).
func Start(t testing.TB, sw *p2p.PeerSwitch) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- sw.Run(ctx) }()
	var (
		stopped bool
		runErr  error
	)
	stop = func() {
		cancel()
		if !stopped {
			runErr = <-errc
			stopped = true
			if runErr != nil {
				t.Errorf("switch %s: Run: %v", sw.NodeInfo().ID, runErr)
			}
		}
	}
	t.Cleanup(stop)
	select {
	case <-sw.Started():
	case err := <-errc:
		stopped = true
		t.Fatalf("switch %s: Run: %v", sw.NodeInfo().ID, err)
	}
	return stop
}

// Connect makes a dial b and waits until each lists the other among its peers.
func Connect(t testing.TB, a, b *p2p.PeerSwitch) {
	t.Helper()
	addr, err := b.NetAddress()
	if err != nil {
		t.Fatalf("address of %s: %v", b.NodeInfo().ID, err)
	}
	if err := a.DialPeerWithAddress(context.Background(), addr); err != nil {
		t.Fatalf("%s dialing %s: %v", a.NodeInfo().ID, addr, err)
	}
	WaitForPeer(t, a, b.NodeInfo().ID)
	WaitForPeer(t, b, a.NodeInfo().ID)
}

// MakeConnectedSwitches builds n switches with MakeSwitch (init adds each one's reactors), starts
// them, connects every pair (the lower index dials) and returns once every switch lists every
// other as a peer. The switches stop when the test ends.
func MakeConnectedSwitches(t testing.TB, n int, init func(i int, sw *p2p.PeerSwitch), opts ...Option) []*p2p.PeerSwitch {
	t.Helper()
	sws := make([]*p2p.PeerSwitch, n)
	for i := range sws {
		sws[i] = MakeSwitch(t, i, init, opts...)
		Start(t, sws[i])
	}
	for i := range sws {
		for j := i + 1; j < n; j++ {
			Connect(t, sws[i], sws[j])
		}
	}
	return sws
}

// WaitFor blocks until cond holds for sw's peers (checked at every change of them).
func WaitFor(t testing.TB, sw *p2p.PeerSwitch, cond func(peers []p2p.Peer) bool) {
	t.Helper()
	for {
		changed := sw.PeersChanged()
		if cond(sw.Peers()) {
			return
		}
		<-changed
	}
}

// WaitForPeer blocks until sw lists the peer id.
func WaitForPeer(t testing.TB, sw *p2p.PeerSwitch, id p2p.ID) {
	t.Helper()
	WaitFor(t, sw, func(peers []p2p.Peer) bool { return hasPeer(peers, id) })
}

// WaitForNoPeer blocks until sw does not list the peer id.
func WaitForNoPeer(t testing.TB, sw *p2p.PeerSwitch, id p2p.ID) {
	t.Helper()
	WaitFor(t, sw, func(peers []p2p.Peer) bool { return !hasPeer(peers, id) })
}

// WaitForNumPeers blocks until sw lists exactly n peers.
func WaitForNumPeers(t testing.TB, sw *p2p.PeerSwitch, n int) {
	t.Helper()
	WaitFor(t, sw, func(peers []p2p.Peer) bool { return len(peers) == n })
}

func hasPeer(peers []p2p.Peer, id p2p.ID) bool {
	for _, p := range peers {
		if p.ID() == id {
			return true
		}
	}
	return false
}
