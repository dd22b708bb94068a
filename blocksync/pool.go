package blocksync

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"
)

// Pool decides which block to request from which peer, keeps the blocks received until they are
// applied, and judges peers by how they answer. It is a plain data structure with no goroutines
// and no clock: the sync's scheduler goroutine owns it and passes the current time in.
//
// Heights: Height is the next height to apply. Requests exist for heights in
// [Height, Height+RequestWindow) up to the highest height a peer reported; each is asked of one
// peer, or of two peers while it is less than DualRequestWindow above Height.
type Pool struct {
	cfg       Config
	height    int64
	peers     map[p2p.ID]*poolPeer
	requests  map[int64]*request
	maxHeight int64  // highest height a peer reported
	assigned  uint64 // counts assignments, to spread requests over peers
}

// poolPeer is what the pool knows of one peer.
type poolPeer struct {
	peer         p2p.Peer
	base, height int64
	pending      int       // requests assigned and unanswered
	deadline     time.Time // while pending > 0: the peer times out if nothing arrives by then
	busySince    time.Time // while pending > 0: when pending last rose from 0
	busyBytes    int64     // block bytes received since busySince
	lastAssigned uint64
}

// request is one height to fetch.
type request struct {
	height   int64
	askedAt  map[p2p.ID]time.Time // current assignments (≤ 2)
	asked    map[p2p.ID]bool      // every peer ever asked (late answers are tolerated)
	excluded map[p2p.ID]bool      // peers that said they do not have the block
	block    *types.Block
	ext      *types.ExtendedCommit
	from     p2p.ID
}

// Assignment is a block request the pool wants sent.
type Assignment struct {
	Peer   p2p.Peer
	Height int64
}

// NewPool returns a pool whose next height to apply is height.
func NewPool(cfg Config, height int64) *Pool {
	return &Pool{cfg: cfg, height: height, peers: map[p2p.ID]*poolPeer{}, requests: map[int64]*request{}}
}

// Height returns the next height to apply.
func (p *Pool) Height() int64 { return p.height }

// MaxPeerHeight returns the highest height a connected peer reported.
func (p *Pool) MaxPeerHeight() int64 { return p.maxHeight }

// NumPeers returns the number of peers that reported their range.
func (p *Pool) NumPeers() int { return len(p.peers) }

// SetPeerRange records that peer holds blocks [base, height]. A peer whose height goes down is
// removed and ErrHeightDecreased returned (the caller stops it): a peer must not advertise
// blocks it then refuses to serve.
func (p *Pool) SetPeerRange(peer p2p.Peer, base, height int64) error {
	id := peer.ID()
	pp, ok := p.peers[id]
	if !ok {
		p.peers[id] = &poolPeer{peer: peer, base: base, height: height}
		p.maxHeight = max(p.maxHeight, height)
		return nil
	}
	if height < pp.height {
		p.RemovePeer(id)
		return fmt.Errorf("%w: from %d to %d", ErrHeightDecreased, pp.height, height)
	}
	pp.base, pp.height = base, height
	for _, req := range p.requests {
		delete(req.excluded, id) // its store changed: it may have what it lacked
	}
	p.maxHeight = max(p.maxHeight, height)
	return nil
}

// RemovePeer forgets peer: its requests are asked of others, and blocks it sent that are not
// applied yet are dropped (a peer that is gone cannot be held to them).
func (p *Pool) RemovePeer(id p2p.ID) {
	if _, ok := p.peers[id]; !ok {
		return
	}
	delete(p.peers, id)
	for _, req := range p.requests {
		delete(req.askedAt, id)
		if req.block != nil && req.from == id {
			req.block, req.ext, req.from = nil, nil, ""
		}
	}
	p.maxHeight = 0
	for _, pp := range p.peers {
		p.maxHeight = max(p.maxHeight, pp.height)
	}
}

