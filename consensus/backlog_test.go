package consensus

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/privval"
)

// The mempool's notices are not in the WAL, yet a restart comes back to the round 0 they started
// early: a backlog (skip_timeout_commit_txs) starts it long before timeout_commit has passed, and
// with create_empty_blocks = false TxsAvailable ends its wait for transactions. The replay works
// both out from the step records that followed. A single validator that signs nothing at height 2
// stays in round 0's propose step there.
func TestEarlyRound0IsReplayed(t *testing.T) {
	for _, tc := range []struct {
		name      string
		configure func(*core.Config)
		waits     core.Step // where height 2 waits for the notice
		notify    func(c *testChain) func()
	}{
		{
			name: "TxsBacklog",
			configure: func(cfg *core.Config) {
				cfg.TimeoutCommit = time.Hour
				cfg.SkipTimeoutCommitTxs = 1
			},
			waits: core.StepNewHeight,
			notify: func(c *testChain) func() {
				backlog := make(chan int64, 1)
				c.backlog = backlog
				return func() { backlog <- 2 }
			},
		},
		{
			// The initial height proposes anyway, and the kvstore's app hash does not change
			// with an empty block: height 2 is the first to wait.
			name:      "TxsAvailable",
			configure: func(cfg *core.Config) { cfg.CreateEmptyBlocks = false },
			waits:     core.StepNewRound,
			notify: func(c *testChain) func() {
				txs := make(chan struct{}, 1)
				c.txs = txs
				return func() { txs <- struct{}{} }
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := testConfig()
				tc.configure(&cfg)
				c := newTestChain(t, 1, cfg)
				notify := tc.notify(c)
				c.wrapSigner = func(pv *privval.FilePV) privval.PrivValidator { return signsUpTo{pv, 1} }
				d := c.start()
				snap := d.waitView(t, 2*time.Hour, "height 2", func(s *Snapshot) bool { return s.HRS.Height == 2 && s.HRS.Step == tc.waits })
				if at := snap.HRS; at.Round != 0 {
					t.Fatalf("waiting at %v, want round 0", at)
				}
				notify()
				d.waitView(t, time.Second, "round 0 proposing", func(s *Snapshot) bool {
					return s.HRS.Height == 2 && s.HRS.Step >= core.StepPropose
				})

				first := c.restart(t, d)
				if at := first.HRS; at.Height != 2 || at.Round != 0 || at.Step < core.StepPropose {
					t.Fatalf("the first view after the restart is at %v, want 2/0 at the propose step or later", at)
				}
			})
		})
	}
}
