package consensus

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	"github.com/ballot-bft/ballot/types"
)

// fakeBlockID is a complete block ID for a block nobody has.
func fakeBlockID(name string) types.BlockID {
	return types.BlockID{Hash: tmhash.Sum([]byte(name)), PartSetHeader: types.PartSetHeader{Total: 1, Hash: tmhash.Sum([]byte("parts of " + name))}}
}

// equivocation delivers, at height 1 round 0, validator 3's prevote for x and then its
// conflicting prevote for y, with validators 1 and 2 prevoting y. With claim, a peer's +2/3 claim
// for y comes before the conflicting vote, so the vote set keeps it: y then has a polka.
func equivocation(t *testing.T, c *testChain, d *runningDriver, x, y types.BlockID, claim bool) {
	t.Helper()
	vals := d.Snapshot().State.Validators
	msgs := []PeerMessage{core.VoteMessage{Vote: c.signedVote(3, types.PrevoteType, 1, 0, x, vals), From: "peer-3"}}
	if claim {
		msgs = append(msgs, core.PeerMaj23{Height: 1, Round: 0, Type: types.PrevoteType, BlockID: y, From: "peer-1"})
	}
	msgs = append(msgs,
		core.VoteMessage{Vote: c.signedVote(3, types.PrevoteType, 1, 0, y, vals), From: "peer-1"},
		core.VoteMessage{Vote: c.signedVote(1, types.PrevoteType, 1, 0, y, vals), From: "peer-1"},
		core.VoteMessage{Vote: c.signedVote(2, types.PrevoteType, 1, 0, y, vals), From: "peer-2"})
	for _, m := range msgs {
		if err := d.Deliver(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
}

func polkaFor(id types.BlockID) func(*Snapshot) bool {
	return func(s *Snapshot) bool {
		v := s.View
		return v.HRS.Height == 1 && len(v.Rounds) > 0 && v.Rounds[0].PrevotesMaj23 != nil && v.Rounds[0].PrevotesMaj23.Equals(id)
	}
}

// A peer's +2/3 claim (VoteSetMaj23) reaches the WAL and is replayed after a restart: the
// polka it made possible (an equivocator's conflicting prevote kept because of the claim) is
// there again in the first view after the replay. Without the claim there is no polka.
func TestPeerMaj23IsReplayed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		x, y := fakeBlockID("x"), fakeBlockID("y")
		c := newTestChain(t, 4, testConfig())
		d := c.start()
		equivocation(t, c, d, x, y, true)
		d.waitView(t, time.Second, "a round-0 polka for y", polkaFor(y))
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}

		restarted := c.start()
		first := restarted.waitView(t, time.Second, "a view", func(*Snapshot) bool { return true })
		if !polkaFor(y)(first) {
			t.Fatalf("after the restart round 0 has no polka for y: %+v", first.View.Rounds)
		}
		vals := first.State.Validators
		index, _ := vals.GetByAddress(c.keys[3].PubKey().Address())
		if got := first.View.Votes(0, types.PrevoteType)[index]; got == nil || !got.BlockID.Equals(y) {
			t.Fatalf("validator 3's counted prevote after the restart: %v, want its vote for y", got)
		}

		// The control: without the claim the conflicting prevote is dropped and y has no polka.
		control := newTestChain(t, 4, testConfig())
		cd := control.start()
		equivocation(t, control, cd, x, y, false)
		cd.waitView(t, time.Second, "validator 2's prevote", func(s *Snapshot) bool {
			votes := s.View.Votes(0, types.PrevoteType)
			index, _ := s.State.Validators.GetByAddress(control.keys[2].PubKey().Address())
			return votes != nil && votes[index] != nil
		})
		if polkaFor(y)(cd.Snapshot()) {
			t.Fatal("y has a polka without the claim: the test does not test the claim")
		}
	})
}