// AddBlock records block (with ext, its extended commit, and size, its encoded size) from peer.
// A block for a height never asked of that peer gives an error wrapping ErrUnsolicited (the
// caller stops the peer); a late or duplicate answer is ignored.
func (p *Pool) AddBlock(id p2p.ID, block *types.Block, ext *types.ExtendedCommit, size int, now time.Time) error {
	h := block.Height
	if h < p.height {
		return nil // applied already: a late answer
	}
	req, ok := p.requests[h]
	if !ok || !req.asked[id] {
		return fmt.Errorf("%w: height %d was not requested from peer %s", ErrUnsolicited, h, id)
	}
	if _, current := req.askedAt[id]; !current {
		return nil // asked before, then asked of another peer
	}
	p.answered(req, id, now)
	if pp := p.peers[id]; pp != nil {
		pp.busyBytes += int64(size)
	}
	if req.block == nil {
		req.block, req.ext, req.from = block, ext, id
	}
	return nil
}

// NoBlock records that peer does not have the block at height: the request goes to another
// peer (this one is not asked for it again until it reports its range anew). Answers for
// requests not assigned to the peer are ignored.
func (p *Pool) NoBlock(id p2p.ID, height int64, now time.Time) {
	req, ok := p.requests[height]
	if !ok {
		return
	}
	if _, current := req.askedAt[id]; !current {
		return
	}
	p.answered(req, id, now)
	req.excluded[id] = true
}

// answered ends peer's assignment for req. A zero now leaves the peer's deadline as it was.
func (p *Pool) answered(req *request, id p2p.ID, now time.Time) {
	delete(req.askedAt, id)
	pp := p.peers[id]
	if pp == nil {
		return
	}
	pp.pending--
	switch {
	case pp.pending == 0:
		pp.deadline = time.Time{}
	case !now.IsZero():
		pp.deadline = now.Add(p.cfg.PeerTimeout)
	}
}

// Schedule creates the requests the window allows and assigns every request that lacks a block
// and a peer (or its second peer) to an eligible peer: one whose range covers the height, that
// has fewer than MaxPendingPerPeer requests, is not already asked and did not say it lacks the
// block. Among those it picks the one with the fewest pending requests (then the one assigned
// least recently). It returns the requests to send, lowest height first.
func (p *Pool) Schedule(now time.Time) []Assignment {
	last := min(p.height+p.cfg.RequestWindow-1, p.maxHeight)
	var out []Assignment
	for h := p.height; h <= last; h++ {
		req := p.requests[h]
		if req == nil {
			req = &request{height: h, askedAt: map[p2p.ID]time.Time{}, asked: map[p2p.ID]bool{}, excluded: map[p2p.ID]bool{}}
			p.requests[h] = req
		}
		if req.block != nil {
			continue
		}
		want := 1
		if h-p.height < p.cfg.DualRequestWindow {
			want = 2
		}
		for len(req.askedAt) < want {
			pp := p.pickPeer(req)
			if pp == nil {
				break
			}
			p.assign(req, pp, now)
			out = append(out, Assignment{Peer: pp.peer, Height: h})
		}
	}
	return out
}

func (p *Pool) pickPeer(req *request) *poolPeer {
	var best *poolPeer
	for id, pp := range p.peers {
		if pp.pending >= p.cfg.MaxPendingPerPeer || req.height < pp.base || req.height > pp.height || req.excluded[id] {
			continue
		}
		if _, asked := req.askedAt[id]; asked {
			continue
		}
		if best == nil || better(pp, best) {
			best = pp
		}
	}
	return best
}

// better orders candidate peers: fewer pending requests, then assigned less recently, then the
// lower ID (so the choice never depends on map order).
func better(a, b *poolPeer) bool {
	if a.pending != b.pending {
		return a.pending < b.pending
	}
	if a.lastAssigned != b.lastAssigned {
		return a.lastAssigned < b.lastAssigned
	}
	return a.peer.ID() < b.peer.ID()
}

func (p *Pool) assign(req *request, pp *poolPeer, now time.Time) {
	id := pp.peer.ID()
	req.askedAt[id] = now
	req.asked[id] = true
	if pp.pending == 0 {
		pp.deadline = now.Add(p.cfg.PeerTimeout)
		pp.busySince, pp.busyBytes = now, 0
	}
	pp.pending++
	p.assigned++
	pp.lastAssigned = p.assigned
}

