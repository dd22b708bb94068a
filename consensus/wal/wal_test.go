package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
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

// writeHeights writes heights first..last as a driver would: a round state, a peer vote, an own
// vote, a timeout and the height's end marker. It returns the messages in order.
func writeHeights(t *testing.T, w *WAL, first, last int64) []*consensuspb.WALMessage {
	t.Helper()
	var all []*consensuspb.WALMessage
	for h := first; h <= last; h++ {
		peer, err := MessageFromInput(core.VoteMessage{Vote: testVote(h, 0, 2), From: "peer"})
		if err != nil {
			t.Fatal(err)
		}
		own, err := MessageFromInput(core.VoteMessage{Vote: testVote(h, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		timeout, err := MessageFromInput(core.TimeoutFired{Height: h, Round: 0, Step: core.StepPrevoteWait})
		if err != nil {
			t.Fatal(err)
		}
		msgs := []*consensuspb.WALMessage{RoundState(h, 0, core.StepNewHeight.String()), peer, own, timeout, EndHeight(h)}
		for i, m := range msgs {
			write := w.Write
			if i == 2 || i == 4 {
				write = w.WriteSync
			}
			if err := write(m); err != nil {
				t.Fatalf("height %d message %d: %v", h, i, err)
			}
		}
		all = append(all, msgs...)
	}
	return all
}

// readRest returns every record r yields until io.EOF.
func readRest(t *testing.T, r *Reader) []*consensuspb.WALMessage {
	t.Helper()
	var msgs []*consensuspb.WALMessage
	for {
		m, err := r.Decode()
		if err == io.EOF {
			return msgs
		}
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m.Msg)
	}
}

func sameMessages(t *testing.T, what string, got, want []*consensuspb.WALMessage) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range got {
		if string(marshal(t, got[i])) != string(marshal(t, want[i])) {
			t.Fatalf("%s: record %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestRotationAndSearch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	const limit = 2048
	opts := Options{Now: stepClock(), HeadSizeLimit: limit, TotalSizeLimit: -1}
	w, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	written := append([]*consensuspb.WALMessage{EndHeight(0)}, writeHeights(t, w, 1, 30)...)

	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("only %d files after writing %d records with a %d-byte head limit", len(files), len(written), limit)
	}
	for i, f := range files[:len(files)-1] {
		if want := fmt.Sprintf("%s.%03d", path, i); f != want {
			t.Fatalf("file %d is %s, want %s", i, f, want)
		}
		// A file is rotated by the write that reaches the limit, so it exceeds it by less
		// than one record.
		if size := fileSize(t, f); size < limit || size > limit+400 {
			t.Fatalf("%s has %d bytes, want at least the %d-byte limit plus under one record", f, size, limit)
		}
	}
	if files[len(files)-1] != path {
		t.Fatalf("last file %s, want the head", files[len(files)-1])
	}
	// Every file is a sequence of whole records.
	count := 0
	for _, f := range files {
		report, err := Check(f)
		if err != nil || !report.Intact() {
			t.Fatalf("%s: %s, %v", f, report, err)
		}
		count += report.Records
	}
	if count != len(written) {
		t.Fatalf("%d records across the files, want %d", count, len(written))
	}

	check := func(w *WAL) {
		t.Helper()
		for h := int64(0); h <= 30; h++ {
			r, found, err := w.SearchForEndHeight(h)
			if err != nil || !found {
				t.Fatalf("EndHeight{%d}: found %v, %v", h, found, err)
			}
			// Everything after the marker: heights h+1..30, each 5 records.
			sameMessages(t, fmt.Sprintf("after EndHeight{%d}", h), readRest(t, r), written[1+5*h:])
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		}
		if r, found, err := w.SearchForEndHeight(31); r != nil || found || err != nil {
			t.Fatalf("EndHeight{31}: %v %v %v, want not found", r, found, err)
		}
	}
	check(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	check(w)
	// Rotation goes on numbering after the existing files.
	writeHeights(t, w, 31, 40)
	after, _ := Files(path)
	for i, f := range after[:len(after)-1] {
		if want := fmt.Sprintf("%s.%03d", path, i); f != want {
			t.Fatalf("after reopening, file %d is %s, want %s", i, f, want)
		}
	}
	if len(after) <= len(files) {
		t.Fatalf("no rotation after reopening: %d files", len(after))
	}
}

func TestTotalSizeLimitRemovesOldest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	opts := Options{Now: stepClock(), HeadSizeLimit: 1024, TotalSizeLimit: 4096}
	w, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	writeHeights(t, w, 1, 40)
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range files {
		total += fileSize(t, f)
	}
	if total >= 4096+1024+400 {
		t.Fatalf("group holds %d bytes over %d files with a 4096-byte limit", total, len(files))
	}
	if strings.HasSuffix(files[0], ".000") {
		t.Fatalf("the oldest file was not removed: %v", files)
	}
	// The newest heights are still found; the removed ones are not, and the search stops
	// early without error.
	r, found, err := w.SearchForEndHeight(39)
	if err != nil || !found {
		t.Fatalf("EndHeight{39}: %v %v", found, err)
	}
	r.Close()
	if _, found, err := w.SearchForEndHeight(1); found || err != nil {
		t.Fatalf("EndHeight{1} in a removed file: found %v, %v", found, err)
	}
}

func TestReaderSeesRecordsPresentAtSearch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path, Options{Now: stepClock(), HeadSizeLimit: 1500})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	written := writeHeights(t, w, 1, 5)
	// The last height is written without a sync: the search must still see it.
	if err := w.Write(RoundState(6, 0, core.StepNewHeight.String())); err != nil {
		t.Fatal(err)
	}
	written = append(written, RoundState(6, 0, core.StepNewHeight.String()))
	r, found, err := w.SearchForEndHeight(3)
	if err != nil || !found {
		t.Fatalf("%v %v", found, err)
	}
	defer r.Close()
	first, err := r.Decode()
	if err != nil {
		t.Fatal(err)
	}
	// Rotations and writes while replaying do not show in the Reader.
	writeHeights(t, w, 6, 20)
	rest := append([]*consensuspb.WALMessage{first.Msg}, readRest(t, r)...)
	sameMessages(t, "after EndHeight{3}", rest, written[15:])
}

func TestSearchSkipsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	opts := Options{Now: stepClock(), HeadSizeLimit: 2048, TotalSizeLimit: -1}
	w, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	writeHeights(t, w, 1, 20)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := Files(path)
	if len(files) < 3 {
		t.Fatalf("%d files", len(files))
	}
	// Damage the data of the first record of the second-newest file.
	victim := files[len(files)-2]
	data := readFile(t, victim)
	data[HeaderSize+5] ^= 0x01
	writeFile(t, victim, data)
	heights := func(path string) []int64 {
		report, _ := Check(path)
		return report.Heights
	}
	older := heights(files[0])
	w, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, found, err := w.SearchForEndHeight(older[0])
	if err != nil || !found {
		t.Fatalf("EndHeight{%d} past the damage: %v %v", older[0], found, err)
	}
	// Replaying from there reaches the damage and reports it with its file.
	var corrupt *CorruptionError
	for {
		_, err := r.Decode()
		if errors.As(err, &corrupt) {
			break
		}
		if err != nil {
			t.Fatalf("replay ended with %v before the damage", err)
		}
	}
	r.Close()
	if corrupt.Path != victim || corrupt.Record != 1 || !errors.Is(corrupt, ErrChecksum) {
		t.Fatalf("replay found %v, want a CRC mismatch in record 1 of %s", corrupt, victim)
	}

	// Damage an EndHeight marker itself: not found, with the damage described.
	data = readFile(t, path)
	report, _ := Check(path)
	markers := report.Heights
	if len(markers) == 0 {
		t.Fatal("no marker in the head")
	}
	w.Close()
	if err := flipLastRecordCRC(path, data); err != nil {
		t.Fatal(err)
	}
	w, err = Open(path, opts)
	if !errors.Is(err, ErrCorrupted) {
		t.Fatalf("head ending in a damaged marker opened: %v", err)
	}
	if _, _, err := Repair(path); err != nil {
		t.Fatal(err)
	}
	w, err = Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, found, err := w.SearchForEndHeight(markers[len(markers)-1]); found || err != nil {
		t.Fatalf("the repaired-away marker: found %v, %v", found, err)
	}
}

