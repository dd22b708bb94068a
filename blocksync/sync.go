package blocksync

import (
	"context"
	"errors"
	"time"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

type eventKind int

const (
	evStatus eventKind = iota
	evNoBlock
	evBlock
	evPeerGone
)

// event is what the p2p side tells the scheduler.
type event struct {
	kind         eventKind
	peer         p2p.Peer
	base, height int64
	block        *types.Block
	ext          *types.ExtendedCommit
	size         int
}

// applyJob asks the applier to verify first with second's last commit (or ext) and apply it.
type applyJob struct {
	first, second *types.Block
	ext           *types.ExtendedCommit
}

// applyResult is the applier's answer: the new state, or why first did not verify.
type applyResult struct {
	state state.State
	bad   error
}

// scheduler is the sync's main loop state; only the goroutine running sync touches it.
type scheduler struct {
	r         *Reactor
	pool      *Pool
	st        state.State
	synced    int64
	busy      bool            // a job is with the applier
	stopped   map[p2p.ID]bool // peers we stopped, until the switch removes them
	initalExt bool            // the store has the extended commit of the initial state's block
}

// sync fetches and applies blocks until the node has caught up. It returns the result, or an
// error if a block could not be saved or executed, or ctx's error.
func (r *Reactor) sync(ctx context.Context) (Result, error) {
	r.metrics.Syncing.Set(1)
	defer r.metrics.Syncing.Set(0)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := r.initial.LastBlockHeight + 1
	if r.initial.LastBlockHeight == 0 {
		start = r.initial.InitialHeight
	}
	s := &scheduler{r: r, pool: NewPool(r.cfg, start), st: r.initial, stopped: map[p2p.ID]bool{}}
	if h := r.initial.LastBlockHeight; h > 0 {
		_, err := r.store.LoadBlockExtendedCommit(h)
		s.initalExt = err == nil
	}

	jobs := make(chan applyJob, 1)
	results := make(chan applyResult, 1)
	applierDone := make(chan struct{})
	var applierErr error // written before applierDone is closed
	go func() {
		defer close(applierDone)
		applierErr = r.applier(ctx, r.initial, jobs, results)
	}()
	res, err := s.run(ctx, jobs, results, applierDone)
	cancel()
	close(jobs)
	<-applierDone
	if applierErr != nil && !errors.Is(applierErr, context.Canceled) {
		return Result{}, applierErr
	}
	return res, err
}

func (s *scheduler) run(ctx context.Context, jobs chan<- applyJob, results <-chan applyResult, applierDone <-chan struct{}) (Result, error) {
	r := s.r
	r.sw.Broadcast(statusRequest())
	status := time.NewTicker(r.cfg.StatusInterval)
	defer status.Stop()
	deadline := time.NewTimer(time.Hour)
	deadline.Stop()
	defer deadline.Stop()

	for {
		now := time.Now()
		for _, d := range s.pool.Expire(now) {
			s.stop(d.Peer, d.Err)
		}
		for _, a := range s.pool.Schedule(now) {
			a.Peer.TrySend(blockRequest(a.Height)) // a request that is not queued times out and is retried
		}
		if !s.busy {
			if first, second, ext := s.pool.NextBlocks(); first != nil {
				jobs <- applyJob{first: first, second: second, ext: ext}
				s.busy = true
			} else if s.caughtUp() {
				return Result{State: s.st, BlocksSynced: s.synced}, nil
			}
		}
		var deadlineC <-chan time.Time
		if at, ok := s.pool.NextDeadline(now); ok {
			deadline.Reset(at.Sub(now))
			deadlineC = deadline.C
		}

		select {
		case ev := <-r.events:
			s.handle(ev)
		case res := <-results:
			s.busy = false
			if res.bad != nil {
				for _, peer := range s.pool.RejectNext() {
					s.stop(peer, res.bad)
				}
				break
			}
			s.st = res.state
			s.pool.Pop()
			s.synced++
			if s.synced%100 == 0 {
				r.logger.Info("block sync", "height", s.st.LastBlockHeight, "max_peer_height", s.pool.MaxPeerHeight())
			}
		case <-applierDone:
			return Result{}, nil // sync reports the applier's error
		case <-status.C:
			r.sw.Broadcast(statusRequest())
		case <-deadlineC:
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
		deadline.Stop()
	}
}

// handle applies one p2p event to the pool.
func (s *scheduler) handle(ev event) {
	id := ev.peer.ID()
	if ev.kind == evPeerGone {
		delete(s.stopped, id)
		s.pool.RemovePeer(id)
		return
	}
	if s.stopped[id] {
		return
	}
	now := time.Now()
	switch ev.kind {
	case evStatus:
		if err := s.pool.SetPeerRange(ev.peer, ev.base, ev.height); err != nil {
			s.stop(ev.peer, err)
		}
	case evNoBlock:
		s.pool.NoBlock(id, ev.height, now)
	case evBlock:
		if err := s.pool.AddBlock(id, ev.block, ev.ext, ev.size, now); err != nil {
			s.stop(ev.peer, err)
		}
	}
}

func (s *scheduler) stop(peer p2p.Peer, err error) {
	s.stopped[peer.ID()] = true
	s.pool.RemovePeer(peer.ID())
	s.r.stopPeer(peer, err)
}

// caughtUp reports whether the sync may end (p2p.md §8): the extended commit of the last block
// is at hand when extensions were enabled there, and either this node holds at least a third of
// the voting power, or the pool has caught up with the peers that reported their range.
//
// CometBFT's pool also asks for "a block received or 5 s passed", but tests it as "next height
// > 0 or 5 s passed", which always holds: a node whose peers are at its height switches at
// once (at its next 1 s check), and so does this one.
func (s *scheduler) caughtUp() bool {
	if s.missingExtension() {
		return false
	}
	if s.blocksTheChain() {
		return true
	}
	return s.pool.CaughtUp()
}

// missingExtension reports whether consensus would lack the extended commit of the last block:
// extensions were enabled at that height, no block was synced (a synced block is saved with
// its extended commit) and the store did not have it at the start.
func (s *scheduler) missingExtension() bool {
	h := s.st.LastBlockHeight
	if h == 0 || s.synced > 0 || s.initalExt {
		return false
	}
	return s.st.ConsensusParams.ABCI.VoteExtensionsEnabled(h)
}

// blocksTheChain reports whether this node's validator holds at least a third of the voting
// power, so that no block can be committed without it.
func (s *scheduler) blocksTheChain() bool {
	addr := s.r.cfg.LocalAddress
	if len(addr) == 0 || s.st.Validators == nil {
		return false
	}
	_, val := s.st.Validators.GetByAddress(addr)
	return val != nil && val.VotingPower*3 >= s.st.Validators.TotalVotingPower()
}
