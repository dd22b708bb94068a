package reactor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/types"
)

// Consensus is the consensus driver as the reactor uses it (*consensus.Driver).
type Consensus interface {
	// Deliver queues a peer's message; it may wait for room until ctx is done.
	Deliver(ctx context.Context, msg consensus.PeerMessage) error
	// Snapshot returns the latest published snapshot; its Changed channel is closed when a newer
	// one is published.
	Snapshot() *consensus.Snapshot
}

// BlockStore is the part of the block store the reactor reads to catch lagging peers up. Its
// methods are called from the peers' gossip goroutines concurrently.
type BlockStore interface {
	Base() int64
	Height() int64
	LoadBlockMeta(height int64) (*types.BlockMeta, error)
	LoadBlockPart(height int64, index int) (*types.Part, error)
	LoadBlockCommit(height int64) (*types.Commit, error)
	LoadSeenCommit(height int64) (*types.Commit, error)
	LoadBlockExtendedCommit(height int64) (*types.ExtendedCommit, error)
}

// Config is the reactor's configuration.
type Config struct {
	// PeerQueryMaj23SleepDuration is how often each peer is sent our +2/3 claims
	// (peer_query_maj23_sleep_duration).
	PeerQueryMaj23SleepDuration time.Duration
	// DeliverTimeout bounds how long a peer's message may wait for room in the driver's inbox
	// before it is dropped, so that a stalled driver never holds a peer's receive goroutine.
	DeliverTimeout time.Duration
}

// DefaultConfig returns CometBFT's defaults.
func DefaultConfig() Config {
	return Config{PeerQueryMaj23SleepDuration: 2 * time.Second, DeliverTimeout: 10 * time.Second}
}

// ValidateBasic checks that the durations are positive.
func (c Config) ValidateBasic() error {
	if c.PeerQueryMaj23SleepDuration <= 0 {
		return fmt.Errorf("peer_query_maj23_sleep_duration must be positive, got %v", c.PeerQueryMaj23SleepDuration)
	}
	if c.DeliverTimeout <= 0 {
		return fmt.Errorf("deliver timeout must be positive, got %v", c.DeliverTimeout)
	}
	return nil
}

// Deps are the reactor's collaborators.
type Deps struct {
	BlockStore BlockStore
	// InitialHeight is the chain's initial height (genesis initial_height), for checking peers'
	// NewRoundStep messages.
	InitialHeight int64
	Logger        log.Logger
	// Seed seeds the random choice of the parts and votes sent to each peer.
	Seed uint64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Reactor is the consensus reactor: it gossips proposals, block parts and votes with peers on
// the State, Data, Vote and VoteSetBits channels (p2p.md §6–7). It implements p2p.Reactor for the
// switch and consensus.Gossip for the driver.
//
// Until SwitchToConsensus, the node is syncing: the reactor follows peers' positions (State
// channel) but ignores their proposals, parts and votes and sends nothing.
type Reactor struct {
	cfg           Config
	logger        log.Logger
	blocks        BlockStore
	initialHeight int64
	seed          uint64
	now           func() time.Time

	sw p2p.Switch // set by SetSwitch before the switch starts

	cons       atomic.Pointer[Consensus]
	attached   chan struct{} // closed by SwitchToConsensus
	attachOnce sync.Once

	ctx    context.Context // the peers' goroutines run until it is canceled (by Run)
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu           sync.Mutex // guards peers and peersChanged
	peers        map[p2p.ID]*peerGossip
	peersChanged chan struct{} // closed (and replaced) when a peer is added or removed
}

var (
	_ p2p.Reactor      = (*Reactor)(nil)
	_ consensus.Gossip = (*Reactor)(nil)
)

// New returns a reactor in the syncing state. Call SetSwitch before the switch starts, Run to
// serve peers, and SwitchToConsensus once the driver runs.
func New(cfg Config, deps Deps) (*Reactor, error) {
	if err := cfg.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("consensus reactor: %w", err)
	}
	if deps.BlockStore == nil {
		return nil, errors.New("consensus reactor: no block store")
	}
	logger := deps.Logger
	if logger == nil {
		logger = log.NewNop()
	}
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	initial := deps.InitialHeight
	if initial == 0 {
		initial = 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Reactor{
		cfg: cfg, logger: logger, blocks: deps.BlockStore, initialHeight: initial, seed: deps.Seed, now: now,
		attached: make(chan struct{}),
		ctx:      ctx, cancel: cancel,
		peers: map[p2p.ID]*peerGossip{}, peersChanged: make(chan struct{}),
	}, nil
}

// SetSwitch gives the reactor the switch that runs it. Call it once, before the switch starts.
func (r *Reactor) SetSwitch(sw p2p.Switch) { r.sw = sw }

// Run serves peers until ctx is done, then stops every peer's goroutines and returns nil once
// they have exited. Peers added before Run are served at once.
func (r *Reactor) Run(ctx context.Context) error {
	<-ctx.Done()
	r.mu.Lock()
	r.cancel()
	r.mu.Unlock()
	r.wg.Wait()
	return nil
}

// SwitchToConsensus attaches the running consensus driver: from now on the reactor delivers
// peers' proposals, parts and votes to it and gossips from its snapshots. Later calls do nothing.
func (r *Reactor) SwitchToConsensus(c Consensus) {
	r.attachOnce.Do(func() {
		r.cons.Store(&c)
		close(r.attached)
	})
}

// consensus returns the attached driver, or nil while syncing.
func (r *Reactor) consensus() Consensus {
	if c := r.cons.Load(); c != nil {
		return *c
	}
	return nil
}

// snapshot returns the driver's latest snapshot and its Changed channel (nil, nil while syncing).
func (r *Reactor) snapshot() (*consensus.Snapshot, <-chan struct{}) {
	c := r.consensus()
	if c == nil {
		return nil, nil
	}
	s := c.Snapshot()
	if s == nil {
		return nil, nil
	}
	return s, s.Changed
}

// Channels returns the four consensus channels with CometBFT's priorities and capacities.
func (r *Reactor) Channels() []p2p.ChannelDescriptor {
	desc := func(id byte, priority, sendQueue, recvBuffer int) p2p.ChannelDescriptor {
		return p2p.ChannelDescriptor{
			ChannelDescriptor: conn.ChannelDescriptor{
				ID: id, Priority: priority, SendQueueCapacity: sendQueue,
				RecvBufferCapacity: recvBuffer, RecvMessageCapacity: maxMsgSize,
			},
			MessageType: &consensuspb.Message{},
		}
	}
	return []p2p.ChannelDescriptor{
		desc(StateChannel, 6, 100, 4096),
		desc(DataChannel, 10, 100, 50*4096),
		desc(VoteChannel, 7, 100, 100*100),
		desc(VoteSetBitsChannel, 1, 2, 1024),
	}
}

// maxMsgSize is the largest consensus message accepted (RecvMessageCapacity).
const maxMsgSize = 1048576

// AddPeer starts serving peer: its gossip and writer goroutines begin by sending our position.
func (r *Reactor) AddPeer(peer p2p.Peer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx.Err() != nil {
		return
	}
	if old, ok := r.peers[peer.ID()]; ok {
		old.cancel()
	}
	g := newPeerGossip(r, peer, r.ctx)
	r.peers[peer.ID()] = g
	r.notifyPeersChangedLocked()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		g.run()
	}()
}

