package reactor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ballot-bft/ballot/evidence"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// Channel is the evidence channel's ID.
const Channel = byte(0x38)

// MaxMessageSize is the largest evidence message accepted (RecvMessageCapacity).
const MaxMessageSize = 1048576

// DefaultRebroadcastInterval is how long after sending evidence the walk restarts from the
// oldest pending evidence (CometBFT's broadcastEvidenceIntervalS).
const DefaultRebroadcastInterval = 10 * time.Second

// Pool is what the reactor uses of the evidence pool (*evidence.Pool has these methods). Its
// methods are safe for concurrent use.
type Pool interface {
	// AddEvidence verifies and keeps evidence from a peer; errors wrapping
	// types.ErrInvalidEvidence mean the evidence is invalid.
	AddEvidence(ev types.Evidence) error
	// EvidenceWaitChan is closed when new evidence becomes pending.
	EvidenceWaitChan() <-chan struct{}
	// NextEvidence returns the first pending evidence that arrived after number after.
	NextEvidence(after uint64) (evidence.Entry, bool)
	// State is the chain state of the pool's last update (for the evidence params).
	State() state.State
}

// PeerHeights reports how far the peers' consensus has got, as the consensus reactor learns it
// from their NewRoundStep messages. It is safe for concurrent use.
type PeerHeights interface {
	// PeerHeight returns the height peer's consensus is working on (0 while unknown) and a
	// channel that is closed when that height may have changed.
	PeerHeight(peer p2p.ID) (height int64, changed <-chan struct{})
}

// Option configures a Reactor.
type Option func(*Reactor)

// WithLogger sets the reactor's logger (default: discard).
func WithLogger(logger log.Logger) Option { return func(r *Reactor) { r.logger = logger } }

// WithRebroadcastInterval sets how long after sending evidence the walk restarts from the
// oldest pending evidence (default DefaultRebroadcastInterval; 0 disables the rebroadcast).
func WithRebroadcastInterval(d time.Duration) Option {
	return func(r *Reactor) { r.rebroadcast = d }
}

// ErrMalformed is wrapped by the errors peers are stopped for when a message does not decode
// into valid evidence.
var ErrMalformed = errors.New("malformed evidence message")

// Reactor gossips evidence; see the package documentation. Its methods are safe for concurrent
// use.
type Reactor struct {
	pool        Pool
	sw          p2p.Switch
	heights     PeerHeights
	logger      log.Logger
	rebroadcast time.Duration

	mtx    sync.Mutex
	peers  map[p2p.ID]chan struct{} // a peer's stop channel, closed by RemovePeer
	closed bool
	wg     sync.WaitGroup
}

// New returns a reactor over pool. sw is the switch the reactor is added to (it stops
// misbehaving peers); heights gives the peers' consensus heights, without which no evidence
// can be sent safely, so it is required.
func New(pool Pool, sw p2p.Switch, heights PeerHeights, opts ...Option) (*Reactor, error) {
	if pool == nil || sw == nil || heights == nil {
		return nil, errors.New("evidence reactor: nil pool, switch or peer heights")
	}
	r := &Reactor{
		pool:        pool,
		sw:          sw,
		heights:     heights,
		logger:      log.NewNop(),
		rebroadcast: DefaultRebroadcastInterval,
		peers:       make(map[p2p.ID]chan struct{}),
	}
	for _, opt := range opts {
		opt(r)
	}
	return r, nil
}

// Channels returns the evidence channel: priority 6, one queued message, 1 MiB messages.
func (r *Reactor) Channels() []p2p.ChannelDescriptor {
	return []p2p.ChannelDescriptor{{
		ChannelDescriptor: conn.ChannelDescriptor{
			ID:                  Channel,
			Priority:            6,
			SendQueueCapacity:   1,
			RecvBufferCapacity:  4096,
			RecvMessageCapacity: MaxMessageSize,
		},
		MessageType: &tmproto.EvidenceList{},
	}}
}

// AddPeer starts the peer's sending goroutine (unless Run has returned).
func (r *Reactor) AddPeer(peer p2p.Peer) {
	r.mtx.Lock()
	defer r.mtx.Unlock()
	if r.closed {
		return
	}
	if _, ok := r.peers[peer.ID()]; ok {
		return
	}
	stop := make(chan struct{})
	r.peers[peer.ID()] = stop
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.gossip(peer, stop)
	}()
}

// RemovePeer stops the peer's sending goroutine.
func (r *Reactor) RemovePeer(peer p2p.Peer, _ error) {
	r.mtx.Lock()
	defer r.mtx.Unlock()
	if stop, ok := r.peers[peer.ID()]; ok {
		close(stop)
		delete(r.peers, peer.ID())
	}
}

// Run keeps the reactor running until ctx ends, then stops the peer goroutines, waits for them
// and returns nil.
func (r *Reactor) Run(ctx context.Context) error {
	<-ctx.Done()
	r.mtx.Lock()
	r.closed = true
	for id, stop := range r.peers {
		close(stop)
		delete(r.peers, id)
	}
	r.mtx.Unlock()
	r.wg.Wait()
	return nil
}

// Receive adds the evidence of an EvidenceList to the pool; malformed or invalid evidence stops
// the peer.
func (r *Reactor) Receive(e p2p.Envelope) {
	list, err := decode(e.Message)
	if err != nil {
		r.logger.Debug("malformed evidence message", "peer", e.Src.ID(), "err", err)
		r.sw.StopPeerForError(e.Src, err)
		return
	}
	for _, ev := range list {
		err := r.pool.AddEvidence(ev)
		switch {
		case err == nil:
		case errors.Is(err, types.ErrInvalidEvidence):
			r.logger.Info("peer sent invalid evidence", "peer", e.Src.ID(), "evidence", ev, "err", err)
			r.sw.StopPeerForError(e.Src, err)
			return
		default:
			r.logger.Error("evidence from peer not added", "peer", e.Src.ID(), "evidence", ev, "err", err)
		}
	}
}

// decode converts a received EvidenceList; errors wrap ErrMalformed.
func decode(msg any) ([]types.Evidence, error) {
	pb, ok := msg.(*tmproto.EvidenceList)
	if !ok {
		return nil, fmt.Errorf("%w: unexpected message type %T", ErrMalformed, msg)
	}
	list := make([]types.Evidence, 0, len(pb.Evidence))
	for i := range pb.Evidence {
		ev, err := types.EvidenceFromProto(&pb.Evidence[i])
		if err != nil {
			return nil, fmt.Errorf("%w: evidence %d: %w", ErrMalformed, i, err)
		}
		list = append(list, ev)
	}
	return list, nil
}
