package types

import (
	"bytes"
	"errors"
	"fmt"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// ErrInvalidBlockMeta wraps every error returned by BlockMeta.ValidateBasic and
// BlockMetaFromProto.
var ErrInvalidBlockMeta = errors.New("invalid block meta")

// BlockMeta is what the block store keeps about a block besides its parts: its ID, encoded size,
// header and number of transactions.
type BlockMeta struct {
	BlockID   BlockID `json:"block_id"`
	BlockSize int     `json:"block_size"`
	Header    Header  `json:"header"`
	NumTxs    int     `json:"num_txs"`
}

// NewBlockMeta describes block, whose part set is parts.
func NewBlockMeta(block *Block, parts *PartSet) *BlockMeta {
	return &BlockMeta{
		BlockID:   BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()},
		BlockSize: int(parts.ByteSize()),
		Header:    block.Header,
		NumTxs:    len(block.Txs),
	}
}

// ValidateBasic checks that the block ID is valid and names the header's hash. Errors wrap
// ErrInvalidBlockMeta.
func (bm *BlockMeta) ValidateBasic() error {
	if bm == nil {
		return fmt.Errorf("%w: nil block meta", ErrInvalidBlockMeta)
	}
	if err := bm.BlockID.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidBlockMeta, err)
	}
	if h := bm.Header.Hash(); !bytes.Equal(bm.BlockID.Hash, h) {
		return fmt.Errorf("%w: block ID hash %X, header hash %X", ErrInvalidBlockMeta, []byte(bm.BlockID.Hash), []byte(h))
	}
	return nil
}

// ToProto returns the wire form, or nil for nil. It shares byte slices with bm.
func (bm *BlockMeta) ToProto() *tmproto.BlockMeta {
	if bm == nil {
		return nil
	}
	return &tmproto.BlockMeta{
		BlockID:   bm.BlockID.ToProto(),
		BlockSize: int64(bm.BlockSize),
		Header:    *bm.Header.ToProto(),
		NumTxs:    int64(bm.NumTxs),
	}
}

// BlockMetaFromProto converts a wire block meta and checks it with ValidateBasic; errors wrap
// ErrInvalidBlockMeta. The result shares byte slices with pb.
func BlockMetaFromProto(pb *tmproto.BlockMeta) (*BlockMeta, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil block meta", ErrInvalidBlockMeta)
	}
	blockID, err := BlockIDFromProto(&pb.BlockID)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBlockMeta, err)
	}
	header, err := HeaderFromProto(&pb.Header)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBlockMeta, err)
	}
	bm := &BlockMeta{BlockID: blockID, BlockSize: int(pb.BlockSize), Header: header, NumTxs: int(pb.NumTxs)}
	if err := bm.ValidateBasic(); err != nil {
		return nil, err
	}
	return bm, nil
}
