package consensus

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
)

func schedule(tk *ticker, d time.Duration, h int64, r int32, s core.Step) {
	tk.schedule(core.ScheduleTimeout{Duration: d, Height: h, Round: r, Step: s})
}

// wait receives the next firing, or reports none within limit (simulated time).
func wait(t *testing.T, tk *ticker, limit time.Duration) (core.TimeoutFired, time.Duration, bool) {
	t.Helper()
	start := time.Now()
	select {
	case <-tk.C():
		f, ok := tk.fired()
		if !ok {
			t.Fatal("timer fired with nothing pending")
		}
		return f, time.Since(start), true
	case <-time.After(limit):
		return core.TimeoutFired{}, 0, false
	}
}

func TestTickerFiresAfterDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tk := newTicker()
		defer tk.stop()
		schedule(tk, 3*time.Second, 1, 0, core.StepPropose)
		f, after, ok := wait(t, tk, time.Minute)
		if !ok || after != 3*time.Second || f != (core.TimeoutFired{Height: 1, Round: 0, Step: core.StepPropose}) {
			t.Fatalf("fired %v after %v (ok=%v)", f, after, ok)
		}
	})
}

// A later (H, R, S) replaces the pending timeout; an earlier or equal one is dropped, even after
// the accepted one fired.
func TestTickerReplacementRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tk := newTicker()
		defer tk.stop()
		schedule(tk, 10*time.Second, 1, 0, core.StepPropose)
		schedule(tk, time.Second, 1, 0, core.StepNewHeight) // earlier step: dropped
		schedule(tk, 2*time.Second, 1, 0, core.StepPrevoteWait)
		f, after, ok := wait(t, tk, time.Minute)
		if !ok || f.Step != core.StepPrevoteWait || after != 2*time.Second {
			t.Fatalf("fired %v after %v, want PrevoteWait after 2s", f, after)
		}
		schedule(tk, time.Second, 1, 0, core.StepPrevoteWait) // equal to the fired one: dropped
		if _, _, ok := wait(t, tk, time.Minute); ok {
			t.Fatal("a timeout equal to the last accepted one was not dropped")
		}
		schedule(tk, time.Second, 1, 1, core.StepPropose) // later round: accepted
		if f, _, ok := wait(t, tk, time.Minute); !ok || f.Round != 1 {
			t.Fatalf("later round not accepted: %v %v", f, ok)
		}
		schedule(tk, time.Second, 2, 0, core.StepNewHeight) // later height: accepted
		if f, _, ok := wait(t, tk, time.Minute); !ok || f.Height != 2 {
			t.Fatalf("later height not accepted: %v %v", f, ok)
		}
	})
}

func TestTickerNonPositiveDurationFiresAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tk := newTicker()
		defer tk.stop()
		schedule(tk, -time.Second, 1, 0, core.StepNewHeight)
		if _, after, ok := wait(t, tk, time.Minute); !ok || after != 0 {
			t.Fatalf("negative duration fired after %v (ok=%v)", after, ok)
		}
	})
}
