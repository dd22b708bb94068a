package reactor

import (
	"context"
	"errors"
	"fmt"
	"sync"

	abcitypes "github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	"github.com/ballot-bft/ballot/types"
)

// Channel is the mempool channel's ID.
const Channel = byte(0x30)

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

// WithMetrics makes the reactor count the peers it gossips to in m.ActiveOutboundConnections
// (default: not counted).
func WithMetrics(m *mempool.Metrics) Option {
	return func(r *Reactor) { r.active = m.ActiveOutboundConnections }
}

// WithPeerHeights makes the reactor hold back transactions from peers whose consensus is more
// than one height behind the pool height the transaction was admitted at.
func WithPeerHeights(heights PeerHeights) Option { return func(r *Reactor) { r.heights = heights } }

// Reactor gossips the mempool's transactions; see the package documentation. Its methods are
// safe for concurrent use.
type Reactor struct {
	pool       mempool.Mempool
	sw         p2p.Switch
	logger     log.Logger
	heights    PeerHeights
	broadcast  bool
	maxTxBytes int
	maxMsgSize int
	active     metrics.Gauge // peers being gossiped to

	// Slots limit the peers that send at once (nil: no limit).
	persistentSlots, otherSlots chan struct{}

	ctx    context.Context // canceled when Run ends; bounds CheckTx waits
	cancel context.CancelFunc

	mtx    sync.Mutex
	peers  map[p2p.ID]chan struct{} // a peer's stop channel, closed by RemovePeer
	closed bool
	wg     sync.WaitGroup
}

// New returns a reactor that feeds pool and gossips its transactions as cfg says (broadcast,
// max_tx_bytes, experimental_max_gossip_connections_*). sw is the switch the reactor is added
// to; it is used to stop misbehaving peers.
func New(cfg *config.MempoolConfig, pool mempool.Mempool, sw p2p.Switch, opts ...Option) *Reactor {
	ctx, cancel := context.WithCancel(context.Background())
	r := &Reactor{
		pool:       pool,
		sw:         sw,
		logger:     log.NewNop(),
		broadcast:  cfg.Broadcast,
		maxTxBytes: cfg.MaxTxBytes,
		maxMsgSize: MaxMessageSize(cfg.MaxTxBytes),
		ctx:        ctx,
		cancel:     cancel,
		peers:      make(map[p2p.ID]chan struct{}),
		active:     mempool.NopMetrics().ActiveOutboundConnections,
	}
	if n := cfg.ExperimentalMaxGossipConnectionsToPersistentPeers; n > 0 {
		r.persistentSlots = make(chan struct{}, n)
	}
	if n := cfg.ExperimentalMaxGossipConnectionsToNonPersistentPeers; n > 0 {
		r.otherSlots = make(chan struct{}, n)
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Channels returns the mempool channel: priority 5, one queued message, and a receive limit of
// MaxMessageSize(max_tx_bytes).
func (r *Reactor) Channels() []p2p.ChannelDescriptor {
	return []p2p.ChannelDescriptor{{
		ChannelDescriptor: conn.ChannelDescriptor{
			ID:                  Channel,
			Priority:            5,
			SendQueueCapacity:   1,
			RecvBufferCapacity:  4096,
			RecvMessageCapacity: r.maxMsgSize,
		},
		MessageType: &mempoolpb.Message{},
	}}
}

// AddPeer starts the peer's sending goroutine (unless broadcast is off or Run has returned).
func (r *Reactor) AddPeer(peer p2p.Peer) {
	if !r.broadcast {
		return
	}
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
	if !r.broadcast {
		r.logger.Info("tx broadcasting is disabled")
	}
	<-ctx.Done()
	r.mtx.Lock()
	r.closed = true
	for id, stop := range r.peers {
		close(stop)
		delete(r.peers, id)
	}
	r.mtx.Unlock()
	r.cancel()
	r.wg.Wait()
	return nil
}

// Receive checks the transactions of a Txs message with the mempool; a malformed message stops
// the peer.
func (r *Reactor) Receive(e p2p.Envelope) {
	txs, err := r.decode(e.Message)
	if err != nil {
		r.logger.Debug("malformed mempool message", "peer", e.Src.ID(), "err", err)
		r.sw.StopPeerForError(e.Src, err)
		return
	}
	sender := e.Src.ID()
	for _, raw := range txs {
		tx := types.Tx(raw)
		err := r.pool.CheckTxAsync(r.ctx, tx, sender, func(res *abci.ResponseCheckTx, err error) {
			if err == nil && res.Code != abcitypes.CodeTypeOK {
				r.logger.Debug("peer's tx rejected by the app", "tx", tx.Hash(), "peer", sender, "code", res.Code)
			} else if err != nil {
				r.logger.Debug("peer's tx not admitted", "tx", tx.Hash(), "peer", sender, "err", err)
			}
		})
		switch {
		case err == nil:
		case errors.Is(err, mempool.ErrTxInCache):
			r.logger.Debug("tx already in cache", "tx", tx.Hash(), "peer", sender)
		case r.ctx.Err() != nil:
			return // stopping
		default:
			r.logger.Debug("could not check tx", "tx", tx.Hash(), "peer", sender, "err", err)
		}
	}
}

// ErrMalformed is wrapped by the errors peers are stopped for.
var ErrMalformed = errors.New("malformed mempool message")

// decode returns the transactions of a received message, or an error wrapping ErrMalformed.
// The switch hands over the channel's wrapper Message; a bare Txs is accepted too.
func (r *Reactor) decode(msg any) ([][]byte, error) {
	var txs *mempoolpb.Txs
	switch m := msg.(type) {
	case *mempoolpb.Message:
		txs = m.GetTxs()
		if txs == nil {
			return nil, fmt.Errorf("%w: message without txs (%T)", ErrMalformed, m.GetSum())
		}
	case *mempoolpb.Txs:
		txs = m
	default:
		return nil, fmt.Errorf("%w: unexpected message type %T", ErrMalformed, msg)
	}
	if len(txs.Txs) == 0 {
		return nil, fmt.Errorf("%w: empty txs", ErrMalformed)
	}
	for i, tx := range txs.Txs {
		if len(tx) > r.maxTxBytes {
			return nil, fmt.Errorf("%w: tx %d has %d bytes, more than max_tx_bytes %d", ErrMalformed, i, len(tx), r.maxTxBytes)
		}
	}
	return txs.Txs, nil
}
