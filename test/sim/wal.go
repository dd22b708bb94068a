package sim

import (
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
)

// ErrWALMissingEndHeight is returned by wal.since when the WAL has no end-of-height marker for
// the height before the one to replay.
var ErrWALMissingEndHeight = errors.New("sim: WAL has no EndHeight marker for the previous height")

// walRecord is one WAL entry: an input the machine was fed (a peer's or our own message, a
// fired timeout), or an end-of-height marker (Input == nil).
type walRecord struct {
	At        time.Duration
	Input     core.Input
	EndHeight int64
}

// wal is a node's simulated write-ahead log, following CometBFT's fsync rules (consensus.md
// §11): peer messages and timeouts are written without fsync, our own messages and EndHeight
// markers with fsync, and a background flush syncs everything every WALFlushInterval. A crash
// keeps exactly the records up to the last sync.
type wal struct {
	records []walRecord
	synced  int // records[:synced] are durable
}

// newWAL returns a WAL holding the synced marker EndHeight{initialHeight-1}.
func newWAL(initialHeight int64) *wal {
	w := &wal{}
	w.write(walRecord{EndHeight: initialHeight - 1}, true)
	return w
}

// write appends rec, syncing the whole log if sync is set. An EndHeight marker drops the
// records before it: replay never reads behind the last marker.
func (w *wal) write(rec walRecord, sync bool) {
	if rec.Input == nil && len(w.records) > 0 && sync {
		w.records = append(w.records[:0], rec)
		w.synced = 1
		return
	}
	w.records = append(w.records, rec)
	if sync {
		w.flush()
	}
}

// flush makes every record durable.
func (w *wal) flush() { w.synced = len(w.records) }

// crash loses the records not yet synced. It returns how many were lost.
func (w *wal) crash() int {
	lost := len(w.records) - w.synced
	w.records = w.records[:w.synced]
	return lost
}

// since returns the inputs recorded after EndHeight{height-1}, the ones to replay at height.
// The slice is a copy.
func (w *wal) since(height int64) ([]walRecord, error) {
	start := -1
	for i, rec := range w.records {
		if rec.Input != nil {
			continue
		}
		if rec.EndHeight >= height {
			return nil, fmt.Errorf("sim: WAL has EndHeight{%d}, but the state is at height %d", rec.EndHeight, height)
		}
		if rec.EndHeight == height-1 {
			start = i + 1
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("%w (height %d)", ErrWALMissingEndHeight, height)
	}
	return append([]walRecord(nil), w.records[start:]...), nil
}
