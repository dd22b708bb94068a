package consensus

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/privval"
)

// A mempool backlog (skip_timeout_commit_txs) starts round 0 long before timeout_commit has
// passed, and a restart comes back to the round the node had started: the replay derives the
// early start, which is not in the WAL, from the step records that followed it.
func TestBacklogStartIsReplayed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.TimeoutCommit = time.Hour
		cfg.SkipTimeoutCommitTxs = 1
		c := newTestChain(t, 1, cfg)
		backlog := make(chan int64, 1)
		c.backlog = backlog
		// Signing nothing at height 2 keeps the node in round 0's propose step there.
		c.wrapSigner = func(pv *privval.FilePV) privval.PrivValidator { return signsUpTo{pv, 1} }
		d := c.start()
		snap := d.waitView(t, 2*time.Hour, "height 2", func(s *Snapshot) bool { return s.HRS.Height == 2 })
		if at := snap.HRS; at.Step != core.StepNewHeight {
			t.Fatalf("at %v after height 1, want 2/0/NewHeight", at)
		}
		backlog <- 2
		d.waitView(t, time.Second, "round 0 of height 2 started by the backlog", func(s *Snapshot) bool {
			return s.HRS.Height == 2 && s.HRS.Step >= core.StepPropose
		})
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}

		restarted := c.start()
		first := restarted.waitView(t, time.Second, "a view", func(*Snapshot) bool { return true })
		if at := first.HRS; at.Height != 2 || at.Round != 0 || at.Step < core.StepPropose {
			t.Fatalf("the first view after the restart is at %v, want height 2, round 0, propose step or later", at)
		}
	})
}

// With create_empty_blocks = false, round 0 proposes when the mempool reports transactions
// (TxsAvailable), which the WAL does not hold either; a restart comes back to the propose step.
func TestTxsAvailableProposalIsReplayed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.CreateEmptyBlocks = false
		c := newTestChain(t, 1, cfg)
		txs := make(chan struct{}, 1)
		c.txs = txs
		// The first height that waits for transactions: the initial height proposes anyway, and
		// the kvstore's app hash does not change with an empty block.
		const waits = 2
		// Signing nothing there keeps the node in round 0's propose step.
		c.wrapSigner = func(pv *privval.FilePV) privval.PrivValidator { return signsUpTo{pv, waits - 1} }
		d := c.start()
		snap := d.waitView(t, time.Hour, "the wait for transactions", func(s *Snapshot) bool {
			return s.HRS.Step == core.StepNewRound
		})
		if at := snap.HRS; at.Height != waits || at.Round != 0 {
			t.Fatalf("waiting for transactions at %v, want %d/0", at, waits)
		}
		txs <- struct{}{}
		d.waitView(t, time.Second, "round 0 proposing", func(s *Snapshot) bool {
			return s.HRS.Height == waits && s.HRS.Step >= core.StepPropose
		})
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}

		restarted := c.start()
		first := restarted.waitView(t, time.Second, "a view", func(*Snapshot) bool { return true })
		if at := first.HRS; at.Height != waits || at.Round != 0 || at.Step < core.StepPropose {
			t.Fatalf("the first view after the restart is at %v, want %d/0 at the propose step or later", at, waits)
		}
	})
}
