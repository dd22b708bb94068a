package consensus

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/libs/log"
)

// TestLostEndMarkerIsNotAnError: the end-of-height marker is not fsynced, so a power loss can
// take it (and everything after it) from the WAL while the block it ends is stored. The restarted
// node must carry on with the next height, without replay and without reporting an error.
func TestLostEndMarkerIsNotAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.SkipTimeoutCommit = true
		c := newTestChain(t, 1, cfg)
		d := c.start()
		d.waitView(t, time.Minute, "height 3 committed", func(s *Snapshot) bool { return s.State.LastBlockHeight >= 3 })
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}
		stored := c.blocks.Height()
		cutBeforeEndHeight(t, filepath.Join(c.dir, "cs.wal", "wal"), stored)

		logs := &errorLog{}
		c.logger = logs
		restarted := c.start()
		restarted.waitView(t, time.Minute, "two more heights", func(s *Snapshot) bool { return s.State.LastBlockHeight >= stored+2 })
		if err := restarted.stop(); err != nil {
			t.Fatal(err)
		}
		if errs := logs.errors(); len(errs) > 0 {
			t.Fatalf("errors logged after the lost marker: %q", errs)
		}
	})
}

// cutBeforeEndHeight truncates the WAL head at path just before its EndHeight(height) record, as a
// power loss before that record was synced would.
func cutBeforeEndHeight(t *testing.T, path string, height int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := wal.NewDecoder(f)
	for {
		at := dec.Offset()
		rec, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			t.Fatalf("no EndHeight(%d) in %s", height, path)
		}
		if err != nil {
			t.Fatal(err)
		}
		if eh := rec.Msg.GetEndHeight(); eh != nil && eh.Height == height {
			if err := os.Truncate(path, at); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}

// errorLog keeps the messages logged at ERROR.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Debug(string, ...any) {}
func (l *errorLog) Info(string, ...any)  {}
func (l *errorLog) Error(msg string, kv ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, fmt.Sprint(msg, kv))
}
func (l *errorLog) With(...any) log.Logger { return l }

func (l *errorLog) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}
