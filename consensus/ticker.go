package consensus

import (
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
)

// ticker holds the one pending consensus timeout (CometBFT's timeout ticker semantics): a newly
// scheduled timeout replaces the pending one only if its (height, round, step) is strictly later
// than the last timeout accepted — even one that already fired; otherwise it is dropped. It is
// owned by the driver goroutine; the driver selects on C.
type ticker struct {
	timer    *time.Timer
	last     core.HRS // the last accepted timeout
	accepted bool
	pending  *core.TimeoutFired // what fires when the timer does; nil when nothing is pending
}

func newTicker() *ticker {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &ticker{timer: t}
}

// schedule applies the replacement rule and (re)arms the timer. A duration ≤ 0 fires at once.
func (t *ticker) schedule(s core.ScheduleTimeout) {
	next := core.HRS{Height: s.Height, Round: s.Round, Step: s.Step}
	if t.accepted && next.Compare(t.last) <= 0 {
		return
	}
	t.last, t.accepted = next, true
	t.pending = &core.TimeoutFired{Height: s.Height, Round: s.Round, Step: s.Step}
	t.timer.Stop()
	d := s.Duration
	if d < 0 {
		d = 0
	}
	t.timer.Reset(d)
}

// C is the channel that receives when the pending timeout fires.
func (t *ticker) C() <-chan time.Time { return t.timer.C }

// fired returns the timeout that just fired (after a receive from C) and clears it.
func (t *ticker) fired() (core.TimeoutFired, bool) {
	if t.pending == nil {
		return core.TimeoutFired{}, false
	}
	f := *t.pending
	t.pending = nil
	return f, true
}

func (t *ticker) stop() { t.timer.Stop() }
