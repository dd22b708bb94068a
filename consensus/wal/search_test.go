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
	if _, err := Open(path, opts); !errors.Is(err, ErrCorrupted) {
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
