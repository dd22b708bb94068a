package wal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/consensus/core"
)

// fileEvent is one call on the head file: a write of n bytes, or a sync that found size bytes
// in the file.
type fileEvent struct {
	op   string
	n    int
	size int64
}

// recordingFile is a head file that logs its writes and syncs.
type recordingFile struct {
	f       *os.File
	events  *[]fileEvent
	syncErr error
}

func (r *recordingFile) Write(p []byte) (int, error) {
	*r.events = append(*r.events, fileEvent{op: "write", n: len(p)})
	return r.f.Write(p)
}

func (r *recordingFile) Sync() error {
	info, err := r.f.Stat()
	if err != nil {
		return err
	}
	*r.events = append(*r.events, fileEvent{op: "sync", size: info.Size()})
	if r.syncErr != nil {
		return r.syncErr
	}
	return r.f.Sync()
}

func (r *recordingFile) Close() error { return r.f.Close() }

func recordingOptions(events *[]fileEvent, syncErr error) Options {
	return Options{Now: stepClock(), OpenFile: func(path string) (File, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		return &recordingFile{f: f, events: events, syncErr: syncErr}, nil
	}}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

func TestNewWALGetsEndHeightZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "cs.wal", "wal")
	w, err := Open(path, Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	// Durable at once, before Close.
	report, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	if report.Records != 1 || len(report.Heights) != 1 || report.Heights[0] != 0 {
		t.Fatalf("a new WAL holds %s, want EndHeight{0} only", report)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = Open(path, Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if report, _ := Check(path); report.Records != 1 {
		t.Fatalf("reopening wrote again: %s", report)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, err := NewDecoder(f).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if want := stepClock()(); !first.Time.Equal(want) {
		t.Fatalf("EndHeight{0} stamped %v, want the injected clock's %v", first.Time, want)
	}
}

func TestWriteSyncOrdering(t *testing.T) {
	var events []fileEvent
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path, recordingOptions(&events, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if len(events) != 2 || events[0].op != "write" || events[1].op != "sync" || events[1].size != int64(events[0].n) {
		t.Fatalf("opening a new WAL: %v, want the EndHeight{0} write then a sync covering it", events)
	}
	afterOpen := fileSize(t, path)

	// Write buffers: the file sees nothing, nothing is synced.
	events = nil
	peerVote, err := MessageFromInput(core.VoteMessage{Vote: testVote(1, 0, 3), From: "peer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(peerVote); err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 || fileSize(t, path) != afterOpen {
		t.Fatalf("Write touched the file: %v", events)
	}

	// WriteSync: everything buffered is written, then synced, before it returns.
	ownVote, err := MessageFromInput(core.VoteMessage{Vote: testVote(1, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSync(ownVote); err != nil {
		t.Fatal(err)
	}
	total := fileSize(t, path)
	if len(events) < 2 {
		t.Fatalf("WriteSync: %v, want writes then a sync", events)
	}
	last := events[len(events)-1]
	var written int64
	for _, e := range events[:len(events)-1] {
		if e.op != "write" {
			t.Fatalf("WriteSync: %v, want only writes before the final sync", events)
		}
		written += int64(e.n)
	}
	if last.op != "sync" || last.size != total || afterOpen+written != total {
		t.Fatalf("WriteSync: %v; the sync saw %d bytes, the file has %d", events, last.size, total)
	}
	report, err := Check(path)
	if err != nil || report.Records != 3 {
		t.Fatalf("after WriteSync: %s, %v", report, err)
	}

	// FlushAndSync with nothing buffered still syncs.
	events = nil
	if err := w.FlushAndSync(); err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].op != "sync" {
		t.Fatalf("FlushAndSync: %v", events)
	}
}

func TestSyncFailureIsSticky(t *testing.T) {
	var events []fileEvent
	path := filepath.Join(t.TempDir(), "wal")
	writeFile(t, path, nil)
	w, err := Open(path, recordingOptions(&events, nil))
	if err != nil {
		t.Fatal(err)
	}
	w.Close()

	boom := errors.New("sync failed")
	w, err = Open(path, recordingOptions(&events, boom))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSync(EndHeight(1)); !errors.Is(err, boom) {
		t.Fatalf("WriteSync: %v, want the sync error", err)
	}
	if err := w.Write(EndHeight(2)); !errors.Is(err, boom) {
		t.Fatalf("Write after a failed sync: %v, want the same error", err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Fatalf("Close after a failure: %v, want the failure", err)
	}
}

func TestOpenOnNewGroupFailsCleanly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	boom := errors.New("sync failed")
	var events []fileEvent
	if _, err := Open(path, recordingOptions(&events, boom)); !errors.Is(err, boom) {
		t.Fatalf("Open with a failing sync: %v", err)
	}
}

func TestClosed(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "wal"), Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(EndHeight(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Write: %v", err)
	}
	if err := w.WriteSync(EndHeight(1)); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteSync: %v", err)
	}
	if err := w.FlushAndSync(); !errors.Is(err, ErrClosed) {
		t.Errorf("FlushAndSync: %v", err)
	}
	if _, _, err := w.SearchForEndHeight(0); !errors.Is(err, ErrClosed) {
		t.Errorf("SearchForEndHeight: %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestTooLargeLeavesWALUsable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path, Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(RoundState(1, 0, strings.Repeat("x", MaxDataSize))); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized write: %v", err)
	}
	if err := w.WriteSync(EndHeight(1)); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	if report, _ := Check(path); report.Records != 2 || !report.Intact() {
		t.Fatalf("after the refused write: %s", report)
	}
}
