package reactor

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/p2p"
)

// peerGossip serves one peer. Its gossip goroutine (run) owns the peer's state and the announcer
// and chooses every message sent to the peer; its writer goroutine (write) performs the sends, one
// at a time, so that a slow peer never stops the gossip goroutine from taking in what the peer
// tells us. The receive side (Receive, on the switch's receive goroutine for this peer) hands
// updates to the gossip goroutine through inbox.
type peerGossip struct {
	r    *Reactor
	peer p2p.Peer
	rng  *rand.Rand // used by the gossip goroutine only

	ctx    context.Context // canceled when the peer is removed or the reactor stops
	cancel context.CancelFunc
	inbox  chan func(ps *peerState, l *local)

	height  *peerHeight // the peer's height as last announced, for other reactors
	stopped atomic.Bool // the peer was stopped for an error: ignore what else it sends

	// Owned by the receive side: the peer's +2/3 claims (BlockID keys) at the height
	// claimsHeight, by vote set.
	claimsHeight int64
	claims       map[voteSetKey]string
}

func newPeerGossip(r *Reactor, peer p2p.Peer, parent context.Context) *peerGossip {
	h := fnv.New64a()
	h.Write([]byte(peer.ID()))
	ctx, cancel := context.WithCancel(parent)
	return &peerGossip{
		r:      r,
		peer:   peer,
		rng:    rand.New(rand.NewPCG(r.seed, h.Sum64())),
		ctx:    ctx,
		cancel: cancel,
		inbox:  make(chan func(*peerState, *local), inboxSize),
		height: newPeerHeight(),
	}
}

// inboxSize bounds the updates waiting for the gossip goroutine; it drains them promptly (it never
// waits on the network), so Receive rarely waits.
const inboxSize = 256

// post hands an update to the gossip goroutine. It waits while the inbox is full, until the peer
// is removed or the reactor stops (the update is then dropped with the peer).
func (g *peerGossip) post(update func(ps *peerState, l *local)) {
	select {
	case g.inbox <- update:
	case <-g.ctx.Done():
	}
}

// run is the gossip goroutine: it applies updates from the receive side and, whenever the writer
// is free, sends the peer the most urgent thing it lacks. With nothing to send it waits for a new
// consensus snapshot, an update, the Maj23 query timer or the end.
func (g *peerGossip) run() {
	defer g.cancel()
	sends := make(chan message)
	results := make(chan bool, 1)
	g.r.wg.Add(1)
	go func() {
		defer g.r.wg.Done()
		g.write(sends, results)
	}()

	st := &sendState{ps: newPeerState()}
	var (
		snap     *consensus.Snapshot
		changed  <-chan struct{}
		inFlight *outgoing
		stalled  bool // the last send failed: wait for something to change before sending again
	)
	attached := g.r.attached
	maj23 := time.NewTicker(g.r.cfg.PeerQueryMaj23SleepDuration)
	defer maj23.Stop()

	for {
		var l *local
		if snap != nil && snap.View != nil {
			l = &local{view: snap.View, state: snap.State, blocks: g.r.blocks}
		}
		if inFlight == nil && !stalled && l != nil {
			if out, ok := g.next(l, st); ok {
				inFlight = &out
				select {
				case sends <- out.msg: // the writer is idle: it takes the message at once
				case <-g.ctx.Done():
					return
				}
			}
		}
		select {
		case update := <-g.inbox:
			update(st.ps, l)
			g.height.set(st.ps.Height)
			stalled = false
		case <-attached:
			attached = nil
			snap, changed = g.r.snapshot()
		case <-changed:
			snap, changed = g.r.snapshot()
			stalled = false
		case ok := <-results:
			if ok {
				if inFlight.sent != nil {
					inFlight.sent(st.ps)
				}
				if inFlight.then != nil {
					st.followUp = inFlight.then
				}
			}
			inFlight, stalled = nil, !ok
		case <-maj23.C:
			if l != nil {
				st.queries = l.maj23Queries(st.ps) // replaces claims a slow peer has not taken yet
			}
			stalled = false
		case <-g.peer.Done():
			return
		case <-g.ctx.Done():
			return
		}
	}
}

// sendState is what the gossip goroutine keeps about sending to the peer.
type sendState struct {
	ps       *peerState
	ann      announcer
	followUp message   // sent right after the message it follows (the POL bits after a proposal)
	queries  []message // the +2/3 claims of the last query period not yet sent
}

// next chooses the next message: our new position, a follow-up, the +2/3 claims, the other
// announcements, then parts and votes in random turn so that neither starves the other.
func (g *peerGossip) next(l *local, st *sendState) (outgoing, bool) {
	ann, announce := st.ann.next(l.view, g.r.now())
	if _, isStep := ann.msg.(newRoundStep); announce && isStep {
		return ann, true
	}
	if msg := st.followUp; msg != nil {
		st.followUp = nil
		return outgoing{msg: msg}, true
	}
	if len(st.queries) > 0 {
		msg := st.queries[0]
		st.queries = st.queries[1:]
		return outgoing{msg: msg}, true
	}
	if announce {
		return ann, true
	}
	if g.rng.IntN(2) == 0 {
		if out, ok := l.pickData(st.ps, g.rng); ok {
			return out, true
		}
		return l.pickVote(st.ps, g.rng)
	}
	if out, ok := l.pickVote(st.ps, g.rng); ok {
		return out, true
	}
	return l.pickData(st.ps, g.rng)
}

// write is the writer goroutine: it sends each message it is given and reports whether the peer
// took it.
func (g *peerGossip) write(sends <-chan message, results chan<- bool) {
	for {
		select {
		case msg := <-sends:
			results <- g.peer.Send(p2p.Envelope{ChannelID: msg.channel(), Message: msg.toProto()})
		case <-g.ctx.Done():
			return
		}
	}
}
