package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// decodeAll decodes stream until an error, returning the records read and the error.
func decodeAll(stream []byte) ([]*consensuspb.TimedWALMessage, error) {
	dec := NewDecoder(bytes.NewReader(stream))
	var msgs []*consensuspb.TimedWALMessage
	for {
		m, err := dec.Decode()
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
	}
}

// tornStream returns records of every kind ending with a vote, the last record's offset and
// the number of records.
func tornStream(t *testing.T) ([]byte, int64, int) {
	msgs := everyMessage(t, 3)
	vote := msgs[4]
	if KindOf(vote) != KindVote {
		t.Fatalf("message 4 is a %s, want a vote", KindOf(vote))
	}
	msgs = append(msgs, vote)
	stream, offsets := encodeAll(t, msgs)
	return stream, offsets[len(offsets)-1], len(msgs)
}

func TestTornTailAtEveryOffset(t *testing.T) {
	stream, last, n := tornStream(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "wal")
	for cut := last; cut < int64(len(stream)); cut++ {
		torn := stream[:cut]
		msgs, err := decodeAll(torn)
		if cut == last {
			// Cut exactly between records: a clean end.
			if err != io.EOF || len(msgs) != n-1 {
				t.Fatalf("cut at the record boundary: %d records, %v", len(msgs), err)
			}
			continue
		}
		var ce *CorruptionError
		if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupted) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v, want a torn-tail corruption", cut, err)
		}
		if len(msgs) != n-1 || ce.Record != n || ce.Offset != last || ce.Skippable() {
			t.Fatalf("cut at %d: %d records, record %d at %d (skippable %v), want %d records, record %d at %d",
				cut, len(msgs), ce.Record, ce.Offset, ce.Skippable(), n-1, n, last)
		}

		writeFile(t, path, torn)
		report, err := Check(path)
		if err != nil {
			t.Fatal(err)
		}
		if report.Records != n-1 || report.Tail == nil || report.Damage.Offset != last || report.Damaged != 1 {
			t.Fatalf("cut at %d: Check says %s", cut, report)
		}
		if _, err := Open(path, Options{Now: stepClock()}); !errors.Is(err, ErrCorrupted) || !strings.Contains(err.Error(), "torn tail") {
			t.Fatalf("cut at %d: Open gave %v, want a torn-tail error", cut, err)
		}
		kept, dropped, err := Repair(path)
		if err != nil {
			t.Fatal(err)
		}
		if kept != n-1 || int64(dropped) != cut-last {
			t.Fatalf("cut at %d: Repair kept %d dropped %d, want %d and %d", cut, kept, dropped, n-1, cut-last)
		}
		if got := readFile(t, path); !bytes.Equal(got, stream[:last]) {
			t.Fatalf("cut at %d: repaired file differs from the intact records", cut)
		}
		if got := readFile(t, path+".CORRUPTED"); !bytes.Equal(got, torn) {
			t.Fatalf("cut at %d: the .CORRUPTED copy differs from the damaged file", cut)
		}
		w, err := Open(path, Options{Now: stepClock()})
		if err != nil {
			t.Fatalf("cut at %d: Open after Repair: %v", cut, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFlippedBitFindsTheRecord(t *testing.T) {
	seed := uint64(20240501)
	rng := rand.New(rand.NewPCG(seed, seed))
	msgs := everyMessage(t, 9)
	stream, offsets := encodeAll(t, msgs)
	ends := append(offsets[1:], int64(len(stream)))
	for k := 1; k < len(msgs)-1; k++ {
		for at := offsets[k]; at < ends[k]; at++ {
			damaged := bytes.Clone(stream)
			bit := byte(1) << rng.IntN(8)
			damaged[at] ^= bit
			got, err := decodeAll(damaged)
			var ce *CorruptionError
			if !errors.As(err, &ce) {
				t.Fatalf("seed %d: bit %#x of byte %d (record %d) flipped: %v, want a corruption", seed, bit, at, k, err)
			}
			if ce.Record != k+1 || ce.Offset != offsets[k] || len(got) != k {
				t.Fatalf("seed %d: bit %#x of byte %d flipped: %d records then record %d at byte %d, want %d then record %d at %d: %v",
					seed, bit, at, len(got), ce.Record, ce.Offset, k, k+1, offsets[k], err)
			}
			if at >= offsets[k]+HeaderSize && !errors.Is(err, ErrChecksum) {
				t.Fatalf("seed %d: bit flipped in the data of record %d: %v, want a CRC mismatch", seed, k, err)
			}
		}
	}
}

func TestChecksumDamageIsSkippable(t *testing.T) {
	msgs := everyMessage(t, 4)
	stream, offsets := encodeAll(t, msgs)
	const k = 3
	middle := (offsets[k] + HeaderSize + offsets[k+1]) / 2
	stream[middle] ^= 0x10

	dec := NewDecoder(bytes.NewReader(stream))
	var intact int
	var damage []*CorruptionError
	for {
		_, err := dec.Decode()
		if err == io.EOF {
			break
		}
		var ce *CorruptionError
		if errors.As(err, &ce) {
			if !ce.Skippable() {
				t.Fatalf("CRC damage not skippable: %v", err)
			}
			damage = append(damage, ce)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		intact++
	}
	if intact != len(msgs)-1 || len(damage) != 1 || damage[0].Record != k+1 {
		t.Fatalf("%d intact, damage %v; want %d intact and record %d damaged", intact, damage, len(msgs)-1, k+1)
	}

	path := filepath.Join(t.TempDir(), "wal")
	writeFile(t, path, stream)
	report, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	if report.Records != len(msgs)-1 || report.Tail != nil || report.Damage.Record != k+1 {
		t.Fatalf("Check: %s", report)
	}
	want := fmt.Sprintf("wal: %s: record %d at byte %d is corrupted: CRC mismatch", path, k+1, offsets[k])
	if !strings.HasPrefix(report.Damage.Error(), want) ||
		!strings.HasSuffix(report.Damage.Error(), fmt.Sprintf("; the %d bytes from there to the end are unreadable", int64(len(stream))-offsets[k])) {
		t.Fatalf("damage reads %q\nwant it to start %q", report.Damage.Error(), want)
	}
	if !strings.Contains(report.String(), fmt.Sprintf("Repair would keep the first %d records", k)) ||
		!strings.Contains(report.String(), fmt.Sprintf("which hold %d intact records", len(msgs)-1-k)) {
		t.Fatalf("report reads %q", report)
	}
	kept, _, err := Repair(path)
	if err != nil || kept != k {
		t.Fatalf("Repair kept %d, %v; want %d", kept, err, k)
	}
}

// frameOf returns a record with the given data and a correct checksum.
func frameOf(data []byte) []byte {
	frame := binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, castagnoli))
	frame = binary.BigEndian.AppendUint32(frame, uint32(len(data)))
	return append(frame, data...)
}

func TestUndecodableRecords(t *testing.T) {
	cases := map[string][]byte{
		"empty data":            {},
		"not a protobuf":        {0xff, 0xff, 0xff},
		"no WAL message":        marshal(t, &consensuspb.TimedWALMessage{Time: baseTime}),
		"empty WAL message":     marshal(t, &consensuspb.TimedWALMessage{Time: baseTime, Msg: &consensuspb.WALMessage{}}),
		"empty MsgInfo message": marshal(t, &consensuspb.TimedWALMessage{Time: baseTime, Msg: &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{PeerID: "p"}}}}),
	}
	good, _ := encodeAll(t, []*consensuspb.WALMessage{EndHeight(1)})
	for name, data := range cases {
		stream := append(frameOf(data), good...)
		dec := NewDecoder(bytes.NewReader(stream))
		_, err := dec.Decode()
		var ce *CorruptionError
		if !errors.As(err, &ce) || !errors.Is(err, ErrUndecodable) || !ce.Skippable() || ce.Record != 1 {
			t.Errorf("%s: %v, want a skippable undecodable record 1", name, err)
			continue
		}
		if m, err := dec.Decode(); err != nil || m.Msg.GetEndHeight().GetHeight() != 1 {
			t.Errorf("%s: the record after it: %v, %v", name, m, err)
		}
	}
}

