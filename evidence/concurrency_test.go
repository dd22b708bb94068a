package evidence

import (
	"context"
	"errors"
	"sync"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/types"
)

// TestConcurrentUse runs peers adding evidence, consensus reporting votes and a gossip routine
// against an executor proposing, checking and committing blocks. Whatever the interleaving,
// every valid evidence ends up exactly once: pending or committed; gossip sees increasing
// sequence numbers.
func TestConcurrentUse(t *testing.T) {
	c := newTestChain(t, "a", "b", "c", "d")
	c.advanceTo(10)
	p := c.newPool(dbm.NewMemDB())
	var evs []*types.DuplicateVoteEvidence
	for h := int64(2); h <= 9; h++ {
		for i := range 4 {
			evs = append(evs, c.duplicateVote(i, h))
		}
	}
	// Equivocations only consensus sees, at height 10.
	var reported [][2]*types.Vote
	for i := range 4 {
		reported = append(reported, [2]*types.Vote{c.vote(i, 10, "left"), c.vote(i, 10, "right")})
	}

	ctx, cancel := context.WithCancel(context.Background())
	gossipDone := make(chan error, 1)
	go func() {
		var last uint64
		for {
			e, err := p.WaitNextEvidence(ctx, last)
			if err != nil {
				gossipDone <- nil
				return
			}
			if e.Seq <= last {
				gossipDone <- errors.New("gossip went backwards")
				return
			}
			last = e.Seq
		}
	}()

	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i, ev := range evs {
				if i%3 == w || i%5 == w { // some evidence comes from two peers
					if err := p.AddEvidence(ev); err != nil {
						t.Errorf("AddEvidence: %v", err)
					}
				}
			}
		})
	}
	wg.Go(func() {
		for _, pair := range reported {
			p.ReportConflictingVotes(pair[0], pair[1])
		}
	})

	// The executor: propose what is pending, check it, commit it; it starts once some evidence
	// has arrived.
	if _, err := p.WaitNextEvidence(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		proposal, _ := p.PendingEvidence(2000)
		if err := p.CheckEvidence(proposal); err != nil {
			t.Fatalf("CheckEvidence of own proposal: %v", err)
		}
		p.Update(c.advance(proposal...), proposal)
	}
	wg.Wait()
	p.Update(c.advance(), nil)
	cancel()
	if err := <-gossipDone; err != nil {
		t.Fatal(err)
	}

	pending := make(map[string]bool)
	for _, h := range pendingHashes(p) {
		pending[h] = true
	}
	all := append([]*types.DuplicateVoteEvidence(nil), evs...)
	for _, pair := range reported {
		ev, err := types.NewDuplicateVoteEvidence(pair[0], pair[1], blockTime(10), c.vals)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ev)
	}
	committed := 0
	for _, ev := range all {
		err := p.CheckEvidence(types.EvidenceList{ev})
		isPending := pending[hashesOf(ev)[0]]
		switch {
		case errors.Is(err, ErrCommitted) && !isPending:
			committed++
		case err == nil && isPending:
		default:
			t.Errorf("evidence %v: check %v, pending %v", ev, err, isPending)
		}
	}
	if want := len(all) - committed; p.Size() != want {
		t.Fatalf("pending %d, want %d (%d committed)", p.Size(), want, committed)
	}
	if committed == 0 {
		t.Fatal("no evidence was committed")
	}
}
