package p2p

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p/conn"
)

// Errors of the switch; they are returned wrapped with details.
var (
	// ErrSwitchNotRunning: the switch's Run has not started, or has ended.
	ErrSwitchNotRunning = errors.New("switch is not running")
	// ErrDuplicatePeer: a peer with that ID is already connected.
	ErrDuplicatePeer = errors.New("peer already connected")
	// ErrAlreadyDialing: that ID is being dialed already.
	ErrAlreadyDialing = errors.New("peer already being dialed")
	// ErrTooManyPeers: the inbound peer limit is reached.
	ErrTooManyPeers = errors.New("too many peers")
	// ErrDuplicateIP: a peer from that IP is already connected (allow_duplicate_ip is off).
	ErrDuplicateIP = errors.New("peer from that IP already connected")
	// ErrFiltered: a connection filter (WithAddrFilter, WithIDFilter) refused the peer.
	ErrFiltered = errors.New("peer refused by filter")
)

// AddrBook is what the switch tells the address book (package pex): addresses dialed through
// DialPeersAsync, its own addresses (found by dialing itself), peers marked good, and the IDs
// never to gossip. Its methods must be safe for concurrent use.
type AddrBook interface {
	AddAddress(addr, src NetAddress) error
	AddOurAddress(addr NetAddress)
	RemoveAddress(addr NetAddress)
	MarkGood(id ID)
	AddPrivateIDs(ids []ID)
}

// SwitchOption configures a PeerSwitch in NewSwitch.
type SwitchOption func(*PeerSwitch)

// WithAddrFilter refuses connections whose remote address ("ip:port", no ID) filter returns an
// error for; it is called before the handshake, for inbound and outbound connections. The node
// uses it for filter_peers (ABCI query /p2p/filter/addr/<ip:port>).
func WithAddrFilter(filter func(NetAddress) error) SwitchOption {
	return func(sw *PeerSwitch) { sw.addrFilter = filter }
}

// WithIDFilter refuses peers whose authenticated ID filter returns an error for; it is called
// after the handshake. The node uses it for filter_peers (ABCI query /p2p/filter/id/<id>).
func WithIDFilter(filter func(ID) error) SwitchOption {
	return func(sw *PeerSwitch) { sw.idFilter = filter }
}

// WithAddrBook gives the switch the address book (see AddrBook).
func WithAddrBook(book AddrBook) SwitchOption {
	return func(sw *PeerSwitch) { sw.addrBook = book }
}

// WithMConnConfig replaces the connection tunables derived from the [p2p] config.
func WithMConnConfig(cfg conn.MConnConfig) SwitchOption {
	return func(sw *PeerSwitch) { sw.mconnCfg = cfg }
}

// WithRandSeed seeds the jitter of redial delays (the default seed is random).
func WithRandSeed(seed uint64) SwitchOption {
	return func(sw *PeerSwitch) { sw.rng = rand.New(rand.NewPCG(seed, seed^0x5bd1e995)) }
}

// PeerSwitch is the node's switch, the implementation of the reactors' Switch contract. It
// connects the node to its peers: it accepts and dials connections through its Transport,
// authenticates them (SecretConnection, NodeInfo checks, filters, limits), runs each peer's
// MConnection and routes channel messages to the reactors. It keeps persistent peers connected,
// redialing them with backoff.
//
// Use: NewSwitch, AddReactor for every reactor, then Run. All other methods are safe for
// concurrent use from any goroutine (before Run, dials fail with ErrSwitchNotRunning).
type PeerSwitch struct {
	cfg        *config.P2PConfig
	nodeKey    *NodeKey
	nodeInfo   NodeInfo
	transport  Transport
	logger     log.Logger
	mconnCfg   conn.MConnConfig
	addrFilter func(NetAddress) error
	idFilter   func(ID) error
	addrBook   AddrBook
	metrics    *Metrics
	metricsOn  bool             // WithMetrics was given: per-peer instruments and queue polling
	messages   *messageCounters // per message type, for metrics

	reactors     []namedReactor
	channels     channelTable
	reactorsDone bool // Run started: no more reactors

	mu            sync.Mutex
	ctx           context.Context // Run's context, nil before Run
	stopping      bool
	wg            sync.WaitGroup // every goroutine the switch started
	peers         map[ID]*peer
	peerList      []*peer // admission order
	changed       chan struct{}
	dialing       map[ID]struct{}
	handshaking   map[netip.Addr]int // remote IPs of connections being authenticated
	inboundShakes int                // inbound connections being authenticated
	persistent    map[ID]string      // persistent peer ID → "id@host:port"
	redialing     map[ID]struct{}    // persistent peers with a redial loop running
	unconditional map[ID]struct{}
	private       map[ID]struct{}
	rng           *rand.Rand
	startJitter   time.Duration // longest pause before the first dial of a persistent peer
	started       chan struct{} // closed once Run accepts and dials
}