// flipLastRecordCRC rewrites the file at path with the checksum of its last record
// (an EndHeight marker of writeHeights) flipped.
func flipLastRecordCRC(path string, data []byte) error {
	dec := NewDecoder(strings.NewReader(string(data)))
	var last int64
	for {
		start := dec.Offset()
		if _, err := dec.Decode(); err != nil {
			break
		}
		last = start
	}
	data[last] ^= 0x80
	return os.WriteFile(path, data, 0o600)
}

func TestSearchReportsDamageWhenNotFound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	w, err := Open(path, Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	writeHeights(t, w, 1, 3)
	w.Close()
	// Flip the checksum of the EndHeight{2} record, in the middle of the head: Open tolerates
	// it, the search skips it and cannot tell whether the marker was there.
	data := readFile(t, path)
	dec := NewDecoder(strings.NewReader(string(data)))
	var at int64 = -1
	for {
		start := dec.Offset()
		m, err := dec.Decode()
		if err != nil {
			break
		}
		if m.Msg.GetEndHeight() != nil && m.Msg.GetEndHeight().Height == 2 {
			at = start
		}
	}
	data[at] ^= 0x01
	writeFile(t, path, data)
	w, err = Open(path, Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Damage() == nil || w.Damage().Offset != at {
		t.Fatalf("Damage() = %v, want the record at %d", w.Damage(), at)
	}
	_, found, err := w.SearchForEndHeight(2)
	if found || !errors.Is(err, ErrCorrupted) || !strings.Contains(err.Error(), "EndHeight{2} not found") {
		t.Fatalf("found %v, %v; want not found with the damage described", found, err)
	}
	// Markers on both sides of the damage are still found, and writing goes on.
	for _, h := range []int64{1, 3} {
		r, found, err := w.SearchForEndHeight(h)
		if err != nil || !found {
			t.Fatalf("EndHeight{%d}: %v %v", h, found, err)
		}
		r.Close()
	}
	if err := w.WriteSync(EndHeight(4)); err != nil {
		t.Fatal(err)
	}
	if _, found, err := w.SearchForEndHeight(4); !found || err != nil {
		t.Fatalf("EndHeight{4}: %v %v", found, err)
	}
}
