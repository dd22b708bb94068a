package consensus

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/test/sim"
)

// lockedBuffer is a bytes.Buffer the test may read while the driver writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// A real driver records every machine call with a Recorder; replaying the log into a fresh
// machine repeats every action and decides the blocks the driver committed.
func TestDriverEventLogReplays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.SkipTimeoutCommit = true
		c := newTestChain(t, 1, cfg)
		var log lockedBuffer
		rec := sim.NewRecorder(&log, 0, c.gen.GenesisTime, c.cfg.BlockTimeTolerance)
		c.started = func(r *runningDriver) { r.eventLog = rec }
		d := c.start()
		d.waitView(t, time.Minute, "height 5", func(s *Snapshot) bool { return s.HRS.Height >= 5 })
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}
		if rec.Err() != nil {
			t.Fatal(rec.Err())
		}
		rep, err := sim.Replay(bytes.NewReader(log.Bytes()), 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Mismatch != nil || rep.Machines != 1 || len(rep.Commits) < 4 {
			t.Fatalf("replay of the driver's log: %v", rep)
		}
		for _, commit := range rep.Commits {
			meta, err := c.blocks.LoadBlockMeta(commit.Height)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("%X", []byte(meta.BlockID.Hash)); commit.Block != want {
				t.Fatalf("height %d: the replay decided %s, the driver committed %s", commit.Height, commit.Block, want)
			}
		}
	})
}
