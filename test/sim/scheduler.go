package sim

import (
	"container/heap"
	"time"
)

// event is one scheduled happening: at simulated time at, fire runs. Events at the same time run
// in the order they were scheduled (seq), so the order never depends on anything but the seed.
type event struct {
	at   time.Duration
	seq  uint64
	fire func()
}

// eventQueue is a min-heap of events ordered by (at, seq).
type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }

func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}

func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

func (q *eventQueue) Push(x any) { *q = append(*q, x.(*event)) }

func (q *eventQueue) Pop() any {
	old := *q
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	*q = old[:n-1]
	return e
}

// scheduler is the discrete-event core of a simulation: a simulated clock and the queue of
// events still to happen. It is owned by one goroutine.
type scheduler struct {
	now   time.Duration // simulated time since genesis
	seq   uint64
	queue eventQueue
	fired uint64 // events run so far
}

// at schedules fire to run at simulated time t (never before now).
func (s *scheduler) at(t time.Duration, fire func()) {
	if t < s.now {
		t = s.now
	}
	s.seq++
	heap.Push(&s.queue, &event{at: t, seq: s.seq, fire: fire})
}

// after schedules fire to run d after now.
func (s *scheduler) after(d time.Duration, fire func()) { s.at(s.now+d, fire) }

// next runs the earliest event if it is due no later than until, advancing the clock to it. It
// reports whether an event ran.
func (s *scheduler) next(until time.Duration) bool {
	if len(s.queue) == 0 || s.queue[0].at > until {
		return false
	}
	e := heap.Pop(&s.queue).(*event)
	s.now = e.at
	s.fired++
	e.fire()
	return true
}
