package wal

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// benchWAL opens a WAL in a temporary directory and returns it with a vote record and the
// record's size on disk.
func benchWAL(b *testing.B, from core.PeerID) (*WAL, *consensuspb.WALMessage) {
	b.Helper()
	m, err := MessageFromInput(core.VoteMessage{Vote: testVote(100, 0, 7), From: from})
	if err != nil {
		b.Fatal(err)
	}
	w, err := Open(filepath.Join(b.TempDir(), "wal"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	b.SetBytes(int64(HeaderSize + (&consensuspb.TimedWALMessage{Time: time.Now(), Msg: m}).Size()))
	b.ReportAllocs()
	return w, m
}

// BenchmarkWrite is a peer's vote: buffered, no fsync (the head rotates every 10 MiB).
func BenchmarkWrite(b *testing.B) {
	w, m := benchWAL(b, "0123456789abcdef0123456789abcdef01234567")
	for b.Loop() {
		if err := w.Write(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteSync is the node's own vote: written and fsynced. Expect the fsync to dominate.
func BenchmarkWriteSync(b *testing.B) {
	w, m := benchWAL(b, "")
	for b.Loop() {
		if err := w.WriteSync(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	m, err := MessageFromInput(core.VoteMessage{Vote: testVote(100, 0, 7), From: "peer"})
	if err != nil {
		b.Fatal(err)
	}
	stream, _ := encodeAll(b, []*consensuspb.WALMessage{m})
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewDecoder(bytes.NewReader(stream)).Decode(); err != nil {
			b.Fatal(err)
		}
	}
}
