package blockstore

import (
	"bytes"
	"fmt"
	"strconv"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// The Load methods may be called from any goroutine. Returned values are owned by the caller.
// Errors wrap ErrNotFound when nothing is stored and ErrCorrupted when the stored bytes are bad.

// get returns the value of key, or an ErrNotFound error describing what (formatted from what
// and args) is missing.
func (bs *BlockStore) get(key []byte, what string, args ...any) ([]byte, error) {
	bz, err := bs.db.Get(key)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", fmt.Sprintf(what, args...), err)
	}
	if len(bz) == 0 {
		return nil, notFound(what, args...)
	}
	return bz, nil
}

// LoadBlockMeta returns the meta of the block at height. The meta is checked: its block ID
// names the hash of its header, which is of height.
func (bs *BlockStore) LoadBlockMeta(height int64) (*types.BlockMeta, error) {
	key := metaKey(height)
	bz, err := bs.get(key, "block meta of height %d", height)
	if err != nil {
		return nil, err
	}
	meta, err := decodeBlockMeta(key, bz)
	if err != nil {
		return nil, err
	}
	if meta.Header.Height != height {
		return nil, corrupted(key, "holds the meta of height %d", meta.Header.Height)
	}
	return meta, nil
}

// decodeBlockMeta decodes the stored form of a block meta.
func decodeBlockMeta(key, bz []byte) (*types.BlockMeta, error) {
	var pb tmproto.BlockMeta
	if err := pb.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	meta, err := types.BlockMetaFromProto(&pb)
	if err != nil {
		return nil, corrupted(key, "%v", err)
	}
	return meta, nil
}

// LoadBlockMetaByHash returns the meta of the block with hash.
func (bs *BlockStore) LoadBlockMetaByHash(hash []byte) (*types.BlockMeta, error) {
	height, err := bs.heightOf(hash)
	if err != nil {
		return nil, err
	}
	meta, err := bs.LoadBlockMeta(height)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(meta.BlockID.Hash, hash) {
		return nil, corrupted(hashKey(hash), "indexes height %d, whose block has hash %X", height, []byte(meta.BlockID.Hash))
	}
	return meta, nil
}

// LoadBaseMeta returns the meta of the lowest stored block.
func (bs *BlockStore) LoadBaseMeta() (*types.BlockMeta, error) {
	base := bs.Base()
	if base == 0 {
		return nil, notFound("the block store is empty")
	}
	return bs.LoadBlockMeta(base)
}

// heightOf returns the height indexed for a block hash.
func (bs *BlockStore) heightOf(hash []byte) (int64, error) {
	key := hashKey(hash)
	bz, err := bs.get(key, "block with hash %X", hash)
	if err != nil {
		return 0, err
	}
	height, err := strconv.ParseInt(string(bz), 10, 64)
	if err != nil || height <= 0 {
		return 0, corrupted(key, "height %q is not a positive decimal number", bz)
	}
	return height, nil
}

// LoadBlockPart returns part index of the block at height, with its Merkle proof checked for
// shape (not against the part-set hash).
func (bs *BlockStore) LoadBlockPart(height int64, index int) (*types.Part, error) {
	key := partKey(height, index)
	bz, err := bs.get(key, "part %d of block %d", index, height)
	if err != nil {
		return nil, err
	}
	var pb tmproto.Part
	if err := pb.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	part, err := types.PartFromProto(&pb)
	if err != nil {
		return nil, corrupted(key, "%v", err)
	}
	if int(part.Index) != index {
		return nil, corrupted(key, "part has index %d", part.Index)
	}
	return part, nil
}

// LoadBlock returns the block at height, reassembled from its parts. The parts must hash to the
// part-set hash and the block to the hash recorded in its meta; anything else is reported as
// corruption. A part that vanished under a concurrent prune makes the block not found.
func (bs *BlockStore) LoadBlock(height int64) (*types.Block, error) {
	meta, err := bs.LoadBlockMeta(height)
	if err != nil {
		return nil, err
	}
	return bs.loadBlock(meta)
}

// LoadBlockByHash returns the block with hash.
func (bs *BlockStore) LoadBlockByHash(hash []byte) (*types.Block, error) {
	meta, err := bs.LoadBlockMetaByHash(hash)
	if err != nil {
		return nil, err
	}
	return bs.loadBlock(meta)
}

func (bs *BlockStore) loadBlock(meta *types.BlockMeta) (*types.Block, error) {
	height := meta.Header.Height
	psh := meta.BlockID.PartSetHeader
	parts, err := types.NewPartSetFromHeader(psh)
	if err != nil {
		return nil, corrupted(metaKey(height), "%v", err)
	}
	for i := 0; i < int(psh.Total); i++ {
		part, err := bs.LoadBlockPart(height, i)
		if err != nil {
			return nil, err
		}
		if _, err := parts.AddPart(part); err != nil {
			return nil, corrupted(partKey(height, i), "does not belong to the block's part set: %v", err)
		}
	}
	bz, err := parts.Bytes()
	if err != nil {
		return nil, corrupted(metaKey(height), "reassembling the block: %v", err)
	}
	var pb tmproto.Block
	if err := pb.Unmarshal(bz); err != nil {
		return nil, corrupted(partKey(height, 0), "block %d: %v", height, err)
	}
	block, err := types.BlockFromProto(&pb)
	if err != nil {
		return nil, corrupted(partKey(height, 0), "block %d: %v", height, err)
	}
	if !block.HashesTo(meta.BlockID.Hash) {
		return nil, corrupted(partKey(height, 0), "block %d hashes to %X, its meta says %X", height, []byte(block.Hash()), []byte(meta.BlockID.Hash))
	}
	return block, nil
}

// LoadBlockCommit returns the commit of height as carried by block height+1 (its LastCommit).
// The commit of the highest block is not available here until the next block is saved; see
// LoadSeenCommit.
func (bs *BlockStore) LoadBlockCommit(height int64) (*types.Commit, error) {
	return bs.loadCommit(commitKey(height), "commit of height %d", height)
}

// LoadSeenCommit returns the commit this node saw for height when it committed the block (or
// that state sync stored). It may differ from LoadBlockCommit in which precommits it holds.
func (bs *BlockStore) LoadSeenCommit(height int64) (*types.Commit, error) {
	return bs.loadCommit(seenCommitKey(height), "seen commit of height %d", height)
}

func (bs *BlockStore) loadCommit(key []byte, what string, height int64) (*types.Commit, error) {
	bz, err := bs.get(key, what, height)
	if err != nil {
		return nil, err
	}
	var pb tmproto.Commit
	if err := pb.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	commit, err := types.CommitFromProto(&pb)
	if err != nil {
		return nil, corrupted(key, "%v", err)
	}
	return commit, nil
}

// LoadBlockExtendedCommit returns the extended commit saved with the block at height
// (SaveBlockWithExtendedCommit). Heights saved without vote extensions have none.
func (bs *BlockStore) LoadBlockExtendedCommit(height int64) (*types.ExtendedCommit, error) {
	key := extCommitKey(height)
	bz, err := bs.get(key, "extended commit of height %d", height)
	if err != nil {
		return nil, err
	}
	var pb tmproto.ExtendedCommit
	if err := pb.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	ec, err := types.ExtendedCommitFromProto(&pb)
	if err != nil {
		return nil, corrupted(key, "%v", err)
	}
	return ec, nil
}