// RemovePeer stops serving peer.
func (r *Reactor) RemovePeer(peer p2p.Peer, reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g, ok := r.peers[peer.ID()]; ok && g.peer == peer {
		g.cancel()
		delete(r.peers, peer.ID())
		r.notifyPeersChangedLocked()
	}
}

// notifyPeersChangedLocked wakes PeerHeight's waiters on absent peers. r.mu must be held.
func (r *Reactor) notifyPeersChangedLocked() {
	close(r.peersChanged)
	r.peersChanged = make(chan struct{})
}

func (r *Reactor) lookup(id p2p.ID) *peerGossip {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peers[id]
}

// PeerHeight returns the consensus height peer id last announced (0 if none yet, or if the peer
// is not connected) and a channel that is closed when that may have changed: when the peer
// announces another height, or — for a peer not connected — when the set of peers changes. Any
// goroutine may call it (the mempool and evidence reactors use it to hold back what a peer
// cannot use yet).
func (r *Reactor) PeerHeight(id p2p.ID) (int64, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.peers[id]
	if g == nil {
		return 0, r.peersChanged
	}
	return g.height.get()
}

// Broadcast is the driver's hook for its own proposal, parts and votes. It has nothing to do:
// they are in the next snapshot the driver publishes, from which each peer's gossip goroutine
// sends them to the peers that lack them.
func (r *Reactor) Broadcast(core.Input) {}

// errRejected wraps the reason a peer is stopped for a message consensus rejected (Punish).
var errRejected = errors.New("consensus rejected the peer's message")

// Punish disconnects a peer whose message the consensus machine rejected as invalid. It does not
// block.
//
// A block part that does not fit the part set being assembled is not held against the peer: an
// honest peer sends one when our part set changed while the part was on its way (a polka for
// another block), or when it catches us up on the decided block while we assemble another
// proposal of the same round. (CometBFT never disconnects for it either.)
func (r *Reactor) Punish(peer core.PeerID, err error) {
	g := r.lookup(p2p.ID(peer))
	if g == nil {
		return
	}
	if errors.Is(err, types.ErrPartSetInvalidProof) || errors.Is(err, types.ErrPartSetUnexpectedIndex) {
		r.logger.Debug("a peer's block part does not fit our part set", "peer", peer, "err", err)
		return
	}
	r.stopPeer(g, fmt.Errorf("%w: %w", errRejected, err))
}

// stopPeer asks the switch to disconnect the peer, once, without waiting; the peer's further
// messages are ignored.
func (r *Reactor) stopPeer(g *peerGossip, err error) {
	if g.stopped.Swap(true) {
		return
	}
	r.logger.Debug("stopping peer for error", "peer", g.peer.ID(), "err", err)
	if r.sw == nil {
		g.cancel()
		return
	}
	go r.sw.StopPeerForError(g.peer, err)
}