func TestLengthOverLimit(t *testing.T) {
	for _, length := range []uint32{MaxDataSize + 1, 1 << 31, 0xFFFFFFFF} {
		header := binary.BigEndian.AppendUint32([]byte{0, 0, 0, 0}, length)
		stream := append(header, make([]byte, 100)...)
		dec := NewDecoder(bytes.NewReader(stream))
		_, err := dec.Decode()
		var ce *CorruptionError
		if !errors.As(err, &ce) || !errors.Is(err, ErrTooLarge) || ce.Skippable() {
			t.Fatalf("length %d: %v, want a framing-losing ErrTooLarge", length, err)
		}
		if _, again := dec.Decode(); again != err {
			t.Fatalf("length %d: the error is not sticky: %v", length, again)
		}
	}
}

// TestShortInputAllocatesLittle checks that a length field claiming the maximum costs only the
// bytes actually present, not the claimed size.
func TestShortInputAllocatesLittle(t *testing.T) {
	stream := binary.BigEndian.AppendUint32([]byte{1, 2, 3, 4}, MaxDataSize)
	stream = append(stream, make([]byte, 10)...)
	const runs = 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := NewDecoder(bytes.NewReader(stream)).Decode(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("%v, want a torn tail", err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 2*readChunk {
		t.Fatalf("a 10-byte body claiming %d bytes allocated %d bytes per decode", MaxDataSize, per)
	}
}

func TestCleanEnds(t *testing.T) {
	if _, err := NewDecoder(bytes.NewReader(nil)).Decode(); err != io.EOF {
		t.Fatalf("empty input: %v, want io.EOF", err)
	}
	stream, _ := encodeAll(t, []*consensuspb.WALMessage{EndHeight(0)})
	dec := NewDecoder(bytes.NewReader(stream))
	if _, err := dec.Decode(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := dec.Decode(); err != io.EOF {
			t.Fatalf("after the only record: %v, want io.EOF", err)
		}
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestReaderErrorIsNotCorruption(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := NewDecoder(failingReader{boom}).Decode()
	if !errors.Is(err, boom) || errors.Is(err, ErrCorrupted) {
		t.Fatalf("%v, want the reader's error and not ErrCorrupted", err)
	}
}

func TestCorruptionErrorWords(t *testing.T) {
	e := &CorruptionError{Path: "data/cs.wal/wal", Record: 1234, Offset: 567890, Reason: ErrChecksum,
		Detail: "stored 0x00000001, computed 0x00000002", Unreadable: 42}
	want := "wal: data/cs.wal/wal: record 1234 at byte 567890 is corrupted: CRC mismatch (stored 0x00000001, computed 0x00000002); the 42 bytes from there to the end are unreadable"
	if e.Error() != want {
		t.Fatalf("got  %q\nwant %q", e.Error(), want)
	}
	torn := &CorruptionError{Record: 3, Offset: 40, Reason: io.ErrUnexpectedEOF, Detail: "only 3 of the 8 header bytes are present", Unreadable: -1}
	want = "wal: record 3 at byte 40 is corrupted: torn tail, the record is cut short (only 3 of the 8 header bytes are present)"
	if torn.Error() != want {
		t.Fatalf("got  %q\nwant %q", torn.Error(), want)
	}
}
