package types

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
)

// ErrInvalidBlock wraps every error returned by Block.ValidateBasic and BlockFromProto.
var ErrInvalidBlock = errors.New("invalid block")

// Block is a header with the transactions, evidence and last commit it commits to. Blocks are
// built by MakeBlock plus Header.Populate (by the state) or decoded by BlockFromProto, and are
// shared read-only afterwards.
type Block struct {
	Header     `json:"header"`
	Data       `json:"data"`
	Evidence   EvidenceData `json:"evidence"`
	LastCommit *Commit      `json:"last_commit"`
}

// MakeBlock returns a block of height with the given contents and the header hashes of those
// contents filled (LastCommitHash, DataHash, EvidenceHash) and the block protocol version set.
// The state fills the rest with Header.Populate. lastCommit is the empty Commit at the initial
// height. The arguments are kept, not copied.
func MakeBlock(height int64, txs Txs, lastCommit *Commit, evidence EvidenceList) *Block {
	b := &Block{
		Header: Header{
			Version: tmversion.Consensus{Block: BlockProtocol},
			Height:  height,
		},
		Data:       Data{Txs: txs},
		Evidence:   EvidenceData{Evidence: evidence},
		LastCommit: lastCommit,
	}
	b.LastCommitHash = lastCommit.Hash()
	b.DataHash = b.Data.Hash()
	b.EvidenceHash = b.Evidence.Hash()
	return b
}

// Hash returns the block hash (the header hash), or nil for a nil block, a block without
// LastCommit, or a header not yet populated.
func (b *Block) Hash() crypto.HexBytes {
	if b == nil || b.LastCommit == nil {
		return nil
	}
	return b.Header.Hash()
}

// HashesTo reports whether the block's hash is hash (false for an empty hash).
func (b *Block) HashesTo(hash []byte) bool {
	if len(hash) == 0 {
		return false
	}
	return bytes.Equal(b.Hash(), hash)
}

// MakePartSet encodes the block and splits it into parts of partSize bytes (consensus uses
// BlockPartSizeBytes).
func (b *Block) MakePartSet(partSize uint32) (*PartSet, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: nil block", ErrInvalidBlock)
	}
	pb, err := b.ToProto()
	if err != nil {
		return nil, err
	}
	bz, err := pb.Marshal()
	if err != nil {
		return nil, fmt.Errorf("encoding block: %w", err)
	}
	return NewPartSetFromData(bz, partSize), nil
}

// Size returns the size of the block's proto encoding, or 0 when it cannot be encoded.
func (b *Block) Size() int {
	pb, err := b.ToProto()
	if err != nil {
		return 0
	}
	return pb.Size()
}

// ValidateBasic checks the block on its own (types.md §9): a valid header; a present and valid
// last commit whose hash is the header's last_commit_hash; data hashing to data_hash; valid
// evidence hashing to evidence_hash. Validity against the state is the state package's.
// Errors wrap ErrInvalidBlock.
func (b *Block) ValidateBasic() error {
	if b == nil {
		return fmt.Errorf("%w: nil block", ErrInvalidBlock)
	}
	if err := b.Header.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidBlock, err)
	}
	if b.LastCommit == nil {
		return fmt.Errorf("%w: missing last commit", ErrInvalidBlock)
	}
	if err := b.LastCommit.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: last commit: %w", ErrInvalidBlock, err)
	}
	if want := b.LastCommit.Hash(); !bytes.Equal(want, b.LastCommitHash) {
		return fmt.Errorf("%w: last commit hash %X, last commit hashes to %X", ErrInvalidBlock, []byte(b.LastCommitHash), want)
	}
	if want := b.Data.Hash(); !bytes.Equal(want, b.DataHash) {
		return fmt.Errorf("%w: data hash %X, data hashes to %X", ErrInvalidBlock, []byte(b.DataHash), []byte(want))
	}
	for i, ev := range b.Evidence.Evidence {
		if err := ev.ValidateBasic(); err != nil {
			return fmt.Errorf("%w: evidence %d: %w", ErrInvalidBlock, i, err)
		}
	}
	if want := b.Evidence.Hash(); !bytes.Equal(want, b.EvidenceHash) {
		return fmt.Errorf("%w: evidence hash %X, evidence hashes to %X", ErrInvalidBlock, []byte(b.EvidenceHash), []byte(want))
	}
	return nil
}

// String returns a compact description for logs.
func (b *Block) String() string {
	if b == nil {
		return "nil-Block"
	}
	return fmt.Sprintf("Block{%v, %d txs, %d evidence, %v}", &b.Header, len(b.Txs), len(b.Evidence.Evidence), b.LastCommit)
}

// StringShort returns "Block#<hash>".
func (b *Block) StringShort() string {
	if b == nil {
		return "nil-Block"
	}
	return fmt.Sprintf("Block#%X", []byte(b.Hash()))
}

// ToProto returns the wire form. It fails for a nil block or evidence that cannot be encoded. It
// shares byte slices with b.
func (b *Block) ToProto() (*tmproto.Block, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: nil block", ErrInvalidBlock)
	}
	evidence, err := b.Evidence.ToProto()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBlock, err)
	}
	return &tmproto.Block{
		Header:     *b.Header.ToProto(),
		Data:       b.Data.ToProto(),
		Evidence:   *evidence,
		LastCommit: b.LastCommit.ToProto(),
	}, nil
}

// BlockFromProto converts a wire block and checks it with ValidateBasic; errors wrap
// ErrInvalidBlock. The result shares byte slices with pb.
func BlockFromProto(pb *tmproto.Block) (*Block, error) {
	if pb == nil {
		return nil, fmt.Errorf("%w: nil block", ErrInvalidBlock)
	}
	header, err := HeaderFromProto(&pb.Header)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBlock, err)
	}
	evidence, err := EvidenceDataFromProto(&pb.Evidence)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBlock, err)
	}
	b := &Block{Header: header, Data: DataFromProto(&pb.Data), Evidence: evidence}
	if pb.LastCommit != nil {
		if b.LastCommit, err = CommitFromProto(pb.LastCommit); err != nil {
			return nil, fmt.Errorf("%w: last commit: %w", ErrInvalidBlock, err)
		}
	}
	if err := b.ValidateBasic(); err != nil {
		return nil, err
	}
	return b, nil
}
