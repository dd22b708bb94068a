package blocksync

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func blockAt(h int64) *types.Block { return &types.Block{Header: types.Header{Height: h}} }

// assignments renders Schedule's result as "peer@height" with the peer's last letter.
func assignments(as []Assignment) []string {
	var out []string
	for _, a := range as {
		id := string(a.Peer.ID())
		out = append(out, fmt.Sprintf("%s@%d", string(rune(mustByte(id))), a.Height))
	}
	return out
}

// mustByte decodes the last byte of a fakePeer ID (hex of its one-letter name).
func mustByte(id string) byte {
	var b byte
	fmt.Sscanf(id[len(id)-2:], "%02x", &b)
	return b
}

func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.RequestWindow = 6
	cfg.MaxPendingPerPeer = 2
	cfg.DualRequestWindow = 2
	return cfg
}

func TestPoolSchedulesWithinRangesAndLimits(t *testing.T) {
	p := NewPool(smallConfig(), 1)
	a, b := newFakePeer("a"), newFakePeer("b")
	if err := p.SetPeerRange(a, 1, 10); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPeerRange(b, 3, 4); err != nil {
		t.Fatal(err)
	}
	// Heights 1 and 2 want two peers but only a covers them; a's limit of 2 is reached at 2;
	// b covers 3 and 4 only.
	got := assignments(p.Schedule(t0))
	want := []string{"a@1", "a@2", "b@3", "b@4"}
	if !slices.Equal(got, want) {
		t.Fatalf("first schedule %v, want %v", got, want)
	}
	if more := p.Schedule(t0); len(more) != 0 {
		t.Fatalf("second schedule %v, want nothing (limits reached)", assignments(more))
	}
	// a answers 1: it is free for one more, the lowest height waiting (5).
	if err := p.AddBlock(a.id, blockAt(1), nil, 100, t0); err != nil {
		t.Fatal(err)
	}
	if got := assignments(p.Schedule(t0)); !slices.Equal(got, []string{"a@5"}) {
		t.Fatalf("after a answered: %v", got)
	}
}

func TestPoolDualRequestsNearTheNextHeight(t *testing.T) {
	cfg := smallConfig()
	cfg.MaxPendingPerPeer = 10
	p := NewPool(cfg, 1)
	a, b := newFakePeer("a"), newFakePeer("b")
	p.SetPeerRange(a, 1, 4)
	p.SetPeerRange(b, 1, 4)
	got := assignments(p.Schedule(t0))
	// 1 and 2 (less than 2 above the next height) go to both; 3 and 4 to one each, spread.
	want := []string{"a@1", "b@1", "a@2", "b@2", "a@3", "b@4"}
	if !slices.Equal(got, want) {
		t.Fatalf("schedule %v, want %v", got, want)
	}
	// The first answer wins; the second is ignored, not a fault.
	if err := p.AddBlock(b.id, blockAt(1), nil, 10, t0); err != nil {
		t.Fatal(err)
	}
	if err := p.AddBlock(a.id, blockAt(1), nil, 10, t0); err != nil {
		t.Fatalf("second answer: %v", err)
	}
	p.AddBlock(a.id, blockAt(2), nil, 10, t0)
	first, second, _ := p.NextBlocks()
	if first == nil || second == nil || first.Height != 1 || second.Height != 2 {
		t.Fatalf("next blocks %v %v", first, second)
	}
}

func TestPoolUnsolicitedAndLateBlocks(t *testing.T) {
	p := NewPool(smallConfig(), 5)
	a, b := newFakePeer("a"), newFakePeer("b")
	p.SetPeerRange(a, 1, 20)
	p.SetPeerRange(b, 1, 20)
	p.Schedule(t0) // a@5 b@5 a@6 b@6 a@7? (limits 2 each): a@5 b@5 a@6 b@6
	if err := p.AddBlock(a.id, blockAt(9), nil, 1, t0); !errors.Is(err, ErrUnsolicited) {
		t.Fatalf("block never requested: %v", err)
	}
	if err := p.AddBlock(a.id, blockAt(100), nil, 1, t0); !errors.Is(err, ErrUnsolicited) {
		t.Fatalf("block far ahead: %v", err)
	}
	if err := p.AddBlock(a.id, blockAt(4), nil, 1, t0); err != nil {
		t.Fatalf("block below the next height is a late answer: %v", err)
	}
	c := newFakePeer("c")
	p.SetPeerRange(c, 1, 20)
	if err := p.AddBlock(c.id, blockAt(5), nil, 1, t0); !errors.Is(err, ErrUnsolicited) {
		t.Fatalf("block asked of others: %v", err)
	}
}

