package blocksync

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// BlockStore is what the reactor uses of the block store (*blockstore.BlockStore has these
// methods). Reads come from the peers' serving goroutines, writes only from the sync.
type BlockStore interface {
	Base() int64
	Height() int64
	LoadBlock(height int64) (*types.Block, error)
	LoadBlockExtendedCommit(height int64) (*types.ExtendedCommit, error)
	SaveBlock(block *types.Block, parts *types.PartSet, seenCommit *types.Commit) error
	SaveBlockWithExtendedCommit(block *types.Block, parts *types.PartSet, extCommit *types.ExtendedCommit) error
}

// StateStore gives the latest saved state (state.Store's Load): the serving side reads its
// consensus params to know whether a requested block needs its extended commit.
type StateStore interface {
	Load() (state.State, error)
}

// Executor validates and executes blocks (*state.BlockExecutor has these methods). Only the
// sync's applier goroutine calls it, one call at a time, and only until the sync ends.
type Executor interface {
	ValidateBlock(st state.State, block *types.Block) error
	ApplyVerifiedBlock(ctx context.Context, st state.State, blockID types.BlockID, block *types.Block) (state.State, error)
}

// Deps are the reactor's collaborators. Executor may be nil when the reactor does not sync.
type Deps struct {
	Switch     p2p.Switch
	BlockStore BlockStore
	StateStore StateStore
	Executor   Executor
	Logger     log.Logger
	Metrics    *Metrics // nil: NopMetrics
}

// Result is what the sync hands over to consensus.
type Result struct {
	// State is the chain state after the last block applied (the initial state if none was).
	State state.State
	// BlocksSynced is the number of blocks applied.
	BlocksSynced int64
}

// Reactor is the blocksync reactor: it serves blocks from the store to every peer and, when
// asked to sync, fetches and applies blocks until the node has caught up with its peers. Its
// methods are safe for concurrent use.
type Reactor struct {
	cfg     Config
	initial state.State
	syncing bool // this reactor syncs (set by New)
	sw      p2p.Switch
	store   BlockStore
	states  StateStore
	exec    Executor
	logger  log.Logger
	metrics *Metrics

	events      chan event    // from Receive/RemovePeer to the sync's scheduler
	syncDone    chan struct{} // closed when the sync has caught up (at once if not syncing)
	syncStopped chan struct{} // closed when the sync's goroutines have ended, for any reason
	result      Result        // written before syncDone is closed

	mtx     sync.Mutex
	servers map[p2p.ID]*server
	closed  bool
	wg      sync.WaitGroup
}

// New returns a reactor for a node whose state is st (after the handshake: st.LastBlockHeight
// equals the block store's height). With sync, Run fetches and applies blocks from peers
// until the node has caught up, then closes Done; without, Done is closed from the start and the
// reactor only serves blocks.
func New(cfg Config, st state.State, sync bool, deps Deps) (*Reactor, error) {
	if err := cfg.ValidateBasic(); err != nil {
		return nil, err
	}
	if deps.Switch == nil || deps.BlockStore == nil || deps.StateStore == nil || (sync && deps.Executor == nil) {
		return nil, errors.New("blocksync: nil switch, block store, state store or executor")
	}
	if h := deps.BlockStore.Height(); sync && h != st.LastBlockHeight {
		return nil, fmt.Errorf("blocksync: state height %d and block store height %d differ", st.LastBlockHeight, h)
	}
	r := &Reactor{
		cfg: cfg, initial: st, syncing: sync,
		sw: deps.Switch, store: deps.BlockStore, states: deps.StateStore, exec: deps.Executor, logger: deps.Logger,
		events:      make(chan event, 256),
		syncDone:    make(chan struct{}),
		syncStopped: make(chan struct{}),
		result:      Result{State: st},
		servers:     map[p2p.ID]*server{},
	}
	if r.logger == nil {
		r.logger = log.NewNop()
	}
	if r.metrics = deps.Metrics; r.metrics == nil {
		r.metrics = NopMetrics()
	}
	if !sync {
		close(r.syncDone)
		close(r.syncStopped)
	}
	return r, nil
}

// Done is closed when the sync has ended because the node caught up (at once if the reactor
// does not sync); Result is valid from then on. It is never closed if Run returns before.
func (r *Reactor) Done() <-chan struct{} { return r.syncDone }

// Result returns what the sync ended with, and false if it has not ended (Done not closed).
func (r *Reactor) Result() (Result, bool) {
	select {
	case <-r.syncDone:
		return r.result, true
	default:
		return Result{}, false
	}
}

