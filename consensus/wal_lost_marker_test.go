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
	"github.com/ballot-bft/ballot/privval"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// TestLostEndMarkerIsNotAnError: the end-of-height marker is not fsynced, so a power loss can
// take it (and everything after it) from the WAL while the block it ends is stored, as long as
// the node signed nothing since (signing fsyncs the WAL, marker included). The restarted node
// must carry on with the next height, without replay and without reporting an error.
func TestLostEndMarkerIsNotAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const stored = 3
		cfg := testConfig()
		cfg.SkipTimeoutCommit = true
		c := newTestChain(t, 1, cfg)
		c.wrapSigner = func(pv *privval.FilePV) privval.PrivValidator { return signsUpTo{pv, stored} }
		d := c.start()
		d.waitView(t, time.Minute, "height 3 committed", func(s *Snapshot) bool { return s.State.LastBlockHeight >= stored })
		if err := d.stop(); err != nil {
			t.Fatal(err)
		}
		if h := c.blocks.Height(); h != stored {
			t.Fatalf("block store at height %d, want %d", h, stored)
		}
		cutBeforeEndHeight(t, filepath.Join(c.dir, "cs.wal", "wal"), stored)

		logs := &errorLog{}
		c.logger = logs
		c.wrapSigner = nil
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

// signsUpTo refuses to sign above height limit, as a node stopped before it signed there would
// have. It hides FilePV's deferred-sync methods, which need no test here.
type signsUpTo struct {
	privval.PrivValidator
	limit int64
}

var errAboveLimit = errors.New("test signer: above the height limit")

func (s signsUpTo) SignVote(chainID string, v *tmproto.Vote, ext bool) error {
	if v.Height > s.limit {
		return errAboveLimit
	}
	return s.PrivValidator.SignVote(chainID, v, ext)
}

func (s signsUpTo) SignProposal(chainID string, p *tmproto.Proposal) error {
	if p.Height > s.limit {
		return errAboveLimit
	}
	return s.PrivValidator.SignProposal(chainID, p)
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
