package blockstore

import (
	"errors"
	"fmt"
	"strconv"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/types"
)

// SaveBlock durably stores block with its complete part set and the commit this node saw for it
// (seenCommit, of the block's height), and makes it the new Height. The block's LastCommit is
// stored as the commit of height-1. The first block saved sets Base; later blocks must follow
// Height directly.
//
// Everything is written in one batch, flushed before SaveBlock returns. The arguments are only
// read. Errors leave the store unchanged.
func (bs *BlockStore) SaveBlock(block *types.Block, parts *types.PartSet, seenCommit *types.Commit) error {
	return bs.save(block, parts, seenCommit, nil)
}

// SaveBlockWithExtendedCommit is SaveBlock for heights with vote extensions enabled: the seen
// commit is extCommit without extensions, and extCommit itself is stored too (EC:<height>) for
// PrepareProposal, block sync and restarts. Every non-absent entry of extCommit must carry an
// extension signature.
func (bs *BlockStore) SaveBlockWithExtendedCommit(block *types.Block, parts *types.PartSet, extCommit *types.ExtendedCommit) error {
	if extCommit == nil {
		return errors.New("saving block: nil extended commit")
	}
	if err := extCommit.EnsureExtensions(true); err != nil {
		return fmt.Errorf("saving block: extended commit: %w", err)
	}
	return bs.save(block, parts, extCommit.ToCommit(), extCommit)
}

func (bs *BlockStore) save(block *types.Block, parts *types.PartSet, seenCommit *types.Commit, extCommit *types.ExtendedCommit) error {
	if err := checkSaveArgs(block, parts, seenCommit); err != nil {
		return err
	}
	bs.writeMu.Lock()
	defer bs.writeMu.Unlock()

	height := block.Height
	base, last := bs.bounds()
	if base > 0 && height != last+1 {
		return fmt.Errorf("saving block: heights must be contiguous: want %d, got %d", last+1, height)
	}
	batch := bs.db.NewBatch()
	defer batch.Close()
	if err := addBlock(batch, block, parts, seenCommit); err != nil {
		return fmt.Errorf("saving block %d: %w", height, err)
	}
	if extCommit != nil {
		if err := setProto(batch, extCommitKey(height), extCommit.ToProto()); err != nil {
			return fmt.Errorf("saving block %d: extended commit: %w", height, err)
		}
	}
	if base == 0 {
		base = height
	}
	if err := writeBounds(batch, base, height); err != nil {
		return fmt.Errorf("saving block %d: %w", height, err)
	}
	bs.setBounds(base, height)
	return nil
}

func checkSaveArgs(block *types.Block, parts *types.PartSet, seenCommit *types.Commit) error {
	switch {
	case block == nil:
		return errors.New("saving block: nil block")
	case block.LastCommit == nil:
		return fmt.Errorf("saving block %d: no last commit", block.Height)
	case len(block.Hash()) == 0:
		return fmt.Errorf("saving block %d: header not populated", block.Height)
	case block.Height <= 0:
		return fmt.Errorf("saving block: height %d must be positive", block.Height)
	case parts == nil || !parts.IsComplete():
		return fmt.Errorf("saving block %d: the part set is not complete", block.Height)
	case seenCommit == nil:
		return fmt.Errorf("saving block %d: nil seen commit", block.Height)
	case seenCommit.Height != block.Height:
		return fmt.Errorf("saving block %d: seen commit is of height %d", block.Height, seenCommit.Height)
	}
	return nil
}

// addBlock adds the block's parts, meta, hash index, previous commit and seen commit to batch.
// Parts come first: a reader that finds the meta finds the parts.
func addBlock(batch dbm.Batch, block *types.Block, parts *types.PartSet, seenCommit *types.Commit) error {
	height := block.Height
	for i := 0; i < int(parts.Total()); i++ {
		pb, err := parts.GetPart(i).ToProto()
		if err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		if err := setProto(batch, partKey(height, i), pb); err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
	}
	meta := types.NewBlockMeta(block, parts)
	if err := setProto(batch, metaKey(height), meta.ToProto()); err != nil {
		return fmt.Errorf("block meta: %w", err)
	}
	if err := batch.Set(hashKey(meta.BlockID.Hash), strconv.AppendInt(nil, height, 10)); err != nil {
		return fmt.Errorf("hash index: %w", err)
	}
	if err := setProto(batch, commitKey(height-1), block.LastCommit.ToProto()); err != nil {
		return fmt.Errorf("last commit: %w", err)
	}
	if err := setProto(batch, seenCommitKey(height), seenCommit.ToProto()); err != nil {
		return fmt.Errorf("seen commit: %w", err)
	}
	return nil
}

// SaveSeenCommit durably stores commit as the seen commit of height, outside of a block (state
// sync stores the commit of the height it restored).
func (bs *BlockStore) SaveSeenCommit(height int64, commit *types.Commit) error {
	if commit == nil {
		return fmt.Errorf("saving seen commit of height %d: nil commit", height)
	}
	bs.writeMu.Lock()
	defer bs.writeMu.Unlock()
	bz, err := commit.ToProto().Marshal()
	if err != nil {
		return fmt.Errorf("saving seen commit of height %d: %w", height, err)
	}
	if err := bs.db.SetSync(seenCommitKey(height), bz); err != nil {
		return fmt.Errorf("saving seen commit of height %d: %w", height, err)
	}
	return nil
}

type marshaler interface{ Marshal() ([]byte, error) }

// setProto adds the encoding of msg under key to batch.
func setProto(batch dbm.Batch, key []byte, msg marshaler) error {
	bz, err := msg.Marshal()
	if err != nil {
		return err
	}
	return batch.Set(key, bz)
}
