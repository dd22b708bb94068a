package crash

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ballot-bft/ballot/consensus/wal"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func TestTearWALCutsTheLastRecordShort(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 20 {
		home := &Home{Dir: t.TempDir()}
		path := filepath.Join(home.Dir, "data", "cs.wal", "wal")
		w, err := wal.Open(path, wal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for h := int64(1); h <= 3; h++ {
			if err := w.Write(wal.RoundState(h, 0, "RoundStepPropose")); err != nil {
				t.Fatal(err)
			}
			if err := w.WriteSync(wal.EndHeight(h)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		before, err := wal.Check(path)
		if err != nil {
			t.Fatal(err)
		}

		tear, err := TearWAL(home, rng, nil)
		if err != nil {
			t.Fatalf("seed %d, tear %d: %v", seed, i, err)
		}
		if tear.RecordStart+tear.RecordLength != before.Size || tear.Cut < 1 || tear.Cut >= tear.RecordLength {
			t.Fatalf("seed %d, tear %d: %s, in a file of %d bytes", seed, i, tear, before.Size)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != before.Size-tear.Cut {
			t.Errorf("seed %d, tear %d: size %d after %s of a %d-byte file", seed, i, fi.Size(), tear, before.Size)
		}
		after, err := wal.Check(path)
		if err != nil {
			t.Fatal(err)
		}
		if after.Tail == nil || after.Records != before.Records-1 {
			t.Errorf("seed %d, tear %d: after %s the WAL reads %d intact records (want %d) and tail %v", seed, i, tear, after.Records, before.Records-1, after.Tail)
		}
	}
}

func TestTearWALRefusesAnEmptyWAL(t *testing.T) {
	home := &Home{Dir: t.TempDir()}
	path := filepath.Join(home.Dir, "data", "cs.wal", "wal")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := TearWAL(home, rand.New(rand.NewPCG(1, 0)), nil); err == nil {
		t.Error("tearing an empty WAL succeeded")
	}
}

// TestUnwrittenTearSparesSyncedOwnMessages: our own vote, or a part of our proposal's block, as
// the last record may be torn while the signer's state is at that message (the crash hit while it
// was being written), not once the signer has signed past it (it was fsynced before). A peer's
// block part may always be torn.
func TestUnwrittenTearSparesSyncedOwnMessages(t *testing.T) {
	addr := []byte{0xAB, 0xCD}
	vote := &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{
		Msg: consensuspb.Message{Sum: &consensuspb.Message_Vote{Vote: &consensuspb.Vote{Vote: &tmproto.Vote{
			Type: tmproto.PrevoteType, Height: 5, Round: 0, ValidatorAddress: addr,
		}}}},
	}}}
	blockPart := func(from string) *consensuspb.WALMessage {
		return &consensuspb.WALMessage{Sum: &consensuspb.WALMessage_MsgInfo{MsgInfo: &consensuspb.MsgInfo{
			PeerID: from,
			Msg: consensuspb.Message{Sum: &consensuspb.Message_BlockPart{BlockPart: &consensuspb.BlockPart{
				Height: 5, Round: 0, Part: tmproto.Part{Bytes: []byte("block bytes")},
			}}},
		}}}
	}
	for _, tc := range []struct {
		what    string
		msg     *consensuspb.WALMessage
		privVal HRS
		tear    bool
	}{
		{"our prevote", vote, HRS{5, 0, 2}, true},
		{"our prevote", vote, HRS{5, 0, 3}, false},
		{"our prevote", vote, HRS{5, 1, 1}, false},
		{"our block part", blockPart(""), HRS{5, 0, 1}, true},
		{"our block part", blockPart(""), HRS{5, 0, 2}, false},
		{"a peer's block part", blockPart("peer"), HRS{5, 0, 2}, true},
	} {
		home := &Home{Dir: t.TempDir()}
		path := filepath.Join(home.Dir, "data", "cs.wal", "wal")
		w, err := wal.Open(path, wal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteSync(tc.msg); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		snap := &Snapshot{PrivVal: tc.privVal, Address: "ABCD"}
		tear, err := TearWAL(home, rand.New(rand.NewPCG(3, 0)), UnwrittenTear(snap))
		if err != nil {
			t.Fatal(err)
		}
		if torn := tear.Skipped == "" && tear.Cut > 0; torn != tc.tear {
			t.Errorf("%s, signer at %s: %s; want torn=%v", tc.what, tc.privVal, tear, tc.tear)
		}
	}
}
