package evidence

import (
	"context"
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/types"
)

func TestWaitChanClosesOnNewEvidence(t *testing.T) {
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(3)
	p := c.newPool(dbm.NewMemDB())
	wake := p.EvidenceWaitChan()
	if p.EvidenceWaitChan() != wake {
		t.Fatal("two waiters before an arrival got different channels")
	}
	bad := c.duplicateVote(0, 2)
	bad.ValidatorPower = 1
	_ = p.AddEvidence(bad)
	select {
	case <-wake:
		t.Fatal("rejected evidence woke the waiters")
	default:
	}
	if err := p.AddEvidence(c.duplicateVote(0, 2)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	default:
		t.Fatal("wait channel still open after new evidence")
	}
	next := p.EvidenceWaitChan()
	if next == wake {
		t.Fatal("a closed channel handed out again")
	}
	// Evidence that was already pending is no arrival.
	if err := p.AddEvidence(c.duplicateVote(0, 2)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-next:
		t.Fatal("re-adding pending evidence woke the waiters")
	default:
	}
}

func TestWaitNextEvidence(t *testing.T) {
	c := newTestChain(t, "a", "b", "c")
	c.advanceTo(3)
	p := c.newPool(dbm.NewMemDB())
	ev := c.duplicateVote(1, 3)

	got := make(chan Entry)
	go func() {
		e, err := p.WaitNextEvidence(context.Background(), 0)
		if err != nil {
			t.Error(err)
		}
		got <- e
	}()
	if err := p.AddEvidence(ev); err != nil {
		t.Fatal(err)
	}
	e := <-got
	if e.Evidence != types.Evidence(ev) || e.Seq != 1 {
		t.Fatalf("got %+v, want the evidence with seq 1", e)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := p.WaitNextEvidence(ctx, e.Seq)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestNextEvidenceSkipsRemoved(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(5)
	p := c.newPool(dbm.NewMemDB())
	evs := []*types.DuplicateVoteEvidence{c.duplicateVote(0, 2), c.duplicateVote(1, 3), c.duplicateVote(2, 4)}
	for _, ev := range evs {
		if err := p.AddEvidence(ev); err != nil {
			t.Fatal(err)
		}
	}
	p.Update(c.advance(evs[1]), types.EvidenceList{evs[1]})
	for _, tc := range []struct {
		after uint64
		want  types.Evidence
	}{{0, evs[0]}, {1, evs[2]}, {2, evs[2]}, {3, nil}} {
		e, ok := p.NextEvidence(tc.after)
		if tc.want == nil {
			if ok {
				t.Errorf("after %d: got %v, want none", tc.after, e.Evidence)
			}
			continue
		}
		if !ok || e.Evidence != tc.want {
			t.Errorf("after %d: got %v (%v), want %v", tc.after, e.Evidence, ok, tc.want)
		}
	}
}

func TestArrivalsCompaction(t *testing.T) {
	var a arrivals
	const n = 200
	entries := make([]*pendingEv, n)
	for i := range entries {
		entries[i] = &pendingEv{seq: uint64(i + 1)}
		a.add(entries[i])
	}
	// Remove every entry but those whose seq is a multiple of 7.
	for _, e := range entries {
		if e.seq%7 != 0 {
			a.remove(e)
			a.remove(e) // idempotent
		}
	}
	if len(a.order) >= n {
		t.Fatalf("no compaction: %d entries kept", len(a.order))
	}
	for after := uint64(0); after <= n; after++ {
		want := (after/7 + 1) * 7
		e := a.next(after)
		if want > n {
			if e != nil {
				t.Fatalf("after %d: got %d, want none", after, e.seq)
			}
			continue
		}
		if e == nil || e.seq != want {
			t.Fatalf("after %d: got %v, want %d", after, e, want)
		}
	}
}