type namedReactor struct {
	name    string
	reactor Reactor
}

var _ Switch = (*PeerSwitch)(nil)

// NewSwitch returns a switch for the node with nodeKey and nodeInfo (whose ID must be the key's),
// getting connections from transport. It takes persistent_peers, unconditional_peer_ids and
// private_peer_ids from cfg; a malformed entry is an error (a persistent peer's host that does
// not resolve yet is not: it is resolved again at each dial). nodeInfo's Channels are extended by
// AddReactor.
func NewSwitch(cfg *config.P2PConfig, nodeKey *NodeKey, nodeInfo NodeInfo, transport Transport,
	logger log.Logger, opts ...SwitchOption) (*PeerSwitch, error) {
	if cfg == nil || nodeKey == nil || nodeKey.PrivKey == nil || transport == nil || logger == nil {
		return nil, errors.New("new switch: nil config, node key, transport or logger")
	}
	if nodeInfo.ID != nodeKey.ID() {
		return nil, fmt.Errorf("new switch: node info ID %s is not the node key's %s", nodeInfo.ID, nodeKey.ID())
	}
	nodeInfo.Channels = slices.Clone(nodeInfo.Channels)
	sw := &PeerSwitch{
		cfg:           cfg,
		nodeKey:       nodeKey,
		nodeInfo:      nodeInfo,
		transport:     transport,
		logger:        logger.With("module", "p2p"),
		mconnCfg:      conn.MConnConfigFromP2P(cfg),
		peers:         map[ID]*peer{},
		changed:       make(chan struct{}),
		dialing:       map[ID]struct{}{},
		handshaking:   map[netip.Addr]int{},
		persistent:    map[ID]string{},
		redialing:     map[ID]struct{}{},
		unconditional: map[ID]struct{}{},
		private:       map[ID]struct{}{},
		rng:           rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		startJitter:   redialJitter,
		started:       make(chan struct{}),
		metrics:       NopMetrics(),
	}
	for _, opt := range opts {
		opt(sw)
	}
	if err := sw.AddPersistentPeers(SplitList(cfg.PersistentPeers)); err != nil {
		return nil, fmt.Errorf("new switch: persistent_peers: %w", err)
	}
	if err := sw.AddUnconditionalPeerIDs(SplitList(cfg.UnconditionalPeerIDs)); err != nil {
		return nil, fmt.Errorf("new switch: unconditional_peer_ids: %w", err)
	}
	if err := sw.AddPrivatePeerIDs(SplitList(cfg.PrivatePeerIDs)); err != nil {
		return nil, fmt.Errorf("new switch: private_peer_ids: %w", err)
	}
	return sw, nil
}

// SplitList splits a comma-separated config list, trimming spaces and dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// AddReactor registers r under name for its channels; the channels are appended to the node's
// NodeInfo. It must be called before Run. It panics if a channel is taken by another reactor or
// a descriptor has no MessageType (both programming errors).
func (sw *PeerSwitch) AddReactor(name string, r Reactor) {
	if sw.reactorsDone {
		panic(fmt.Sprintf("p2p: AddReactor(%q) after Run", name))
	}
	for _, d := range r.Channels() {
		if sw.channels.descs[d.ID] != nil {
			panic(fmt.Sprintf("p2p: channel %#02x of reactor %q is taken", d.ID, name))
		}
		if d.MessageType == nil {
			panic(fmt.Sprintf("p2p: channel %#02x of reactor %q has no message type", d.ID, name))
		}
		desc := d
		sw.channels.descs[d.ID] = &desc
		sw.channels.reactors[d.ID] = r
		sw.channels.list = append(sw.channels.list, d.ChannelDescriptor)
		if !sw.nodeInfo.HasChannel(d.ID) {
			sw.nodeInfo.Channels = append(sw.nodeInfo.Channels, d.ID)
		}
	}
	sw.reactors = append(sw.reactors, namedReactor{name: name, reactor: r})
}

