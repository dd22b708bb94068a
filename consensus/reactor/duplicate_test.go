package reactor

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// A copy of a vote consensus holds stops at the reactor; a vote that differs from the held one
// in any field (here a later timestamp, which breaks its signature) still reaches consensus, as
// do votes consensus lacks.
func TestCopyOfAHeldVoteIsNotDelivered(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		id := blockID("b", 2)
		held := f.vote(5, 0, types.PrevoteType, 2, id)
		h := newHarness(t, f, withVote(f.view(5, 0, core.StepPrevote), held))
		p := h.addPeer("peer")

		copyOf := *held
		h.receive(p, voteMessage{Vote: &copyOf})
		synctest.Wait()
		if d := h.cons.takeDelivered(); len(d) != 0 {
			t.Fatalf("a copy of a held vote was delivered: %+v", d)
		}

		altered := *held
		altered.Timestamp = altered.Timestamp.Add(time.Second)
		other := f.vote(5, 0, types.PrevoteType, 1, id)
		precommit := f.vote(5, 0, types.PrecommitType, 2, id)
		for _, v := range []*types.Vote{&altered, other, precommit} {
			h.receive(p, voteMessage{Vote: v})
		}
		synctest.Wait()
		d := h.cons.takeDelivered()
		if len(d) != 3 {
			t.Fatalf("delivered %d of the altered vote, a missing one and another type's, want 3: %+v", len(d), d)
		}
	})
}

// holdsVote also knows the previous height's commit.
func TestHoldsVoteOfTheLastCommit(t *testing.T) {
	f := newFixture(t)
	id := blockID("b", 2)
	last := f.vote(4, 0, types.PrecommitType, 3, id)
	v := f.view(5, 0, core.StepPropose)
	if holdsVote(v, last) {
		t.Fatal("held before it is in the last commit")
	}
	v = withVote(v, last)
	v.LastCommitRound = 0
	copyOf := *last
	if !holdsVote(v, &copyOf) {
		t.Fatal("a copy of a last-commit precommit is not held")
	}
	copyOf.Round = 1
	if holdsVote(v, &copyOf) {
		t.Fatal("a precommit of another round is held")
	}
}
