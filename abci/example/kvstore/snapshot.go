package kvstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"sort"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// restoreState is a snapshot being restored through state sync. Chunks are held in memory
// until the last one arrives.
type restoreState struct {
	snapshot *abci.Snapshot
	appHash  []byte // the light-client-verified app hash from OfferSnapshot
	chunks   [][]byte
	received int
}

// takeSnapshot writes a snapshot of the committed state and deletes the snapshots beyond
// Options.SnapshotKeepRecent. Called with app.mu held, right after a commit.
func (app *Application) takeSnapshot() error {
	data, err := app.export()
	if err != nil {
		return err
	}
	payload := data.encode()
	size := app.opts.SnapshotChunkSize
	var hashes []byte
	var chunks [][]byte
	for start := 0; start < len(payload); start += size {
		chunk := payload[start:min(start+size, len(payload))]
		sum := sha256.Sum256(chunk)
		hashes = append(hashes, sum[:]...)
		chunks = append(chunks, chunk)
	}
	sum := sha256.Sum256(payload)
	h := uint64(app.state.Height)
	meta := &abci.Snapshot{Height: h, Format: SnapshotFormat, Chunks: uint32(len(chunks)), Hash: sum[:], Metadata: hashes}
	metaBytes, err := meta.Marshal()
	if err != nil {
		return err
	}

	batch := app.db.NewBatch()
	defer batch.Close()
	if err := batch.Set(snapshotKey(h), metaBytes); err != nil {
		return err
	}
	for i, c := range chunks {
		if err := batch.Set(chunkKey(h, uint32(i)), c); err != nil {
			return err
		}
	}
	old, err := app.snapshots()
	if err != nil {
		return err
	}
	// old is sorted by height, newest first, and does not contain h yet.
	for i, s := range old {
		if i+1 < app.opts.SnapshotKeepRecent || s.Height == h {
			continue
		}
		if err := batch.Delete(snapshotKey(s.Height)); err != nil {
			return err
		}
		for c := uint32(0); c < s.Chunks; c++ {
			if err := batch.Delete(chunkKey(s.Height, c)); err != nil {
				return err
			}
		}
	}
	if err := batch.WriteSync(); err != nil {
		return err
	}
	app.logger.Info("took snapshot", "height", h, "chunks", len(chunks), "bytes", len(payload))
	return nil
}

// export collects the committed state: every key's newest value and every validator.
func (app *Application) export() (snapshotData, error) {
	d := snapshotData{height: app.state.Height, size: app.state.Size}
	latest := make(map[string][]byte)
	err := forEach(app.db, []byte{prefixKV}, func(k, v []byte) error {
		key, h, ok := splitKVKey(k)
		if !ok {
			return fmt.Errorf("malformed value key %X", k)
		}
		if h <= app.state.Height {
			latest[string(key)] = append([]byte(nil), v...) // versions ascend, so the last wins
		}
		return nil
	})
	if err != nil {
		return snapshotData{}, fmt.Errorf("export values: %w", err)
	}
	for k, v := range latest {
		d.values = append(d.values, pair{key: []byte(k), value: v})
	}
	sort.Slice(d.values, func(i, j int) bool { return bytes.Compare(d.values[i].key, d.values[j].key) < 0 })
	err = forEach(app.db, []byte{prefixValidator}, func(k, v []byte) error {
		d.validators = append(d.validators, pair{key: append([]byte(nil), k[1:]...), value: append([]byte(nil), v...)})
		return nil
	})
	if err != nil {
		return snapshotData{}, fmt.Errorf("export validators: %w", err)
	}
	return d, nil
}

// snapshots lists the stored snapshots, newest first.
func (app *Application) snapshots() ([]*abci.Snapshot, error) {
	var out []*abci.Snapshot
	err := forEach(app.db, []byte{prefixSnapshot}, func(_, v []byte) error {
		s := new(abci.Snapshot)
		if err := s.Unmarshal(v); err != nil {
			return fmt.Errorf("snapshot record: %w", err)
		}
		out = append(out, s)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Height > out[j].Height })
	return out, err
}

// ListSnapshots lists the stored snapshots, newest first.
func (app *Application) ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	list, err := app.snapshots()
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	return &abci.ResponseListSnapshots{Snapshots: list}, nil
}

