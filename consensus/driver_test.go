package consensus

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	"github.com/ballot-bft/ballot/state"
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
		first := c.restart(t, d)
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

// applyWatch is an executor that checks, each time a block is executed, that the driver's
// published snapshot is current (the view at the block's height, the state just before it),
// and stops the driver after stopAt blocks.
type applyWatch struct {
	Executor
	driver  *runningDriver
	stopAt  int64
	applied int64
	stale   []string
}

func (w *applyWatch) ApplyVerifiedBlock(ctx context.Context, st state.State, id types.BlockID, block *types.Block) (state.State, error) {
	snap := w.driver.Snapshot()
	if snap.View == nil || snap.View.HRS.Height != block.Height || snap.State.LastBlockHeight != block.Height-1 {
		w.stale = append(w.stale, fmt.Sprintf("executing block %d, the published snapshot has state %d and view %v",
			block.Height, snap.State.LastBlockHeight, snap.HRS))
	}
	next, err := w.Executor.ApplyVerifiedBlock(ctx, st, id, block)
	if w.applied++; w.applied == w.stopAt {
		w.driver.cancel()
	}
	return next, err
}

// With skip_timeout_commit a single validator goes from one height to the next without ever
// waiting: every input still ends in a published snapshot, and a stop is honoured.
func TestSkipTimeoutCommitPublishesEveryStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.SkipTimeoutCommit = true
		c := newTestChain(t, 1, cfg)
		watch := &applyWatch{stopAt: 5}
		c.wrapExec = func(e Executor) Executor { watch.Executor = e; return watch }
		c.started = func(r *runningDriver) { watch.driver = r }
		d := c.start()
		if err := <-d.done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		d.done <- nil
		if len(watch.stale) > 0 {
			t.Fatalf("stale snapshots:\n%v", watch.stale)
		}
		if watch.applied != 5 {
			t.Fatalf("%d blocks executed, want 5 before the stop", watch.applied)
		}
		if got := d.Snapshot().State.LastBlockHeight; got != 5 {
			t.Fatalf("the last snapshot has state %d, want 5", got)
		}
	})
}

// failSave is a block store that fails to save block failAt once, as a node that crashes
// before the block is durable.
type failSave struct {
	BlockStore
	failAt int64
	failed bool
}

var errDiskGone = errors.New("disk gone")

func (f *failSave) SaveBlock(block *types.Block, parts *types.PartSet, seen *types.Commit) error {
	if block.Height == f.failAt && !f.failed {
		f.failed = true
		return errDiskGone
	}
	return f.BlockStore.SaveBlock(block, parts, seen)
}

// When the WAL replay itself decides the height (the node stopped before the block was saved),
// the replay hands over to the run loop once the block is committed: with skip_timeout_commit a
// single validator then goes on making blocks, publishing as it goes, instead of staying inside
// the replay forever.
func TestReplayThatCommitsHandsOverToRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.SkipTimeoutCommit = true
		c := newTestChain(t, 1, cfg)
		store := &failSave{failAt: 3}
		c.wrapBlocks = func(b BlockStore) BlockStore { store.BlockStore = b; return store }
		d := c.start()
		d.done <- <-d.done // wait for Run to fail, leaving its error to stop
		if err := d.stop(); !errors.Is(err, errDiskGone) {
			t.Fatalf("Run: %v, want the failed save of block 3", err)
		}
		if h := c.blocks.Height(); h != 2 {
			t.Fatalf("block store at %d after the failed save, want 2", h)
		}

		restarted := c.start()
		restarted.waitView(t, time.Minute, "height 6 committed", func(s *Snapshot) bool { return s.State.LastBlockHeight >= 6 })
		if err := restarted.stop(); err != nil {
			t.Fatal(err)
		}
		if h := c.blocks.Height(); h < 6 {
			t.Fatalf("block store at %d, want 6 or more", h)
		}
	})
}
