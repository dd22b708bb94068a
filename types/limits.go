package types

import (
	"errors"
	"fmt"
)

// Protocol and size limits of CometBFT v0.38.26 (block protocol 11).
const (
	// BlockProtocol is the block protocol version this package produces and accepts in headers.
	BlockProtocol uint64 = 11

	// MaxChainIDLen is the longest chain ID a header may carry.
	MaxChainIDLen = 50

	// BlockPartSizeBytes is the size of every block part except the last.
	BlockPartSizeBytes uint32 = 65536

	// MaxBlockSizeBytes is the largest proto-encoded block (100 MiB); block.max_bytes = -1 means
	// this value.
	MaxBlockSizeBytes int64 = 104857600

	// MaxBlockPartsCount is the most parts a block of MaxBlockSizeBytes splits into.
	MaxBlockPartsCount = uint32(MaxBlockSizeBytes/int64(BlockPartSizeBytes)) + 1

	// MaxSignatureSize is the longest signature of any supported key type (ML-DSA-65, 3309 bytes).
	MaxSignatureSize = 3309

	// MaxVotesCount is the most validators (and so votes per round and type) a chain may have.
	MaxVotesCount = 10000

	// MaxVoteExtensionSize is the largest vote extension in bytes.
	MaxVoteExtensionSize = 1048576

	// MaxHeaderBytes is the largest proto-encoded header.
	MaxHeaderBytes int64 = 626

	// MaxOverheadForBlock is the proto overhead of a block around its header, data, evidence and
	// last commit.
	MaxOverheadForBlock int64 = 11

	// MaxCommitOverheadBytes is the size of a commit without signatures: block ID, height, round.
	MaxCommitOverheadBytes int64 = 94

	// MaxCommitSigBytes is the largest proto-encoded CommitSig: signature, address, flag,
	// timestamp and field overhead.
	MaxCommitSigBytes int64 = MaxSignatureSize + 20 + 1 + 14 + 11
)

// ErrBlockTooSmall is returned when block.max_bytes cannot hold the header, the last commit and
// the evidence, leaving no room for transactions.
var ErrBlockTooSmall = errors.New("block max bytes too small")

// MaxCommitBytes returns the largest proto-encoded commit signed by valCount validators.
func MaxCommitBytes(valCount int) int64 {
	// Each signature costs its own bytes plus the repeated field's tag and length.
	const repeatedFieldOverhead = 3
	return MaxCommitOverheadBytes + (MaxCommitSigBytes+repeatedFieldOverhead)*int64(valCount)
}

// MaxDataBytes returns how many bytes of transactions fit in a block of maxBytes (-1 means
// MaxBlockSizeBytes) with valCount validators in the last commit and evidenceBytes of evidence.
// It returns ErrBlockTooSmall when nothing fits. The result only sizes the proposer's transaction
// selection; block validity is bounded by maxBytes alone.
func MaxDataBytes(maxBytes, evidenceBytes int64, valCount int) (int64, error) {
	if maxBytes == -1 {
		maxBytes = MaxBlockSizeBytes
	}
	n := maxBytes - MaxOverheadForBlock - MaxHeaderBytes - MaxCommitBytes(valCount) - evidenceBytes
	if n < 0 {
		return 0, fmt.Errorf("%w: max bytes %d leave %d bytes for transactions with %d validators and %d bytes of evidence",
			ErrBlockTooSmall, maxBytes, n, valCount, evidenceBytes)
	}
	return n, nil
}

// MaxDataBytesNoEvidence is MaxDataBytes for a block without evidence.
func MaxDataBytesNoEvidence(maxBytes int64, valCount int) (int64, error) {
	return MaxDataBytes(maxBytes, 0, valCount)
}