// Reactor returns the reactor registered under name, or nil.
func (sw *PeerSwitch) Reactor(name string) Reactor {
	for _, nr := range sw.reactors {
		if nr.name == name {
			return nr.reactor
		}
	}
	return nil
}

// NodeInfo returns what the switch tells peers about this node. The caller may keep it.
func (sw *PeerSwitch) NodeInfo() NodeInfo {
	info := sw.nodeInfo
	info.Channels = slices.Clone(info.Channels)
	return info
}

// NetAddress returns the node's own address as its NodeInfo advertises it.
func (sw *PeerSwitch) NetAddress() (NetAddress, error) { return sw.nodeInfo.NetAddress() }

// Run accepts connections, dials the persistent peers and keeps them connected until ctx ends;
// then it closes the transport, disconnects every peer (reactors get RemovePeer with reason
// ErrSwitchStopped) and returns nil once every goroutine it started has ended. It returns an error
// if it was called before, or if the transport fails for good. Run may be called once.
func (sw *PeerSwitch) Run(ctx context.Context) error {
	sw.mu.Lock()
	if sw.ctx != nil {
		sw.mu.Unlock()
		return errors.New("switch: Run called twice")
	}
	if len(sw.channels.list) == 0 {
		sw.mu.Unlock()
		return errors.New("switch: no reactor has a channel")
	}
	// Everything the switch runs ends with cause ErrSwitchStopped, whatever ended the caller's ctx.
	parent := ctx
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	defer cancel(ErrSwitchStopped)
	sw.ctx = ctx
	sw.reactorsDone = true
	sw.mu.Unlock()

	acceptErr := make(chan error, 1)
	sw.goTracked(func() { acceptErr <- sw.acceptLoop(ctx) })
	sw.mu.Lock()
	persistent := make([]ID, 0, len(sw.persistent))
	for id := range sw.persistent {
		persistent = append(persistent, id)
	}
	sw.mu.Unlock()
	slices.Sort(persistent)
	for _, id := range persistent {
		sw.startRedial(id, sw.jitter(sw.startJitter))
	}
	close(sw.started)

	var err error
	select {
	case <-parent.Done():
	case err = <-acceptErr:
	}
	sw.mu.Lock()
	sw.stopping = true
	sw.mu.Unlock()
	cancel(ErrSwitchStopped)
	sw.transport.Close()
	sw.wg.Wait()
	return err
}

// Started is closed once Run has started: from then on dials are possible.
func (sw *PeerSwitch) Started() <-chan struct{} { return sw.started }

// goTracked runs f in a goroutine that Run waits for; it reports false (and does not run f) if
// the switch is not running.
func (sw *PeerSwitch) goTracked(f func()) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.ctx == nil || sw.stopping {
		return false
	}
	sw.wg.Go(f)
	return true
}

// runContext returns Run's context, or nil if the switch is not running.
func (sw *PeerSwitch) runContext() context.Context {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.stopping {
		return nil
	}
	return sw.ctx
}

// acceptLoop accepts inbound connections until ctx ends. It returns nil when stopped, or the
// transport's error once accepting has failed persistently.
func (sw *PeerSwitch) acceptLoop(ctx context.Context) error {
	const maxBackoff = time.Second
	backoff := time.Duration(0)
	for {
		raw, err := sw.transport.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("switch: transport closed: %w", err)
			}
			// Temporary failures (out of file descriptors…) are retried with a pause.
			backoff = min(max(2*backoff, 5*time.Millisecond), maxBackoff)
			sw.logger.Error("Accepting a connection failed", "err", err, "retry_in", backoff)
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
			continue
		}
		backoff = 0
		if !sw.goTracked(func() { sw.handleInbound(ctx, raw) }) {
			raw.Close()
			return nil
		}
	}
}
