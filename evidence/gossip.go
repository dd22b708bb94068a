package evidence

import (
	"context"
	"sort"

	"github.com/ballot-bft/ballot/types"
)

// Entry is one pending evidence handed to the gossip reactor.
type Entry struct {
	// Evidence is shared read-only.
	Evidence types.Evidence
	// Seq is the evidence's arrival number; pass it to NextEvidence for the following one.
	Seq uint64
}

// pendingEv is one pending evidence. Every field but removed is immutable once it is in the
// pool; removed is guarded by the pool's mutex.
type pendingEv struct {
	ev      types.Evidence
	key     string // pending key in the database; orders oldest first
	size    int64  // bytes it adds to proto(EvidenceList)
	seq     uint64 // arrival order, from 1
	removed bool
}

func (e *pendingEv) entry() Entry { return Entry{Evidence: e.ev, Seq: e.seq} }

// compactMin is the number of removed entries the arrival list tolerates before it is rebuilt.
const compactMin = 32

// arrivals keeps pending evidence in arrival (seq) order for gossip. Removal marks the entry and
// leaves it in place until removed entries outnumber live ones, so finding the successor of a
// sequence number — even of removed evidence — is a binary search. The pool's mutex guards it.
type arrivals struct {
	order []*pendingEv // ascending seq; includes removed entries
	dead  int
}

// add appends e, whose seq must exceed every seq in the list.
func (a *arrivals) add(e *pendingEv) {
	if n := len(a.order); n > 0 && a.order[n-1].seq >= e.seq {
		panic("evidence: arrival sequence numbers out of order")
	}
	a.order = append(a.order, e)
}

// remove marks e removed (idempotent).
func (a *arrivals) remove(e *pendingEv) {
	if e.removed {
		return
	}
	e.removed = true
	a.dead++
	if a.dead >= compactMin && a.dead > len(a.order)/2 {
		live := a.order[:0]
		for _, x := range a.order {
			if !x.removed {
				live = append(live, x)
			}
		}
		clear(a.order[len(live):])
		a.order = live
		a.dead = 0
	}
}

// next returns the first live entry with seq > after, or nil.
func (a *arrivals) next(after uint64) *pendingEv {
	i := sort.Search(len(a.order), func(i int) bool { return a.order[i].seq > after })
	for ; i < len(a.order); i++ {
		if !a.order[i].removed {
			return a.order[i]
		}
	}
	return nil
}

// EvidenceWaitChan returns a channel that is closed when the next evidence becomes pending.
// Take the channel before looking for evidence (NextEvidence) so that no arrival is missed.
func (p *Pool) EvidenceWaitChan() <-chan struct{} {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.waitChLocked()
}

func (p *Pool) waitChLocked() chan struct{} {
	if p.waitCh == nil {
		p.waitCh = make(chan struct{})
	}
	return p.waitCh
}

// wakeLocked closes the wait channel after new evidence became pending.
func (p *Pool) wakeLocked() {
	if p.waitCh != nil {
		close(p.waitCh)
		p.waitCh = nil
	}
}

// NextEvidence returns the first pending evidence that arrived after the one numbered after
// (0: the first), whether or not that one is still pending.
func (p *Pool) NextEvidence(after uint64) (Entry, bool) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if e := p.arrivals.next(after); e != nil {
		return e.entry(), true
	}
	return Entry{}, false
}

// EvidenceFront returns the oldest pending evidence in arrival order: NextEvidence(0).
func (p *Pool) EvidenceFront() (Entry, bool) { return p.NextEvidence(0) }

// WaitNextEvidence is NextEvidence that waits for such evidence, or fails with ctx's error.
func (p *Pool) WaitNextEvidence(ctx context.Context, after uint64) (Entry, error) {
	for {
		p.mtx.Lock()
		if e := p.arrivals.next(after); e != nil {
			entry := e.entry()
			p.mtx.Unlock()
			return entry, nil
		}
		wait := p.waitChLocked()
		p.mtx.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		}
	}
}
