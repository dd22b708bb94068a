package wal

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/types"
)

// fullPart returns a full 64 KiB block part (the first of a two-part block), as a peer sends.
func fullPart(b *testing.B) *types.Part {
	b.Helper()
	data := make([]byte, types.BlockPartSizeBytes+1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	part := types.NewPartSetFromData(data, types.BlockPartSizeBytes).GetPart(0)
	if part == nil || len(part.Bytes) != int(types.BlockPartSizeBytes) {
		b.Fatal("no full part")
	}
	return part
}

func openBenchWAL(b *testing.B) *WAL {
	b.Helper()
	w, err := Open(filepath.Join(b.TempDir(), "wal"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	return w
}

func recordSize(m *consensuspb.WALMessage) int64 {
	return int64(HeaderSize + (&consensuspb.TimedWALMessage{Time: time.Now(), Msg: m}).Size())
}

// BenchmarkWriteBlockPart is a peer's 64 KiB block part: encoded and buffered, no fsync.
func BenchmarkWriteBlockPart(b *testing.B) {
	m, err := MessageFromInput(core.BlockPartMessage{Height: 100, Round: 0, Part: fullPart(b), From: "0123456789abcdef0123456789abcdef01234567"})
	if err != nil {
		b.Fatal(err)
	}
	w := openBenchWAL(b)
	b.SetBytes(recordSize(m))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeight writes what a validator (not the proposer) of a 4-validator network logs for
// one height decided in round 0 with a one-part block, as the consensus driver does: five
// round-state records, the proposal and its part (from a peer), the node's own prevote and
// precommit (each fsynced), three peers' prevotes and precommits, and the end-of-height
// marker (fsynced). The three fsyncs dominate; ns/op is per height.
func BenchmarkHeight(b *testing.B) {
	const peer = core.PeerID("0123456789abcdef0123456789abcdef01234567")
	part := testPart(b)
	w := openBenchWAL(b)
	b.ReportAllocs()
	h := int64(1)
	for b.Loop() {
		h++
		var msgs []*consensuspb.WALMessage
		for _, in := range []core.Input{
			core.ProposalMessage{Proposal: testProposal(h, 0), From: peer},
			core.BlockPartMessage{Height: h, Round: 0, Part: part, From: peer},
		} {
			m, err := MessageFromInput(in)
			if err != nil {
				b.Fatal(err)
			}
			msgs = append(msgs, m)
		}
		for _, step := range []string{"RoundStepNewHeight", "RoundStepPropose", "RoundStepPrevote", "RoundStepPrecommit", "RoundStepCommit"} {
			msgs = append(msgs, RoundState(h, 0, step))
		}
		for _, m := range msgs {
			if err := w.Write(m); err != nil {
				b.Fatal(err)
			}
		}
		for _, typ := range []types.SignedMsgType{types.PrevoteType, types.PrecommitType} {
			for i := int32(0); i < 4; i++ {
				v := testVote(h, 0, i)
				v.Type = typ
				from := peer
				if i == 0 {
					from = "" // our own vote: synced before it is sent
				}
				m, err := MessageFromInput(core.VoteMessage{Vote: v, From: from})
				if err != nil {
					b.Fatal(err)
				}
				if from == "" {
					err = w.WriteSync(m)
				} else {
					err = w.Write(m)
				}
				if err != nil {
					b.Fatal(fmt.Errorf("height %d: %w", h, err))
				}
			}
		}
		if err := w.WriteSync(EndHeight(h)); err != nil {
			b.Fatal(err)
		}
	}
}
