package types

import (
	"errors"
	"fmt"
	"time"

	gogotypes "github.com/cosmos/gogoproto/types"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/merkle"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
)

// ErrInvalidHeader wraps every error returned by Header.ValidateBasic and HeaderFromProto.
var ErrInvalidHeader = errors.New("invalid header")

// Header is a block header. Its Hash is the block hash.
//
// The state fills a header through Populate (see MakeBlock); the hashes of the block's own
// contents (LastCommitHash, DataHash, EvidenceHash) are filled by Block.fillHeader. A Header is
// shared read-only once its block is built.
type Header struct {
	// Basic block info.
	Version tmversion.Consensus `json:"version"`
	ChainID string              `json:"chain_id"`
	Height  int64               `json:"height"`
	Time    time.Time           `json:"time"`

	// The previous block.
	LastBlockID BlockID `json:"last_block_id"`

	// Hashes of this block's contents.
	LastCommitHash crypto.HexBytes `json:"last_commit_hash"`
	DataHash       crypto.HexBytes `json:"data_hash"`

	// Hashes from the state after the previous block.
	ValidatorsHash     crypto.HexBytes `json:"validators_hash"`
	NextValidatorsHash crypto.HexBytes `json:"next_validators_hash"`
	ConsensusHash      crypto.HexBytes `json:"consensus_hash"`
	AppHash            crypto.HexBytes `json:"app_hash"`
	LastResultsHash    crypto.HexBytes `json:"last_results_hash"`

	// Consensus info.
	EvidenceHash    crypto.HexBytes `json:"evidence_hash"`
	ProposerAddress crypto.Address  `json:"proposer_address"`
}

// Populate fills the fields that come from the state (consensus.md §8); MakeBlock has filled the
// rest. The slices are kept, not copied.
func (h *Header) Populate(
	version tmversion.Consensus, chainID string,
	timestamp time.Time, lastBlockID BlockID,
	valHash, nextValHash []byte,
	consensusHash, appHash, lastResultsHash []byte,
	proposerAddress crypto.Address,
) {
	h.Version = version
	h.ChainID = chainID
	h.Time = timestamp
	h.LastBlockID = lastBlockID
	h.ValidatorsHash = valHash
	h.NextValidatorsHash = nextValHash
	h.ConsensusHash = consensusHash
	h.AppHash = appHash
	h.LastResultsHash = lastResultsHash
	h.ProposerAddress = proposerAddress
}

// Hash returns the block hash: the Merkle root of the 14 header fields in field order, each
// encoded as types.md §5 says (plain proto for the version and the last block ID, a Timestamp for
// the time, StringValue/Int64Value/BytesValue wrappers for the rest). It returns nil for a nil
// header or one without ValidatorsHash (not yet populated). A time outside the proto Timestamp
// range (years 1-9999) cannot be encoded and contributes an empty leaf, as in CometBFT.
func (h *Header) Hash() crypto.HexBytes {
	if h == nil || len(h.ValidatorsHash) == 0 {
		return nil
	}
	lastBlockID := h.LastBlockID.ToProto()
	return merkle.HashFromByteSlices([][]byte{
		mustMarshal(&h.Version),
		mustMarshal(&gogotypes.StringValue{Value: h.ChainID}),
		mustMarshal(&gogotypes.Int64Value{Value: h.Height}),
		timeLeaf(h.Time),
		mustMarshal(&lastBlockID),
		bytesLeaf(h.LastCommitHash),
		bytesLeaf(h.DataHash),
		bytesLeaf(h.ValidatorsHash),
		bytesLeaf(h.NextValidatorsHash),
		bytesLeaf(h.ConsensusHash),
		bytesLeaf(h.AppHash),
		bytesLeaf(h.LastResultsHash),
		bytesLeaf(h.EvidenceHash),
		bytesLeaf(h.ProposerAddress),
	})
}

// marshaler is what gogoproto-generated messages implement.
type marshaler interface{ Marshal() ([]byte, error) }

// mustMarshal encodes msg; the messages passed hold only scalars, strings, bytes and in-range
// times, so a failure is a broken invariant.
func mustMarshal(msg marshaler) []byte {
	bz, err := msg.Marshal()
	if err != nil {
		panic(fmt.Sprintf("types: encoding %T: %v", msg, err))
	}
	return bz
}

func bytesLeaf(b []byte) []byte { return mustMarshal(&gogotypes.BytesValue{Value: b}) }

