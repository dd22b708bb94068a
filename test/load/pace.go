package load

import (
	"context"
	"math"
	"time"
)

// Pace releases permits at rate per second for d, starting now, and returns how many it
// released. Permit k (k = 1, 2, …) falls due at k/rate seconds; due permits are handed to emit
// at each tick of a ticker of period tick, so the release is smooth at that granularity and
// exact in total: floor(rate·d) permits over the segment (±1 if ctx ends it early). emit runs
// on the caller's goroutine and returns false to stop pacing (for example when a transaction
// budget is spent). Pace never sleeps in a loop: it waits on the ticker, the end timer and ctx.
func Pace(ctx context.Context, rate float64, d, tick time.Duration, emit func(n int) bool) int64 {
	if rate <= 0 || d <= 0 {
		return 0
	}
	if tick <= 0 {
		tick = time.Millisecond
	}
	start := time.Now()
	total := int64(math.Floor(rate*d.Seconds() + 1e-9))
	var released int64
	release := func(elapsed time.Duration) bool {
		due := int64(math.Floor(rate*elapsed.Seconds() + 1e-9))
		if due > total {
			due = total
		}
		n := due - released
		if n <= 0 {
			return true
		}
		released = due
		return emit(int(n))
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	for {
		select {
		case <-ctx.Done():
			return released
		case now := <-ticker.C:
			if !release(now.Sub(start)) {
				return released
			}
		case <-end.C:
			release(d)
			return released
		}
	}
}

// tickFor picks the pacer period for a rate and a batch size: about one batch per tick, kept
// within [1ms, 20ms] so that low rates stay smooth and high rates do not spin.
func tickFor(rate float64, batch int) time.Duration {
	t := time.Duration(float64(batch) / rate * float64(time.Second))
	return min(max(t, time.Millisecond), 20*time.Millisecond)
}
