package sim

import (
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
)

func TestTickerAcceptsOnlyLaterPositions(t *testing.T) {
	var tk ticker
	steps := []struct {
		pos  core.HRS
		want bool
	}{
		{core.HRS{Height: 1, Round: 0, Step: core.StepNewHeight}, true},
		{core.HRS{Height: 1, Round: 0, Step: core.StepPropose}, true},
		{core.HRS{Height: 1, Round: 0, Step: core.StepPropose}, false}, // equal: dropped
		{core.HRS{Height: 1, Round: 0, Step: core.StepNewRound}, false},
		{core.HRS{Height: 1, Round: 1, Step: core.StepNewHeight}, true},
		{core.HRS{Height: 0, Round: 9, Step: core.StepCommit}, false},
		{core.HRS{Height: 2, Round: 0, Step: core.StepNewHeight}, true},
	}
	var last uint64
	for i, st := range steps {
		gen, ok := tk.accept(st.pos)
		if ok != st.want {
			t.Fatalf("step %d (%v): accepted %v, want %v", i, st.pos, ok, st.want)
		}
		if ok {
			if gen <= last {
				t.Fatalf("step %d: generation %d not after %d", i, gen, last)
			}
			last = gen
		}
	}
}

func TestNetworkPartitions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Validators = 6
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	nw := s.net
	if !nw.connected(0, 5) {
		t.Fatal("a whole network is not connected")
	}
	nw.partition([][]int{{0, 1}, {2, 3}}, []int{4}) // node 5 is in no group: isolated
	cases := []struct {
		a, b int
		want bool
	}{
		{0, 1, true}, {2, 3, true}, {0, 2, false}, {1, 3, false},
		{4, 0, true}, {4, 3, true}, // the bridge
		{5, 0, false}, {5, 4, true}, {5, 3, false},
	}
	for _, c := range cases {
		if got := nw.connected(c.a, c.b); got != c.want {
			t.Errorf("connected(%d, %d) = %v, want %v", c.a, c.b, got, c.want)
		}
		if nw.connected(c.a, c.b) != nw.connected(c.b, c.a) {
			t.Errorf("connected(%d, %d) is not symmetric", c.a, c.b)
		}
	}
	nw.heal()
	nw.setLink(1, 2, false)
	if nw.connected(2, 1) || !nw.connected(1, 3) {
		t.Fatal("a downed link: wrong connectivity")
	}
	nw.setLink(2, 1, true)
	if !nw.connected(1, 2) {
		t.Fatal("link 1-2 still down after LinkUp")
	}
}

func TestNetworkLatencyBounds(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Net = NetConfig{MinLatency: 10 * time.Millisecond, MeanLatency: 50 * time.Millisecond, MaxLatency: 80 * time.Millisecond}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var capped int
	for range 10000 {
		d := s.net.latency()
		if d < cfg.Net.MinLatency || d > cfg.Net.MaxLatency {
			t.Fatalf("latency %v outside [%v, %v]", d, cfg.Net.MinLatency, cfg.Net.MaxLatency)
		}
		if d == cfg.Net.MaxLatency {
			capped++
		}
	}
	if capped == 0 || capped > 2000 {
		t.Fatalf("%d of 10000 latencies at the cap; the exponential tail looks wrong", capped)
	}
}

func TestNetworkMute(t *testing.T) {
	s, err := New(DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	nw := s.net
	s.inject(Fault{Kind: FaultMute, Node: 1})
	if nw.connected(1, 0) || nw.connected(1, 2) || !nw.connected(0, 1) || !nw.connected(2, 3) {
		t.Fatal("a muted node must lose what it sends and still receive")
	}
	s.inject(Fault{Kind: FaultUnmute, Node: 1})
	if !nw.connected(1, 0) {
		t.Fatal("unmute")
	}
	s.inject(Fault{Kind: FaultMute, Node: 2})
	s.inject(Fault{Kind: FaultHeal})
	if !nw.connected(2, 0) {
		t.Fatal("a heal must end mutes")
	}
	if got := (Fault{Kind: FaultMute, Node: 3}).String(); got != "Mute n3" {
		t.Fatalf("String() = %q", got)
	}
	if err := (Fault{Kind: FaultUnmute, Node: 9}).validate(4); err == nil {
		t.Fatal("unmute of node 9 of 4 validated")
	}
}