// Channels returns the blocksync channel: priority 5, 1000 queued messages, a 200 KiB receive
// buffer and messages up to MaxMessageSize.
func (r *Reactor) Channels() []p2p.ChannelDescriptor {
	return []p2p.ChannelDescriptor{{
		ChannelDescriptor: conn.ChannelDescriptor{
			ID:                  Channel,
			Priority:            5,
			SendQueueCapacity:   1000,
			RecvBufferCapacity:  50 * 4096,
			RecvMessageCapacity: MaxMessageSize,
		},
		MessageType: &bcproto.Message{},
	}}
}

// AddPeer starts the peer's serving goroutine, which first sends our store's range.
func (r *Reactor) AddPeer(peer p2p.Peer) {
	r.mtx.Lock()
	defer r.mtx.Unlock()
	if r.closed {
		return
	}
	if _, ok := r.servers[peer.ID()]; ok {
		return
	}
	s := newServer(r, peer)
	r.servers[peer.ID()] = s
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		s.run()
	}()
	s.enqueue(statusJob)
}

// RemovePeer stops the peer's serving goroutine and drops it from the sync.
func (r *Reactor) RemovePeer(peer p2p.Peer, _ error) {
	r.mtx.Lock()
	if s, ok := r.servers[peer.ID()]; ok {
		s.stop()
		delete(r.servers, peer.ID())
	}
	r.mtx.Unlock()
	r.toSync(event{kind: evPeerGone, peer: peer})
}

// Receive handles a blocksync message; see the package documentation.
func (r *Reactor) Receive(e p2p.Envelope) {
	msg, ok := e.Message.(*bcproto.Message)
	if !ok {
		r.stopPeer(e.Src, malformed("unexpected message type %T", e.Message))
		return
	}
	if err := checkMessage(msg); err != nil {
		r.stopPeer(e.Src, err)
		return
	}
	switch m := msg.Sum.(type) {
	case *bcproto.Message_BlockRequest:
		r.serve(e.Src, m.BlockRequest.Height)
	case *bcproto.Message_StatusRequest:
		r.serve(e.Src, statusJob)
	case *bcproto.Message_StatusResponse:
		r.toSync(event{kind: evStatus, peer: e.Src, base: m.StatusResponse.Base, height: m.StatusResponse.Height})
	case *bcproto.Message_NoBlockResponse:
		r.toSync(event{kind: evNoBlock, peer: e.Src, height: m.NoBlockResponse.Height})
	case *bcproto.Message_BlockResponse:
		r.receiveBlock(e.Src, m.BlockResponse)
	}
}

// receiveBlock hands a block to the sync. A block while the reactor does not sync is
// unsolicited; one after the sync ended is a late answer and dropped.
func (r *Reactor) receiveBlock(src p2p.Peer, res *bcproto.BlockResponse) {
	if !r.syncing {
		r.stopPeer(src, fmt.Errorf("%w: this node does not sync", ErrUnsolicited))
		return
	}
	select {
	case <-r.syncStopped:
		return // a late answer
	default:
	}
	block, ext, err := decodeBlockResponse(res)
	if err != nil {
		r.stopPeer(src, err)
		return
	}
	r.toSync(event{kind: evBlock, peer: src, block: block, ext: ext, size: res.Size()})
}

// toSync passes ev to the sync's scheduler; it is dropped once the sync has ended (or when the
// reactor does not sync). Before Run starts the sync, events wait in a buffer; when it is full
// the caller waits for Run.
func (r *Reactor) toSync(ev event) {
	select {
	case r.events <- ev:
	case <-r.syncStopped:
	}
}

func (r *Reactor) stopPeer(peer p2p.Peer, err error) {
	r.logger.Info("stopping blocksync peer", "peer", peer.ID(), "err", err)
	r.sw.StopPeerForError(peer, err)
}

// serve queues a job (a height, or statusJob) for the peer's serving goroutine.
func (r *Reactor) serve(peer p2p.Peer, job int64) {
	r.mtx.Lock()
	s := r.servers[peer.ID()]
	r.mtx.Unlock()
	if s != nil {
		s.enqueue(job)
	}
}

// Run syncs (if the reactor was built to), then serves peers until ctx ends; it then stops
// the serving goroutines and returns nil. It returns an error if a block cannot be saved or
// executed: the node cannot go on.
func (r *Reactor) Run(ctx context.Context) error {
	defer r.shutdown()
	if r.syncing {
		res, err := r.sync(ctx)
		close(r.syncStopped)
		if ctx.Err() != nil {
			return nil // stopped while syncing
		}
		if err != nil {
			return err
		}
		r.result = res
		close(r.syncDone)
		r.logger.Info("caught up: switching to consensus", "height", res.State.LastBlockHeight+1, "blocks_synced", res.BlocksSynced)
	}
	<-ctx.Done()
	return nil
}

func (r *Reactor) shutdown() {
	r.mtx.Lock()
	r.closed = true
	for id, s := range r.servers {
		s.stop()
		delete(r.servers, id)
	}
	r.mtx.Unlock()
	r.wg.Wait()
}
