package wal

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ballot-bft/ballot/consensus/core"
)

// TestDriverCrashAndReplay writes inputs as the consensus driver does, crashes without flushing,
// and replays: every input written with fsync (and everything before it) comes back, in order,
// from the marker of the last committed height on.
func TestDriverCrashAndReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "cs.wal", "wal")
	var head *os.File
	opts := Options{Now: stepClock(), OpenFile: func(p string) (File, error) {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		head = f
		return f, err
	}}
	w, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	// write records in as the driver would: own messages (From == "") with fsync.
	write := func(in core.Input) {
		t.Helper()
		m, err := MessageFromInput(in)
		if err != nil {
			t.Fatal(err)
		}
		own := false
		switch in := in.(type) {
		case core.ProposalMessage:
			own = in.From == ""
		case core.BlockPartMessage:
			own = in.From == ""
		case core.VoteMessage:
			own = in.From == ""
		}
		if own {
			err = w.WriteSync(m)
		} else {
			err = w.Write(m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for h := int64(1); h <= 2; h++ {
		if err := w.Write(RoundState(h, 0, core.StepPropose.String())); err != nil {
			t.Fatal(err)
		}
		for _, in := range everyInput(t, h) {
			write(in)
		}
		if err := w.WriteSync(EndHeight(h)); err != nil {
			t.Fatal(err)
		}
	}
	// Height 3: the inputs up to the node's own vote are durable, the peer vote after it is not.
	durable := everyInput(t, 3)[:5]
	for _, in := range durable {
		write(in)
	}
	write(core.VoteMessage{Vote: testVote(3, 0, 3), From: "late-peer"})
	head.Close() // crash: the buffered peer vote is lost

	w, err = Open(path, Options{Now: stepClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, found, err := w.SearchForEndHeight(3); found || err != nil {
		t.Fatalf("EndHeight{3} before height 3 was committed: %v %v", found, err)
	}
	r, found, err := w.SearchForEndHeight(2)
	if err != nil || !found {
		t.Fatalf("EndHeight{2}: %v %v", found, err)
	}
	defer r.Close()
	var replayed []core.Input
	for {
		rec, err := r.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		in, err := InputFromMessage(rec.Msg)
		if errors.Is(err, ErrNotInput) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		replayed = append(replayed, in)
	}
	if len(replayed) != len(durable) {
		t.Fatalf("replayed %d inputs, want the %d durable ones", len(replayed), len(durable))
	}
	for i := range durable {
		want, _ := MessageFromInput(durable[i])
		got, _ := MessageFromInput(replayed[i])
		if string(marshal(t, got)) != string(marshal(t, want)) {
			t.Fatalf("input %d replayed as %v, want %v", i, got, want)
		}
	}
}
