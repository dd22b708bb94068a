package blockstore

import (
	"errors"
	"fmt"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/types"
)

// pruneFlushEvery is how many blocks PruneBlocks deletes per batch.
const pruneFlushEvery = 1000

// EvidenceWindow describes which old blocks may still be needed to verify evidence: those whose
// evidence has not expired at the chain's current height and time (types.md §11: evidence
// expires only when it is older than Params.MaxAgeNumBlocks blocks and older than
// Params.MaxAgeDuration). Take it from the state: LastBlockHeight, LastBlockTime and
// ConsensusParams.Evidence. The zero window expires nothing.
type EvidenceWindow struct {
	Height int64
	Time   time.Time
	Params types.EvidenceParams
}

// expired reports whether evidence of a block at height with time t has expired.
func (w EvidenceWindow) expired(height int64, t time.Time) bool {
	return w.Height-height > w.Params.MaxAgeNumBlocks && w.Time.Sub(t) > w.Params.MaxAgeDuration
}

// PruneBlocks removes the blocks below retainHeight, which becomes the new Base, as CometBFT
// v0.38 does: parts, hash index entries and seen (and extended) commits are deleted; block
// metas and block commits are kept from the first height whose evidence has not expired
// (evidencePoint, returned) so that evidence against those heights can still be verified.
// evidencePoint is retainHeight when every pruned height has expired.
//
// retainHeight must lie in [Base, Height]. Base is raised before the deletions are written, so
// readers do not go for blocks being deleted; deletions are written in synced batches of 1000
// blocks, so an interrupted prune leaves a consistent store with a higher base.
func (bs *BlockStore) PruneBlocks(retainHeight int64, window EvidenceWindow) (pruned uint64, evidencePoint int64, err error) {
	if retainHeight <= 0 {
		return 0, -1, fmt.Errorf("pruning blocks: retain height %d must be positive", retainHeight)
	}
	bs.writeMu.Lock()
	defer bs.writeMu.Unlock()
	base, height := bs.bounds()
	switch {
	case retainHeight > height:
		return 0, -1, fmt.Errorf("pruning blocks: retain height %d is above the store height %d", retainHeight, height)
	case retainHeight < base:
		return 0, -1, fmt.Errorf("pruning blocks: retain height %d is below the store base %d", retainHeight, base)
	}

	flush := func(batch dbm.Batch, newBase int64) error {
		bs.setBounds(newBase, height)
		if err := writeBounds(batch, newBase, height); err != nil {
			return fmt.Errorf("pruning blocks below %d: %w", newBase, err)
		}
		return nil
	}
	batch := bs.db.NewBatch()
	defer func() { batch.Close() }()
	evidencePoint = retainHeight
	for h := base; h < retainHeight; h++ {
		meta, err := bs.LoadBlockMeta(h)
		if errors.Is(err, ErrNotFound) {
			continue // deleted by an interrupted earlier prune
		}
		if err != nil {
			return pruned, -1, fmt.Errorf("pruning block %d: %w", h, err)
		}
		if evidencePoint == retainHeight && !window.expired(h, meta.Header.Time) {
			evidencePoint = h
		}
		keepHeader := h >= evidencePoint
		if err := deleteBlock(batch, h, meta, keepHeader); err != nil {
			return pruned, -1, fmt.Errorf("pruning block %d: %w", h, err)
		}
		pruned++
		if pruned%pruneFlushEvery == 0 {
			if err := flush(batch, h+1); err != nil {
				return pruned, -1, err
			}
			batch.Close()
			batch = bs.db.NewBatch()
		}
	}
	if err := flush(batch, retainHeight); err != nil {
		return pruned, -1, err
	}
	return pruned, evidencePoint, nil
}

// deleteBlock adds the deletion of block h's keys to batch; with keepHeader the meta and the
// block commit stay.
func deleteBlock(batch dbm.Batch, h int64, meta *types.BlockMeta, keepHeader bool) error {
	keys := [][]byte{hashKey(meta.BlockID.Hash), seenCommitKey(h), extCommitKey(h)}
	if !keepHeader {
		keys = append(keys, metaKey(h), commitKey(h))
	}
	for i := 0; i < int(meta.BlockID.PartSetHeader.Total); i++ {
		keys = append(keys, partKey(h, i))
	}
	for _, key := range keys {
		if err := batch.Delete(key); err != nil {
			return err
		}
	}
	return nil
}

// DeleteLatestBlock removes the block at Height (with its parts, hash index entry, seen and
// extended commits and any commit of that height) and lowers Height by one, durably. It is the
// rollback of the last block. A block whose meta is corrupted is removed too: its parts are
// found by probing indexes from 0. The commit of Height-1 carried by the removed block stays.
func (bs *BlockStore) DeleteLatestBlock() error {
	bs.writeMu.Lock()
	defer bs.writeMu.Unlock()
	base, height := bs.bounds()
	if height == 0 || height < base {
		return errors.New("deleting the latest block: the block store is empty")
	}
	batch := bs.db.NewBatch()
	defer batch.Close()
	meta, err := bs.LoadBlockMeta(height)
	switch {
	case err == nil:
		if err := batch.Delete(hashKey(meta.BlockID.Hash)); err != nil {
			return fmt.Errorf("deleting block %d: %w", height, err)
		}
		for i := 0; i < int(meta.BlockID.PartSetHeader.Total); i++ {
			if err := batch.Delete(partKey(height, i)); err != nil {
				return fmt.Errorf("deleting block %d: %w", height, err)
			}
		}
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrCorrupted):
		if err := bs.deleteProbedParts(batch, height); err != nil {
			return err
		}
	default:
		return fmt.Errorf("deleting block %d: %w", height, err)
	}
	// The meta goes last in the batch, so that no key reachable from it dangles.
	for _, key := range [][]byte{commitKey(height), seenCommitKey(height), extCommitKey(height), metaKey(height)} {
		if err := batch.Delete(key); err != nil {
			return fmt.Errorf("deleting block %d: %w", height, err)
		}
	}
	if err := writeBounds(batch, base, height-1); err != nil {
		return fmt.Errorf("deleting block %d: %w", height, err)
	}
	bs.setBounds(base, height-1)
	return nil
}

// deleteProbedParts adds the deletion of the parts of block h that exist, found by index.
func (bs *BlockStore) deleteProbedParts(batch dbm.Batch, h int64) error {
	for i := 0; i < int(types.MaxBlockPartsCount); i++ {
		key := partKey(h, i)
		has, err := bs.db.Has(key)
		if err != nil {
			return fmt.Errorf("deleting block %d: %w", h, err)
		}
		if !has {
			return nil
		}
		if err := batch.Delete(key); err != nil {
			return fmt.Errorf("deleting block %d: %w", h, err)
		}
	}
	return nil
}
