package crash

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/privval"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// Tear is what TearWAL did to the WAL's head file.
type Tear struct {
	Path         string
	RecordStart  int64 // offset of the last record
	RecordLength int64
	Cut          int64  // bytes removed from the end, 1..RecordLength-1; 0 if skipped
	Skipped      string // why the record was left alone, "" if it was torn
}

func (t Tear) String() string {
	if t.Skipped != "" {
		return fmt.Sprintf("left the last record (at offset %d) of %s alone: %s", t.RecordStart, t.Path, t.Skipped)
	}
	return fmt.Sprintf("cut %d of the %d bytes of the last record (at offset %d) of %s", t.Cut, t.RecordLength, t.RecordStart, t.Path)
}

// TearWAL cuts the last record of h's WAL head file short by a random number of bytes (at
// least one, and fewer than the record has), as a crash in the middle of writing it would. If
// refuse, given the last record, returns a reason, the file is left alone and the reason is in
// Tear.Skipped. The node must not be running.
func TearWAL(h *Home, rng *rand.Rand, refuse func(*consensuspb.WALMessage) string) (Tear, error) {
	path := filepath.Join(h.Dir, "data", "cs.wal", "wal")
	start, end, last, err := lastRecord(path)
	if err != nil {
		return Tear{}, err
	}
	t := Tear{Path: path, RecordStart: start, RecordLength: end - start}
	if refuse != nil {
		if t.Skipped = refuse(last); t.Skipped != "" {
			return t, nil
		}
	}
	t.Cut = 1 + rng.Int64N(t.RecordLength-1)
	if err := os.Truncate(path, end-t.Cut); err != nil {
		return Tear{}, fmt.Errorf("tearing the WAL: %w", err)
	}
	return t, nil
}

// UnwrittenTear refuses to tear a record no crash could have torn: our own proposal, a part of
// its block, or our vote, once the signer has signed past it. Such a record was fsynced before
// the next signature (the driver syncs own messages, a proposal together with its block's parts,
// before acting on them), so losing it would mean losing synced data, not a torn write. s is the
// snapshot of the home taken after the crash.
func UnwrittenTear(s *Snapshot) func(*consensuspb.WALMessage) string {
	return func(m *consensuspb.WALMessage) string {
		if signed, ok := signedBy(m, s.Address); ok && signed.HRS.Less(s.PrivVal) {
			return fmt.Sprintf("it is our message at %s, synced before the signer went on to %s", signed.HRS, s.PrivVal)
		}
		if proposal, ok := ownBlockPart(m); ok && proposal.Less(s.PrivVal) {
			return fmt.Sprintf("it is a part of our proposal at %s, synced with it before the signer went on to %s", proposal, s.PrivVal)
		}
		return ""
	}
}

// ownBlockPart returns, for a part of the block of our own proposal, the proposal's HRS.
func ownBlockPart(m *consensuspb.WALMessage) (HRS, bool) {
	info, ok := m.Sum.(*consensuspb.WALMessage_MsgInfo)
	if !ok || info.MsgInfo == nil || info.MsgInfo.PeerID != "" {
		return HRS{}, false
	}
	part, ok := info.MsgInfo.Msg.Sum.(*consensuspb.Message_BlockPart)
	if !ok || part.BlockPart == nil {
		return HRS{}, false
	}
	return HRS{part.BlockPart.Height, part.BlockPart.Round, int8(privval.StepPropose)}, true
}

// lastRecord returns where the last record of the WAL file at path starts and ends, and the
// record; the file must be intact.
func lastRecord(path string) (start, end int64, last *consensuspb.WALMessage, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	dec := wal.NewDecoder(bufio.NewReader(f))
	start = -1
	for {
		before := dec.Offset()
		rec, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, nil, fmt.Errorf("reading %s to tear it: %w", path, err)
		}
		start, end, last = before, dec.Offset(), rec.Msg
	}
	if start < 0 {
		return 0, 0, nil, fmt.Errorf("the WAL %s has no record to tear", path)
	}
	return start, end, last, nil
}