func timeLeaf(t time.Time) []byte {
	bz, err := gogotypes.StdTimeMarshal(t)
	if err != nil {
		return nil
	}
	return bz
}

// ValidateBasic checks the header on its own (types.md §9): block protocol BlockProtocol, a chain
// ID of at most MaxChainIDLen bytes, height ≥ 1, a valid last block ID, each hash empty or
// tmhash.Size bytes, and a crypto.AddressSize-byte proposer address. The app hash may have any
// length. Errors wrap ErrInvalidHeader.
func (h *Header) ValidateBasic() error {
	if err := h.validateBasic(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidHeader, err)
	}
	return nil
}

func (h *Header) validateBasic() error {
	if h == nil {
		return errors.New("nil header")
	}
	if h.Version.Block != BlockProtocol {
		return fmt.Errorf("block protocol %d, want %d", h.Version.Block, BlockProtocol)
	}
	if len(h.ChainID) > MaxChainIDLen {
		return fmt.Errorf("chain ID has %d bytes, at most %d allowed", len(h.ChainID), MaxChainIDLen)
	}
	if h.Height <= 0 {
		return fmt.Errorf("non-positive height %d", h.Height)
	}
	if err := h.LastBlockID.ValidateBasic(); err != nil {
		return fmt.Errorf("last block ID: %w", err)
	}
	for _, f := range []struct {
		name string
		hash []byte
	}{
		{"last commit hash", h.LastCommitHash},
		{"data hash", h.DataHash},
		{"evidence hash", h.EvidenceHash},
		{"validators hash", h.ValidatorsHash},
		{"next validators hash", h.NextValidatorsHash},
		{"consensus hash", h.ConsensusHash},
		{"last results hash", h.LastResultsHash},
	} {
		if err := validateHash(f.hash); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if len(h.ProposerAddress) != crypto.AddressSize {
		return fmt.Errorf("proposer address has %d bytes, want %d", len(h.ProposerAddress), crypto.AddressSize)
	}
	return nil
}

// String returns a compact description for logs.
func (h *Header) String() string {
	if h == nil {
		return "nil-Header"
	}
	return fmt.Sprintf("Header{%s #%d @ %s, app %X, proposer %s, hash %s}",
		h.ChainID, h.Height, CanonicalTime(h.Time), []byte(h.AppHash), shortHex(h.ProposerAddress), shortHex(h.Hash()))
}

// ToProto returns the wire form, or nil for nil. It shares byte slices with h.
func (h *Header) ToProto() *tmproto.Header {
	if h == nil {
		return nil
	}
	return &tmproto.Header{
		Version:            h.Version,
		ChainID:            h.ChainID,
		Height:             h.Height,
		Time:               h.Time,
		LastBlockId:        h.LastBlockID.ToProto(),
		LastCommitHash:     h.LastCommitHash,
		DataHash:           h.DataHash,
		ValidatorsHash:     h.ValidatorsHash,
		NextValidatorsHash: h.NextValidatorsHash,
		ConsensusHash:      h.ConsensusHash,
		AppHash:            h.AppHash,
		LastResultsHash:    h.LastResultsHash,
		EvidenceHash:       h.EvidenceHash,
		ProposerAddress:    h.ProposerAddress,
	}
}

// HeaderFromProto converts a wire header and checks it with ValidateBasic; errors wrap
// ErrInvalidHeader. The result shares byte slices with pb.
func HeaderFromProto(pb *tmproto.Header) (Header, error) {
	if pb == nil {
		return Header{}, fmt.Errorf("%w: nil header", ErrInvalidHeader)
	}
	lastBlockID, err := BlockIDFromProto(&pb.LastBlockId)
	if err != nil {
		return Header{}, fmt.Errorf("%w: last block ID: %w", ErrInvalidHeader, err)
	}
	h := Header{
		Version:            pb.Version,
		ChainID:            pb.ChainID,
		Height:             pb.Height,
		Time:               pb.Time,
		LastBlockID:        lastBlockID,
		LastCommitHash:     pb.LastCommitHash,
		DataHash:           pb.DataHash,
		ValidatorsHash:     pb.ValidatorsHash,
		NextValidatorsHash: pb.NextValidatorsHash,
		ConsensusHash:      pb.ConsensusHash,
		AppHash:            pb.AppHash,
		LastResultsHash:    pb.LastResultsHash,
		EvidenceHash:       pb.EvidenceHash,
		ProposerAddress:    pb.ProposerAddress,
	}
	if err := h.ValidateBasic(); err != nil {
		return Header{}, err
	}
	return h, nil
}
