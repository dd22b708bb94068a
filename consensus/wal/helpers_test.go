package wal

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/types"
)

// baseTime is the time every test clock starts at.
var baseTime = time.Date(2024, 5, 1, 10, 0, 0, 123456789, time.UTC)

// stepClock returns a clock that advances by one millisecond at every call.
func stepClock() func() time.Time {
	now := baseTime
	return func() time.Time {
		now = now.Add(time.Millisecond)
		return now
	}
}

func testBlockID() types.BlockID {
	return types.BlockID{
		Hash:          bytes.Repeat([]byte{0xAB}, 32),
		PartSetHeader: types.PartSetHeader{Total: 1, Hash: bytes.Repeat([]byte{0xCD}, 32)},
	}
}

func testVote(height int64, round int32, index int32) *types.Vote {
	return &types.Vote{
		Type:             types.PrevoteType,
		Height:           height,
		Round:            round,
		BlockID:          testBlockID(),
		Timestamp:        baseTime,
		ValidatorAddress: bytes.Repeat([]byte{byte(index + 1)}, 20),
		ValidatorIndex:   index,
		Signature:        bytes.Repeat([]byte{0x51}, 64),
	}
}

func testPrecommitWithExtension(height int64, round int32) *types.Vote {
	v := testVote(height, round, 2)
	v.Type = types.PrecommitType
	v.Extension = []byte("extension")
	v.ExtensionSignature = bytes.Repeat([]byte{0x52}, 64)
	return v
}

func testProposal(height int64, round int32) *types.Proposal {
	p := types.NewProposal(height, round, -1, testBlockID(), baseTime)
	p.Signature = bytes.Repeat([]byte{0x53}, 64)
	return p
}

func testPart(t testing.TB) *types.Part {
	t.Helper()
	ps := types.NewPartSetFromData([]byte("a small block that fits in one part"), types.BlockPartSizeBytes)
	part := ps.GetPart(0)
	if part == nil {
		t.Fatal("no part 0")
	}
	return part
}

// everyInput returns one Input of every kind the WAL records.
func everyInput(t testing.TB, height int64) []core.Input {
	return []core.Input{
		core.ProposalMessage{Proposal: testProposal(height, 0), From: "peer-a"},
		core.ProposalMessage{Proposal: testProposal(height, 1)},
		core.BlockPartMessage{Height: height, Round: 0, Part: testPart(t), From: "peer-b"},
		core.VoteMessage{Vote: testVote(height, 0, 1), From: "peer-c"},
		core.VoteMessage{Vote: testPrecommitWithExtension(height, 0)},
		core.TimeoutFired{Height: height, Round: 0, Step: core.StepPropose},
		core.PeerMaj23{Height: height, Round: 0, Type: types.PrevoteType, BlockID: testBlockID(), From: "peer-d"},
	}
}

// everyMessage returns one WAL message of every kind, all at height.
func everyMessage(t testing.TB, height int64) []*consensuspb.WALMessage {
	t.Helper()
	msgs := []*consensuspb.WALMessage{RoundState(height, 0, core.StepNewHeight.String())}
	for _, in := range everyInput(t, height) {
		m, err := MessageFromInput(in)
		if err != nil {
			t.Fatalf("MessageFromInput(%T): %v", in, err)
		}
		msgs = append(msgs, m)
	}
	return append(msgs, EndHeight(height))
}

// marshal returns m's proto encoding, to compare messages.
func marshal(t testing.TB, m interface{ Marshal() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeAll returns the records of msgs stamped at successive milliseconds, and the offset at
// which each record starts.
func encodeAll(t testing.TB, msgs []*consensuspb.WALMessage) ([]byte, []int64) {
	t.Helper()
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	clock := stepClock()
	var offsets []int64
	for _, m := range msgs {
		offsets = append(offsets, int64(buf.Len()))
		if _, err := enc.Encode(&consensuspb.TimedWALMessage{Time: clock(), Msg: m}); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes(), offsets
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
