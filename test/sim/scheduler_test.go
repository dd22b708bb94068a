package sim

import (
	"testing"
	"time"
)

func TestSchedulerOrdersByTimeThenSequence(t *testing.T) {
	var s scheduler
	var got []string
	s.at(2*time.Second, func() { got = append(got, "c") })
	s.at(time.Second, func() { got = append(got, "a") })
	s.at(time.Second, func() {
		got = append(got, "b")
		s.after(0, func() { got = append(got, "b2") }) // same time, scheduled later: runs after "b"
	})
	s.at(3*time.Second, func() { got = append(got, "late") })
	for s.next(2 * time.Second) {
	}
	want := []string{"a", "b", "b2", "c"}
	if len(got) != len(want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ran %v, want %v", got, want)
		}
	}
	if s.now != 2*time.Second || s.fired != 4 || len(s.queue) != 1 {
		t.Fatalf("now %v, fired %d, %d left; want 2s, 4, 1", s.now, s.fired, len(s.queue))
	}
}

func TestSchedulerNeverGoesBack(t *testing.T) {
	var s scheduler
	s.at(time.Second, func() {
		s.at(0, func() {}) // in the past: runs now, not before
	})
	s.next(time.Hour)
	s.next(time.Hour)
	if s.now != time.Second {
		t.Fatalf("clock at %v, want 1s", s.now)
	}
}
