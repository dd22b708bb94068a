package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/libs/log"
)

// openWAL opens the consensus WAL at path. A damaged tail (a torn record after a crash) is
// reported and repaired — the damaged file is kept as <path>.CORRUPTED — and the WAL opened again.
func openWAL(path string, logger log.Logger) (*wal.WAL, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the WAL directory: %w", err)
	}
	w, err := wal.Open(path, wal.Options{})
	if err == nil {
		return w, nil
	}
	if !errors.Is(err, wal.ErrCorrupted) {
		return nil, fmt.Errorf("opening the WAL: %w", err)
	}
	logger.Error("the consensus WAL is damaged; repairing it", "path", path, "damage", err)
	kept, dropped, rerr := wal.Repair(path)
	if rerr != nil {
		return nil, fmt.Errorf("repairing the WAL %s: %w (damage: %v)", path, rerr, err)
	}
	logger.Info("repaired the consensus WAL", "path", path, "records_kept", kept, "bytes_dropped", dropped, "copy", path+".CORRUPTED")
	if w, err = wal.Open(path, wal.Options{}); err != nil {
		return nil, fmt.Errorf("opening the repaired WAL: %w", err)
	}
	return w, nil
}

// markSynced records in the WAL that every height up to height is decided: block sync applied
// them, so consensus has nothing of theirs to replay and starts fresh at height+1.
func markSynced(w *wal.WAL, height int64) error {
	if err := w.WriteSync(wal.EndHeight(height)); err != nil {
		return fmt.Errorf("writing the end of synced height %d to the WAL: %w", height, err)
	}
	return nil
}
