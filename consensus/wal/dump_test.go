package wal

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

func dumpLines(t *testing.T, path string, f Filter) ([]string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Dump(&out, path, f)
	text := strings.TrimSuffix(out.String(), "\n")
	if text == "" {
		return nil, err
	}
	return strings.Split(text, "\n"), err
}

func TestDump(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	msgs := append(everyMessage(t, 5), RoundState(6, 0, "RoundStepNewHeight"))
	stream, _ := encodeAll(t, msgs)
	writeFile(t, path, stream)

	lines, err := dumpLines(t, path, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2024-05-01T10:00:00.124456789Z round_state  h=5 r=0 step=RoundStepNewHeight",
		"2024-05-01T10:00:00.125456789Z proposal     h=5 r=0 peer=peer-a pol_round=-1 block=ABABABABABAB:1:CDCDCDCDCDCD time=2024-05-01T10:00:00.123456789Z sig=535353535353",
		"2024-05-01T10:00:00.126456789Z proposal     h=5 r=1 self pol_round=-1 block=ABABABABABAB:1:CDCDCDCDCDCD time=2024-05-01T10:00:00.123456789Z sig=535353535353",
		"2024-05-01T10:00:00.127456789Z block_part   h=5 r=0 peer=peer-b index=0 of 1 bytes=35",
		"2024-05-01T10:00:00.128456789Z vote         h=5 r=0 peer=peer-c prevote val=1 addr=020202020202 block=ABABABABABAB:1:CDCDCDCDCDCD time=2024-05-01T10:00:00.123456789Z",
		"2024-05-01T10:00:00.129456789Z vote         h=5 r=0 self precommit val=2 addr=030303030303 block=ABABABABABAB:1:CDCDCDCDCDCD time=2024-05-01T10:00:00.123456789Z ext=9B",
		"2024-05-01T10:00:00.130456789Z timeout      h=5 r=0 step=RoundStepPropose duration=0s",
		"2024-05-01T10:00:00.131456789Z vote_set_maj23 h=5 r=0 peer=peer-d prevote block=ABABABABABAB:1:CDCDCDCDCDCD",
		"2024-05-01T10:00:00.132456789Z end_height   h=5",
		"2024-05-01T10:00:00.133456789Z round_state  h=6 r=0 step=RoundStepNewHeight",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("dump:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	round1, round0 := int32(1), int32(0)
	filters := []struct {
		name   string
		filter Filter
		want   []int
	}{
		{"height 6", Filter{Height: 6}, []int{9}},
		{"height 5", Filter{Height: 5}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{"round 1", Filter{Round: &round1}, []int{2}},
		{"height 5 round 0 (no end marker)", Filter{Height: 5, Round: &round0}, []int{0, 1, 3, 4, 5, 6, 7}},
		{"votes", Filter{Kinds: []Kind{KindVote}}, []int{4, 5}},
		{"claims", Filter{Kinds: []Kind{KindMaj23}}, []int{7}},
		{"markers and timeouts", Filter{Kinds: []Kind{KindEndHeight, KindTimeout}}, []int{6, 8}},
		{"nothing", Filter{Height: 99}, nil},
	}
	for _, c := range filters {
		got, err := dumpLines(t, path, c.filter)
		if err != nil {
			t.Fatal(err)
		}
		var expect []string
		for _, i := range c.want {
			expect = append(expect, want[i])
		}
		if strings.Join(got, "\n") != strings.Join(expect, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", c.name, strings.Join(got, "\n"), strings.Join(expect, "\n"))
		}
	}
}

func TestDumpShowsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	msgs := []*consensuspb.WALMessage{EndHeight(1), RoundState(2, 0, "RoundStepNewHeight"), EndHeight(2)}
	stream, offsets := encodeAll(t, msgs)
	stream[offsets[1]+HeaderSize+1] ^= 0x04         // CRC mismatch in the middle record
	stream = append(stream, stream[:offsets[1]]...) // then a whole record, and a torn one
	stream = append(stream, 0, 0, 0)
	writeFile(t, path, stream)

	lines, err := dumpLines(t, path, Filter{Kinds: []Kind{KindEndHeight}})
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.Record != 2 {
		t.Fatalf("Dump returned %v, want the first damage (record 2)", err)
	}
	if len(lines) != 5 ||
		!strings.HasSuffix(lines[0], "end_height   h=1") ||
		!strings.HasPrefix(lines[1], "!! wal: "+path+": record 2 at byte ") || !strings.Contains(lines[1], "CRC mismatch") ||
		!strings.HasSuffix(lines[2], "end_height   h=2") ||
		!strings.HasSuffix(lines[3], "end_height   h=1") ||
		!strings.HasPrefix(lines[4], "!! wal: "+path+": record 5 at byte ") || !strings.Contains(lines[4], "torn tail") {
		t.Fatalf("dump:\n%s", strings.Join(lines, "\n"))
	}
}

func TestCheckWords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal")
	var msgs []*consensuspb.WALMessage
	for _, h := range []int64{0, 1, 2, 3, 5, 7, 8} {
		msgs = append(msgs, EndHeight(h), RoundState(h+1, 0, "RoundStepNewHeight"))
	}
	stream, _ := encodeAll(t, msgs)
	writeFile(t, path, stream)
	report, err := Check(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "wal: " + path + ": 14 intact records in " + strconv.Itoa(len(stream)) + " bytes, EndHeight markers 0-3, 5, 7-8; no damage"
	if report.String() != want {
		t.Fatalf("got  %q\nwant %q", report.String(), want)
	}
	if kept, dropped, err := Repair(path); kept != 14 || dropped != 0 || err != nil {
		t.Fatalf("Repair of an intact file: %d %d %v", kept, dropped, err)
	}
	if _, err := Check(path + ".CORRUPTED"); err == nil {
		t.Fatal("Repair of an intact file made a .CORRUPTED copy")
	}
	if _, err := Check(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("Check of a missing file succeeded")
	}
	if got := heightRanges([]int64{1, 3, 5, 7, 9, 11, 13, 15, 17, 19}); got != "1, 3, 5, 7, …, 13, 15, 17, 19" {
		t.Fatalf("long height list: %q", got)
	}
}
