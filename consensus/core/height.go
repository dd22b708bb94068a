package core

import (
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/types"
)

// Config holds the node-local consensus settings (config.toml [consensus]); nodes of one network
// may differ in them.
type Config struct {
	TimeoutPropose        time.Duration
	TimeoutProposeDelta   time.Duration
	TimeoutPrevote        time.Duration
	TimeoutPrevoteDelta   time.Duration
	TimeoutPrecommit      time.Duration
	TimeoutPrecommitDelta time.Duration
	TimeoutCommit         time.Duration
	// SkipTimeoutCommit starts the next height as soon as precommits of all the voting power are in.
	SkipTimeoutCommit bool
	// SkipTimeoutCommitTxs > 0 starts the next height as soon as precommits of all the voting
	// power are in and the mempool holds this many transactions (TxsBacklog): the block interval
	// is timeout_commit when the chain is idle and shrinks to the time consensus takes under load.
	SkipTimeoutCommitTxs int
	// CreateEmptyBlocks false makes round 0 wait for transactions before proposing.
	CreateEmptyBlocks bool
	// CreateEmptyBlocksInterval > 0 makes round 0 propose after this long even without transactions.
	CreateEmptyBlocksInterval time.Duration
}

// proposeTimeout is how long round r waits for a proposal.
func (c Config) proposeTimeout(r int32) time.Duration {
	return c.TimeoutPropose + time.Duration(r)*c.TimeoutProposeDelta
}

// prevoteTimeout is how long round r waits after +2/3 prevotes for anything.
func (c Config) prevoteTimeout(r int32) time.Duration {
	return c.TimeoutPrevote + time.Duration(r)*c.TimeoutPrevoteDelta
}

// precommitTimeout is how long round r waits after +2/3 precommits for anything.
func (c Config) precommitTimeout(r int32) time.Duration {
	return c.TimeoutPrecommit + time.Duration(r)*c.TimeoutPrecommitDelta
}

// waitForTxs reports whether round 0 waits for transactions before proposing.
func (c Config) waitForTxs() bool {
	return !c.CreateEmptyBlocks || c.CreateEmptyBlocksInterval > 0
}

// Height is what the Machine needs to know about the height it decides, taken from the chain state
// after the previous block. The Machine does not modify anything Height points to.
type Height struct {
	ChainID       string
	Height        int64
	InitialHeight int64

	// Validators decide this height; their proposer priorities are those of round 0.
	Validators *types.ValidatorSet
	// LastValidators decided the previous height; nil at the initial height.
	LastValidators *types.ValidatorSet
	// LastCommit holds the precommits that decided the previous block (with vote extensions, if
	// they were enabled there); nil at the initial height.
	LastCommit *types.ExtendedCommit

	// BlockMaxBytes is the consensus parameter block.max_bytes (-1: no limit but 100 MiB); it
	// bounds the number of parts a proposal may announce.
	BlockMaxBytes int64
	// VoteExtensionsEnableHeight is the consensus parameter abci.vote_extensions_enable_height.
	VoteExtensionsEnableHeight int64

	// NeedProofBlock is true when round 0 must propose even in wait-for-transactions mode: at the
	// initial height, or when the app hash changed at the previous block.
	NeedProofBlock bool

	// CommitTime is when the previous height was decided, or the zero time if unknown (after a
	// restart); round 0 starts timeout_commit after it.
	CommitTime time.Time

	// ValidateBlock checks a proposed block against the chain state (everything but the
	// application's opinion): header fields, last commit, time, evidence. It must be a pure
	// function of the block and now.
	ValidateBlock func(block *types.Block, now time.Time) error
}

// extensionsEnabled reports whether vote extensions are enabled at this height.
func (h *Height) extensionsEnabled() bool {
	return h.VoteExtensionsEnableHeight > 0 && h.Height >= h.VoteExtensionsEnableHeight
}

// maxParts is the largest part count a proposal at this height may announce.
func (h *Height) maxParts() uint32 {
	maxBytes := h.BlockMaxBytes
	if maxBytes == -1 {
		maxBytes = types.MaxBlockSizeBytes
	}
	return uint32((maxBytes-1)/int64(types.BlockPartSizeBytes) + 1)
}

// Identity is who this node signs as; the zero Identity is a node without a validator key.
type Identity struct {
	Address crypto.Address
}
