package load

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"
)

func TestPaceSendsRateTimesDuration(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		d     time.Duration
		batch int
	}{
		{1, 10 * time.Second, 1},
		{7, 3 * time.Second, 1},
		{500, 30 * time.Second, 1},
		{500, 30 * time.Second, 10},
		{1000, 2500 * time.Millisecond, 10},
		{3333.3, 3 * time.Second, 1},
		{250000, time.Second, 100},
		{0.5, 5 * time.Second, 1},
	} {
		synctest.Test(t, func(t *testing.T) {
			var emitted int64
			var calls int
			released := Pace(context.Background(), tc.rate, tc.d, tickFor(tc.rate, tc.batch), func(n int) bool {
				if n <= 0 {
					t.Fatalf("emit(%d)", n)
				}
				emitted += int64(n)
				calls++
				return true
			})
			want := tc.rate * tc.d.Seconds()
			if math.Abs(float64(released)-want) > 1 || released != emitted {
				t.Errorf("rate %v for %v: released %d (emitted %d), want %v ± 1", tc.rate, tc.d, released, emitted, want)
			}
			// Smoothness: no single release may exceed one tick's worth (+1) of permits.
			tick := tickFor(tc.rate, tc.batch)
			if limit := tc.rate*tick.Seconds() + 1; calls > 0 && float64(emitted)/float64(calls) > limit {
				t.Errorf("rate %v: %d permits in %d releases, more than %v per tick", tc.rate, emitted, calls, limit)
			}
		})
	}
}

func TestPaceIsSmoothOverTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var perSecond [10]int
		Pace(context.Background(), 100, 10*time.Second, 10*time.Millisecond, func(n int) bool {
			perSecond[min(int(time.Since(start)/time.Second), 9)] += n
			return true
		})
		for i, n := range perSecond {
			if n < 99 || n > 101 {
				t.Errorf("second %d: %d permits, want 100 ± 1 (all: %v)", i, n, perSecond)
			}
		}
	})
}

func TestPaceStopsWhenEmitDeclines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var total int
		Pace(context.Background(), 1000, time.Hour, time.Millisecond, func(n int) bool {
			total += n
			return total < 50
		})
		if total != 50 || time.Since(start) != 50*time.Millisecond {
			t.Errorf("stopped after %d permits at %v, want 50 at 50ms", total, time.Since(start))
		}
	})
}

func TestPaceStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		released := Pace(ctx, 100, time.Minute, 10*time.Millisecond, func(int) bool { return true })
		if released < 149 || released > 150 {
			t.Errorf("released %d before cancel at 1.5s, want 150 ± 1", released)
		}
	})
}

func TestTickFor(t *testing.T) {
	for _, tc := range []struct {
		rate  float64
		batch int
		want  time.Duration
	}{
		{500, 1, 2 * time.Millisecond},
		{500, 10, 20 * time.Millisecond},
		{10, 1, 20 * time.Millisecond},
		{100000, 1, time.Millisecond},
		{5000, 10, 2 * time.Millisecond},
	} {
		if got := tickFor(tc.rate, tc.batch); got != tc.want {
			t.Errorf("tickFor(%v, %d) = %v, want %v", tc.rate, tc.batch, got, tc.want)
		}
	}
}