// LoadSnapshotChunk returns a stored chunk, or an empty chunk when there is no such chunk.
func (app *Application) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	if req.Format != SnapshotFormat {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	chunk, err := app.db.Get(chunkKey(req.Height, req.Chunk))
	if err != nil {
		return nil, fmt.Errorf("load snapshot chunk: %w", err)
	}
	return &abci.ResponseLoadSnapshotChunk{Chunk: chunk}, nil
}

// OfferSnapshot starts restoring a snapshot, replacing any restore in progress. It aborts
// state sync when the application already has committed state, rejects other formats with
// REJECT_FORMAT and malformed snapshot descriptions with REJECT.
func (app *Application) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	s := req.Snapshot
	switch {
	case app.state.Height > 0:
		app.logger.Error("refusing snapshot: the application has state", "height", app.state.Height)
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ABORT}, nil
	case s == nil:
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT}, nil
	case s.Format != SnapshotFormat:
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT_FORMAT}, nil
	case s.Height == 0 || s.Chunks == 0 || len(s.Hash) != sha256.Size ||
		uint64(len(s.Metadata)) != uint64(s.Chunks)*sha256.Size:
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT}, nil
	}
	app.restore = &restoreState{
		snapshot: s,
		appHash:  append([]byte(nil), req.AppHash...),
		chunks:   make([][]byte, s.Chunks),
	}
	return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ACCEPT}, nil
}

// ApplySnapshotChunk checks a chunk against the snapshot's chunk hashes (RETRY, refetching it
// and rejecting its sender, on mismatch) and, once every chunk is in, verifies the payload hash
// and that the restored state's app hash equals the trusted one (REJECT_SNAPSHOT otherwise)
// before writing the state in one synced batch. Chunks may arrive in any order.
func (app *Application) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	rs := app.restore
	if rs == nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
	}
	if req.Index >= rs.snapshot.Chunks {
		app.restore = nil
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	sum := sha256.Sum256(req.Chunk)
	want := rs.snapshot.Metadata[req.Index*sha256.Size : (req.Index+1)*sha256.Size]
	if !bytes.Equal(sum[:], want) {
		resp := &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{req.Index}}
		if req.Sender != "" {
			resp.RejectSenders = []string{req.Sender}
		}
		return resp, nil
	}
	if rs.chunks[req.Index] == nil {
		rs.chunks[req.Index] = append([]byte{}, req.Chunk...)
		rs.received++
	}
	if rs.received < len(rs.chunks) {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	app.restore = nil
	if err := app.finishRestore(rs); err != nil {
		if rejected, ok := err.(rejectError); ok {
			app.logger.Error("rejecting snapshot", "height", rs.snapshot.Height, "err", rejected.Error())
			return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
		}
		return nil, err
	}
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
}

// rejectError marks a snapshot whose contents are unacceptable (as opposed to an I/O error).
type rejectError struct{ error }

func (app *Application) finishRestore(rs *restoreState) error {
	payload := bytes.Join(rs.chunks, nil)
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], rs.snapshot.Hash) {
		return rejectError{fmt.Errorf("payload hash %X, snapshot says %X", sum, rs.snapshot.Hash)}
	}
	data, err := decodeSnapshot(payload)
	if err != nil {
		return rejectError{err}
	}
	if uint64(data.height) != rs.snapshot.Height {
		return rejectError{fmt.Errorf("payload height %d, snapshot height %d", data.height, rs.snapshot.Height)}
	}
	if got := appHashOfSize(data.size); !bytes.Equal(got, rs.appHash) {
		return rejectError{fmt.Errorf("restored app hash %X, trusted app hash %X", got, rs.appHash)}
	}

	batch := app.db.NewBatch()
	defer batch.Close()
	for _, prefix := range []byte{prefixKV, prefixValidator} {
		err := forEach(app.db, []byte{prefix}, func(k, _ []byte) error {
			return batch.Delete(append([]byte(nil), k...))
		})
		if err != nil {
			return fmt.Errorf("restore: clear: %w", err)
		}
	}
	for _, p := range data.values {
		if err := batch.Set(kvKey(p.key, data.height), p.value); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	for _, p := range data.validators {
		if err := batch.Set(validatorKey(p.key), p.value); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	next := appState{Height: data.height, Size: data.size, Earliest: data.height}
	if err := batch.Set(keyState, next.encode()); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := batch.WriteSync(); err != nil {
		return fmt.Errorf("restore: write: %w", err)
	}
	app.state = next
	app.pending = nil
	app.logger.Info("restored snapshot", "height", data.height, "values", len(data.values), "validators", len(data.validators))
	return nil
}
