package sim

import (
	"errors"
	"testing"

	"github.com/ballot-bft/ballot/consensus/core"
)

func TestWALCrashKeepsSyncedPrefix(t *testing.T) {
	w := newWAL(1)
	peer := core.TimeoutFired{Height: 1, Round: 0, Step: core.StepPropose}
	own := core.VoteMessage{Vote: testVote(2, 1, 0, 0xAA, genesisTime)}
	w.write(walRecord{Input: peer}, false)
	w.write(walRecord{Input: own}, true) // syncs the peer record too
	w.write(walRecord{Input: peer}, false)
	w.write(walRecord{Input: peer}, false)
	if lost := w.crash(); lost != 2 {
		t.Fatalf("lost %d records, want 2", lost)
	}
	recs, err := w.since(1)
	if err != nil || len(recs) != 2 {
		t.Fatalf("since(1) = %d records, %v; want 2", len(recs), err)
	}

	w.write(walRecord{Input: peer}, false)
	w.flush()
	if lost := w.crash(); lost != 0 {
		t.Fatalf("lost %d flushed records", lost)
	}

	// EndHeight{1} ends height 1: replaying height 2 starts after it.
	w.write(walRecord{EndHeight: 1}, true)
	w.write(walRecord{Input: peer}, false)
	w.crash()
	if recs, err := w.since(2); err != nil || len(recs) != 0 {
		t.Fatalf("since(2) = %d records, %v; want none", len(recs), err)
	}
	if _, err := w.since(1); err == nil {
		t.Fatal("since(1) after EndHeight{1}: want an error (the state is behind the WAL)")
	}
	if _, err := w.since(5); !errors.Is(err, ErrWALMissingEndHeight) {
		t.Fatalf("since(5): err = %v, want ErrWALMissingEndHeight", err)
	}
}
