package jepsen

import (
	"strings"
	"testing"
	"time"
)

func TestComputeRecovery(t *testing.T) {
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	commits := [][]Commit{
		{{Height: 1, At: s(1)}, {Height: 2, At: s(2)}, {Height: 3, At: s(6)}, {Height: 4, At: s(7)}},
		{{Height: 1, At: s(1)}, {Height: 2, At: s(2)}, {Height: 3, At: s(8)}, {Height: 4, At: s(9)}},
	}
	events := []Event{
		{ID: 0, Kind: "kill", Nodes: []int{1}, Start: s(3), End: s(5)},      // n1 passes 2 at 8s, but event 1 came first
		{ID: 1, Kind: "partition", Start: s(5.5), End: s(6.5)},              // top 3: n0 passes at 7s, n1 at 9s
		{ID: 2, Kind: "pause", Nodes: []int{0}, Start: s(9.5), End: s(10)},  // never again, but event 8 came
		{ID: 3, Kind: "kill", Nodes: []int{1}, Start: s(9.6), End: s(9.7)},  // the same
		{ID: 4, Kind: "heal", Nodes: []int{0}, Start: s(9.8), End: s(9.9)},  // the same
		{ID: 5, Kind: "delay", Nodes: []int{0}, Start: s(1.5), End: s(1.6)}, // top 1: n0 passes at 2s
		{ID: 6, Kind: "drop", Nodes: []int{1}, Start: s(2.5), End: s(2.6)},  // the kill at 3s interrupts it
		{ID: 7, Kind: "delay", Nodes: []int{0}, Start: s(0.1), End: s(0.2)}, // top 0: n0 passes at 1s
		{ID: 8, Kind: "delay", Nodes: []int{0, 1}, Start: s(10.5), End: s(11)},
	}
	problems := ComputeRecovery(events, commits, 2*time.Second)
	want := []time.Duration{-1, s(2.5), -1, -1, -1, s(0.4), -1, s(0.8), -1}
	for i, e := range events {
		if e.Recovery != want[i] {
			t.Errorf("event %d (%s): recovery %s, want %s", i, e.Kind, e.Recovery, want[i])
		}
	}
	// Event 1 took 2.5s, past the 2s bound; event 8 never recovered and nothing interrupted it.
	if len(problems) != 2 || !strings.Contains(problems[0], "took 2.5s") || !strings.Contains(problems[1], "never committed above height 4") {
		t.Fatalf("problems %q", problems)
	}
	if w, ok := WorstRecovery(events); !ok || w.ID != 1 {
		t.Errorf("worst recovery %+v, want event 1", w)
	}
}