// Dropped is a peer the pool removed, with the reason to stop it for.
type Dropped struct {
	Peer p2p.Peer
	Err  error
}

// Expire applies the clock: peers past their deadline, or too slow, are removed and returned
// (the caller stops them); requests asked more than RetryTimeout ago are freed for another
// peer.
func (p *Pool) Expire(now time.Time) []Dropped {
	var out []Dropped
	for _, pp := range p.peers {
		if pp.pending == 0 {
			continue
		}
		if !now.Before(pp.deadline) {
			out = append(out, Dropped{pp.peer, fmt.Errorf("%w: no block for %v with %d requests pending",
				ErrPeerTimeout, p.cfg.PeerTimeout, pp.pending)})
			continue
		}
		if busy := now.Sub(pp.busySince); p.cfg.MinRecvRate > 0 && busy >= p.cfg.RateWindow && pp.busyBytes > 0 {
			if rate := float64(pp.busyBytes) / busy.Seconds(); rate < float64(p.cfg.MinRecvRate) {
				out = append(out, Dropped{pp.peer, fmt.Errorf("%w: %.0f B/s, less than %d B/s",
					ErrPeerTimeout, rate, p.cfg.MinRecvRate)})
			}
		}
	}
	slices.SortFunc(out, func(a, b Dropped) int { return strings.Compare(string(a.Peer.ID()), string(b.Peer.ID())) })
	for _, d := range out {
		p.RemovePeer(d.Peer.ID())
	}
	for _, req := range p.requests {
		for id, at := range req.askedAt {
			if !now.Before(at.Add(p.cfg.RetryTimeout)) {
				p.answered(req, id, time.Time{})
			}
		}
	}
	return out
}

// NextDeadline returns the earliest time after now at which Expire would change something
// without any other event, or false if there is none. (Once a peer's rate is being judged, it is
// judged again at every event; a peer that sends nothing more reaches its deadline.)
func (p *Pool) NextDeadline(now time.Time) (time.Time, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, pp := range p.peers {
		if pp.pending == 0 {
			continue
		}
		consider(pp.deadline)
		if p.cfg.MinRecvRate > 0 {
			consider(pp.busySince.Add(p.cfg.RateWindow))
		}
	}
	for _, req := range p.requests {
		for _, at := range req.askedAt {
			consider(at.Add(p.cfg.RetryTimeout))
		}
	}
	return next, !next.IsZero()
}

// NextBlocks returns the blocks at Height and Height+1 when both are here (with the extended
// commit sent with the first), or nils.
func (p *Pool) NextBlocks() (first, second *types.Block, ext *types.ExtendedCommit) {
	r1, r2 := p.requests[p.height], p.requests[p.height+1]
	if r1 == nil || r2 == nil || r1.block == nil || r2.block == nil {
		return nil, nil, nil
	}
	return r1.block, r2.block, r1.ext
}

// Pop records that the block at Height was applied: the next height becomes Height+1.
func (p *Pool) Pop() {
	if req := p.requests[p.height]; req != nil {
		for id := range req.askedAt {
			p.answered(req, id, time.Time{})
		}
		delete(p.requests, p.height)
	}
	p.height++
}

// RejectNext records that the blocks at Height and Height+1 did not verify: both peers that sent
// them are removed (and returned, for the caller to stop) and both heights asked again.
func (p *Pool) RejectNext() []p2p.Peer {
	var out []p2p.Peer
	for _, h := range []int64{p.height, p.height + 1} {
		req := p.requests[h]
		if req == nil || req.block == nil {
			continue
		}
		id := req.from
		req.block, req.ext, req.from = nil, nil, ""
		if pp := p.peers[id]; pp != nil {
			if !slices.ContainsFunc(out, func(q p2p.Peer) bool { return q.ID() == id }) {
				out = append(out, pp.peer)
			}
			p.RemovePeer(id)
		}
	}
	return out
}

// CaughtUp reports CometBFT's condition for ending the sync: at least one peer, and the next
// height to apply at least the highest peer height minus one (the block at the highest height
// cannot be verified before its successor exists).
func (p *Pool) CaughtUp() bool {
	return len(p.peers) > 0 && p.height >= p.maxHeight-1
}