func TestPoolNoBlockRedirects(t *testing.T) {
	cfg := smallConfig()
	cfg.DualRequestWindow = 0
	p := NewPool(cfg, 1)
	a, b := newFakePeer("a"), newFakePeer("b")
	p.SetPeerRange(a, 1, 1)
	p.Schedule(t0)
	p.NoBlock(a.id, 1, t0)
	if got := p.Schedule(t0); len(got) != 0 {
		t.Fatalf("a said it lacks 1 but was asked again: %v", assignments(got))
	}
	p.SetPeerRange(b, 1, 1)
	if got := assignments(p.Schedule(t0)); !slices.Equal(got, []string{"b@1"}) {
		t.Fatalf("after b joined: %v", got)
	}
	p.SetPeerRange(a, 1, 2) // a's store changed: it may be asked again
	p.NoBlock(b.id, 1, t0)
	if got := assignments(p.Schedule(t0)); !slices.Equal(got, []string{"a@1", "a@2"}) {
		t.Fatalf("after a reported anew: %v", got)
	}
}

func TestPoolPeerTimeoutAndRetry(t *testing.T) {
	cfg := smallConfig()
	cfg.DualRequestWindow = 0
	cfg.MinRecvRate = 0
	p := NewPool(cfg, 1)
	a, b := newFakePeer("a"), newFakePeer("b")
	p.SetPeerRange(a, 1, 10)
	p.Schedule(t0) // a@1 a@2
	// a answers 1 at +10s: its deadline moves to +25s.
	p.AddBlock(a.id, blockAt(1), nil, 1, t0.Add(10*time.Second))
	if at, ok := p.NextDeadline(t0.Add(10 * time.Second)); !ok || !at.Equal(t0.Add(25*time.Second)) {
		t.Fatalf("next deadline %v %v, want +25s", at, ok)
	}
	if d := p.Expire(t0.Add(24 * time.Second)); len(d) != 0 {
		t.Fatalf("dropped before the deadline: %v", d)
	}
	p.SetPeerRange(b, 1, 10)
	d := p.Expire(t0.Add(25 * time.Second))
	if len(d) != 1 || d[0].Peer.ID() != a.id || !errors.Is(d[0].Err, ErrPeerTimeout) {
		t.Fatalf("expire at the deadline: %v", d)
	}
	// a's block at 1 is dropped with it; b gets everything.
	if got := assignments(p.Schedule(t0.Add(25 * time.Second))); !slices.Equal(got, []string{"b@1", "b@2"}) {
		t.Fatalf("after a timed out: %v", got)
	}

	// Retry: c answers other heights but not 3 for RetryTimeout: 3 is freed for another peer.
	p = NewPool(cfg, 3)
	c, e := newFakePeer("c"), newFakePeer("e")
	p.SetPeerRange(c, 1, 10)
	p.Schedule(t0) // c@3 c@4
	for i := 1; i <= 3; i++ {
		now := t0.Add(time.Duration(i) * 10 * time.Second)
		p.AddBlock(c.id, blockAt(int64(3+i)), nil, 1, now)
		p.Schedule(now) // c@5, c@6, c@7 in turn
	}
	p.SetPeerRange(e, 1, 10)
	now := t0.Add(30 * time.Second)
	if d := p.Expire(now); len(d) != 0 {
		t.Fatalf("c dropped: %v", d)
	}
	got := assignments(p.Schedule(now))
	if !slices.Contains(got, "e@3") {
		t.Fatalf("height 3 not asked again after %v: %v", cfg.RetryTimeout, got)
	}
	if err := p.AddBlock(c.id, blockAt(3), nil, 1, now); err != nil {
		t.Fatalf("c's late answer for 3: %v", err)
	}
}

