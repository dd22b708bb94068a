package blocksync

import (
	"errors"

	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/p2p"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
)

// statusJob is the serving job "send our store's range".
const statusJob int64 = -1

// serveQueue bounds the jobs waiting for a peer's serving goroutine. A CometBFT peer has at
// most 20 block requests outstanding with us (plus status requests); jobs beyond the bound are
// dropped, as CometBFT drops answers its send queue has no room for, and the peer asks again.
const serveQueue = 128

// server answers one peer's requests from the block store on its own goroutine, so Receive
// never waits for the disk or for the peer's send queue.
type server struct {
	r    *Reactor
	peer p2p.Peer
	jobs chan int64
	quit chan struct{}
}

func newServer(r *Reactor, peer p2p.Peer) *server {
	return &server{r: r, peer: peer, jobs: make(chan int64, serveQueue), quit: make(chan struct{})}
}

// enqueue queues job without waiting.
func (s *server) enqueue(job int64) {
	select {
	case s.jobs <- job:
	default:
		s.r.logger.Debug("blocksync serving queue full: request dropped", "peer", s.peer.ID(), "job", job)
	}
}

// stop ends run. The reactor calls it once, under its mutex.
func (s *server) stop() { close(s.quit) }

func (s *server) run() {
	for {
		select {
		case job := <-s.jobs:
			s.handle(job)
		case <-s.quit:
			return
		case <-s.peer.Done():
			return
		}
	}
}

func (s *server) handle(job int64) {
	store := s.r.store
	if job == statusJob {
		s.peer.Send(statusResponse(store.Base(), store.Height()))
		return
	}
	msg, ok := s.r.blockResponse(job)
	if ok {
		s.peer.Send(envelope(msg))
	}
}

// blockResponse returns the answer to a request for the block at height: the block, with its
// extended commit when vote extensions were enabled at height, or NoBlockResponse when the
// store lacks the block. It reports false when nothing should be sent (the extended commit that
// must go with the block is missing, or the state cannot be read): the peer asks another.
func (r *Reactor) blockResponse(height int64) (*bcproto.Message, bool) {
	block, err := r.store.LoadBlock(height)
	if err != nil {
		if !errors.Is(err, blockstore.ErrNotFound) {
			r.logger.Error("cannot load a block a peer asked for", "height", height, "err", err)
		}
		return noBlockResponse(height).Message.(*bcproto.Message), true
	}
	st, err := r.states.Load()
	if err != nil {
		r.logger.Error("cannot load the state to answer a block request", "height", height, "err", err)
		return nil, false
	}
	res := &bcproto.BlockResponse{}
	if st.ConsensusParams.ABCI.VoteExtensionsEnabled(height) {
		ext, err := r.store.LoadBlockExtendedCommit(height)
		if err != nil {
			r.logger.Error("stored block has no extended commit", "height", height, "err", err)
			return nil, false
		}
		res.ExtCommit = ext.ToProto()
	}
	if res.Block, err = block.ToProto(); err != nil {
		r.logger.Error("cannot encode a stored block", "height", height, "err", err)
		return nil, false
	}
	return &bcproto.Message{Sum: &bcproto.Message_BlockResponse{BlockResponse: res}}, true
}
