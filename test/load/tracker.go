package load

import (
	"sync/atomic"
	"time"
)

// Per-transaction state bits.
const (
	stateSent      uint32 = 1 << iota // request written
	stateAccepted                     // the node answered without error and with code 0
	stateFailed                       // rejected, or no usable answer
	stateCommitted                    // seen in a committed block

	stateTerminal = stateFailed | stateCommitted
)

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	maxChunks = 1 << 12
	// maxTxs is the tracker's capacity: beyond it Reserve refuses and permits count as not sent.
	maxTxs = maxChunks * chunkSize
)

type slot struct {
	sentAt atomic.Int64 // nanoseconds since the tracker's origin, plus one; 0 = not sent yet
	state  atomic.Uint32
}

type chunk [chunkSize]slot

// Tracker holds the state of every transaction of a run, indexed by sequence number, in
// fixed-size chunks allocated as the sequence grows (16 bytes per transaction, no hash table).
// All methods are safe for concurrent use: senders reserve, mark sent and resolve; the block
// watcher commits.
type Tracker struct {
	origin   time.Time
	next     atomic.Int64
	terminal atomic.Int64 // transactions that were sent and reached a terminal state
	sent     atomic.Int64
	chunks   [maxChunks]atomic.Pointer[chunk]
}

// NewTracker returns an empty tracker measuring times from origin.
func NewTracker(origin time.Time) *Tracker { return &Tracker{origin: origin} }

// Reserve hands out n consecutive fresh sequence numbers and returns the first. It returns
// false when the tracker is full (maxTxs).
func (t *Tracker) Reserve(n int) (int64, bool) {
	first := t.next.Add(int64(n)) - int64(n)
	if first+int64(n) > maxTxs {
		t.next.Add(-int64(n)) // best effort; the tracker stays full either way
		return 0, false
	}
	for c := first >> chunkBits; c <= (first+int64(n)-1)>>chunkBits; c++ {
		if t.chunks[c].Load() == nil {
			t.chunks[c].CompareAndSwap(nil, new(chunk))
		}
	}
	return first, true
}

func (t *Tracker) slot(seq int64) *slot {
	if seq < 0 || seq >= maxTxs {
		return nil
	}
	c := t.chunks[seq>>chunkBits].Load()
	if c == nil {
		return nil
	}
	return &c[seq&(chunkSize-1)]
}

// MarkSent records that seq's request is written at at. seq must come from Reserve.
func (t *Tracker) MarkSent(seq int64, at time.Time) {
	s := t.slot(seq)
	s.sentAt.Store(int64(at.Sub(t.origin)) + 1)
	if s.state.Or(stateSent)&stateSent == 0 {
		t.sent.Add(1)
	}
}

// Resolve records the node's answer for seq: accepted, or failed (rejected / no answer).
func (t *Tracker) Resolve(seq int64, accepted bool) {
	s := t.slot(seq)
	bit := stateFailed
	if accepted {
		bit = stateAccepted
	}
	if old := s.state.Or(bit); old&stateTerminal == 0 && bit&stateTerminal != 0 {
		t.terminal.Add(1)
	}
}

// CommitResult says what a committed sequence number meant to the tracker.
type CommitResult int

// The commit results.
const (
	CommitFirst   CommitResult = iota // first commit of a transaction this run sent
	CommitDup                         // this run's transaction, already seen committed
	CommitUnknown                     // a sequence this run never sent (e.g. an earlier run's)
)

// Commit records that seq was seen committed at at and, for CommitFirst, returns the commit
// latency measured from its send time.
func (t *Tracker) Commit(seq int64, at time.Time) (time.Duration, CommitResult) {
	if seq >= t.next.Load() {
		return 0, CommitUnknown
	}
	s := t.slot(seq)
	if s == nil {
		return 0, CommitUnknown
	}
	sentAt := s.sentAt.Load()
	if sentAt == 0 {
		return 0, CommitUnknown
	}
	old := s.state.Or(stateCommitted)
	if old&stateCommitted != 0 {
		return 0, CommitDup
	}
	if old&stateTerminal == 0 {
		t.terminal.Add(1)
	}
	return at.Sub(t.origin) - time.Duration(sentAt-1), CommitFirst
}

// Pending is the number of sent transactions neither committed nor known failed.
func (t *Tracker) Pending() int64 { return t.sent.Load() - t.terminal.Load() }

// Sent is the number of transactions marked sent.
func (t *Tracker) Sent() int64 { return t.sent.Load() }

// AcceptedUncommitted counts transactions that were accepted but not seen committed. It scans
// every slot, so call it once at the end of a run.
func (t *Tracker) AcceptedUncommitted() int64 {
	var n int64
	last := t.next.Load()
	for seq := int64(0); seq < last; seq++ {
		s := t.slot(seq)
		if s == nil {
			continue
		}
		if st := s.state.Load(); st&stateAccepted != 0 && st&stateCommitted == 0 {
			n++
		}
	}
	return n
}