func TestPoolMinRecvRate(t *testing.T) {
	cfg := smallConfig()
	cfg.DualRequestWindow = 0
	cfg.MinRecvRate = 1000
	cfg.RateWindow = 10 * time.Second
	p := NewPool(cfg, 1)
	slow, fast := newFakePeer("s"), newFakePeer("f")
	p.SetPeerRange(slow, 1, 100)
	p.SetPeerRange(fast, 1, 100)
	p.Schedule(t0)
	for i := 1; i <= 12; i++ { // one answer a second each: 500 B/s and 5000 B/s
		now := t0.Add(time.Duration(i) * time.Second)
		for _, pp := range []*fakePeer{slow, fast} {
			size := 500
			if pp == fast {
				size = 5000
			}
			for h := int64(1); h <= 100; h++ {
				if req := p.requests[h]; req != nil && req.block == nil {
					if _, ok := req.askedAt[pp.id]; ok {
						p.AddBlock(pp.id, blockAt(h), nil, size, now)
						break
					}
				}
			}
		}
		for p.requests[p.Height()] != nil && p.requests[p.Height()].block != nil {
			p.Pop() // applied: the window moves on
		}
		p.Schedule(now)
		if d := p.Expire(now); len(d) > 0 {
			if i < 10 || len(d) != 1 || d[0].Peer.ID() != slow.id {
				t.Fatalf("at %ds dropped %v", i, d)
			}
			return
		}
	}
	t.Fatal("slow peer never dropped")
}

func TestPoolRejectNextAndHeightDecrease(t *testing.T) {
	cfg := smallConfig()
	cfg.DualRequestWindow = 0 // 1 from a, 2 from b
	p := NewPool(cfg, 1)
	a, b := newFakePeer("a"), newFakePeer("b")
	p.SetPeerRange(a, 1, 10)
	p.SetPeerRange(b, 1, 10)
	for _, as := range p.Schedule(t0) {
		p.AddBlock(as.Peer.ID(), blockAt(as.Height), nil, 1, t0)
	}
	first, second, _ := p.NextBlocks()
	if first == nil || second == nil {
		t.Fatal("no blocks")
	}
	stopped := p.RejectNext()
	var ids []p2p.ID
	for _, s := range stopped {
		ids = append(ids, s.ID())
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []p2p.ID{a.id, b.id}) {
		t.Fatalf("rejected peers %v", ids)
	}
	if f, _, _ := p.NextBlocks(); f != nil || p.NumPeers() != 0 || p.MaxPeerHeight() != 0 {
		t.Fatal("rejected blocks or peers kept")
	}

	p = NewPool(smallConfig(), 1)
	p.SetPeerRange(a, 1, 10)
	if err := p.SetPeerRange(a, 2, 10); err != nil {
		t.Fatalf("base moved up: %v", err)
	}
	if err := p.SetPeerRange(a, 2, 9); !errors.Is(err, ErrHeightDecreased) {
		t.Fatalf("height decreased: %v", err)
	}
	if p.NumPeers() != 0 {
		t.Fatal("peer kept after its height decreased")
	}
}

func TestPoolCaughtUp(t *testing.T) {
	p := NewPool(smallConfig(), 5)
	if p.CaughtUp() {
		t.Fatal("caught up without peers")
	}
	a := newFakePeer("a")
	p.SetPeerRange(a, 1, 7)
	if p.CaughtUp() {
		t.Fatal("next height 5, peer at 7: not caught up")
	}
	p.Pop()
	if !p.CaughtUp() {
		t.Fatal("next height 6, peer at 7: caught up")
	}
	p.RemovePeer(a.id)
	b := newFakePeer("b")
	p.SetPeerRange(b, 0, 0)
	if !p.CaughtUp() {
		t.Fatal("peer with an empty store: caught up")
	}
}
