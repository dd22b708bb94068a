package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/libs/log"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

var (
	// ErrAppStatusUnknown is returned when ProcessProposal or VerifyVoteExtension answers with
	// status UNKNOWN (0), which CometBFT treats as a fatal application bug.
	ErrAppStatusUnknown = errors.New("application returned status UNKNOWN")

	// ErrProposalTxsTooLarge is returned by CreateProposalBlock when the transactions returned
	// by PrepareProposal exceed max_tx_bytes (CometBFT panics here).
	ErrProposalTxsTooLarge = errors.New("PrepareProposal returned more transaction bytes than max_tx_bytes")

	// ErrTxResultsMismatch is returned when FinalizeBlock does not return exactly one tx result
	// per transaction of the block.
	ErrTxResultsMismatch = errors.New("FinalizeBlock returned a tx result count different from the block's tx count")
)

// BlockExecutor creates, checks and executes blocks against the application: it is the only
// user of the consensus connection after the handshake, and the only writer of the State store
// and of the mempool's update path.
//
// A BlockExecutor is used by one goroutine at a time (the consensus driver, or the handshake
// before it); its methods are not safe for concurrent use. States passed in are only read; the
// State returned by ApplyBlock owns its validator sets.
type BlockExecutor struct {
	store      Store
	logger     log.Logger
	app        appconn.Consensus
	mempool    Mempool
	evpool     EvidencePool
	blockStore BlockStore
	events     EventPublisher
	metrics    *Metrics

	now       func() time.Time
	tolerance time.Duration
}

// ExecutorOption configures a BlockExecutor.
type ExecutorOption func(*BlockExecutor)

// WithEventPublisher makes the executor publish the events of every executed block to pub
// (default: types.NopEventBus).
func WithEventPublisher(pub EventPublisher) ExecutorOption {
	return func(e *BlockExecutor) { e.events = pub }
}

// WithBlockTimeTolerance makes ValidateBlock refuse blocks whose time is not before now() +
// tolerance (config block_time_tolerance). By default the future-time check is off, which is
// right for replaying stored blocks.
func WithBlockTimeTolerance(now func() time.Time, tolerance time.Duration) ExecutorOption {
	return func(e *BlockExecutor) { e.now, e.tolerance = now, tolerance }
}

// NewBlockExecutor returns an executor that saves to store, calls the application on
// consensusConn, reaps from and updates mempool, takes evidence from evpool and prunes
// blockStore when the application asks. A nil logger discards; nil mempool and evpool mean none
// (nothing to reap, no evidence).
func NewBlockExecutor(
	store Store,
	logger log.Logger,
	consensusConn appconn.Consensus,
	mempool Mempool,
	evpool EvidencePool,
	blockStore BlockStore,
	opts ...ExecutorOption,
) *BlockExecutor {
	if logger == nil {
		logger = log.NewNop()
	}
	if mempool == nil {
		mempool = noMempool{}
	}
	if evpool == nil {
		evpool = EmptyEvidencePool{}
	}
	e := &BlockExecutor{
		store:      store,
		logger:     logger,
		app:        consensusConn,
		mempool:    mempool,
		evpool:     evpool,
		blockStore: blockStore,
		events:     types.NopEventBus{},
		metrics:    NopMetrics(),
		now:        time.Now,
	}
	for _, opt := range opts {
		opt(e)
	}
	return e
}

// Store returns the state store the executor saves to.
func (e *BlockExecutor) Store() Store { return e.store }

// CreateProposalBlock builds the block this node proposes at height on st (consensus.md §8):
// pending evidence up to evidence.max_bytes, mempool transactions up to
// MaxDataBytes(block.max_bytes, evidence bytes, #validators) bytes (no byte limit when
// block.max_bytes is -1) and block.max_gas, then the application's PrepareProposal, whose
// transactions become the block's. lastExtCommit is the extended commit of height-1 (nil at the
// initial height); the block's LastCommit is its plain form. The part set has parts of
// types.BlockPartSizeBytes.
//
// Errors: the block size limits leave no room (types.ErrBlockTooSmall), PrepareProposal failed,
// or returned more than max_tx_bytes (ErrProposalTxsTooLarge), or lastExtCommit does not fit
// the previous validator set. CometBFT panics on the application's failures; the caller decides.
func (e *BlockExecutor) CreateProposalBlock(
	ctx context.Context,
	height int64,
	st State,
	lastExtCommit *types.ExtendedCommit,
	proposer crypto.Address,
) (*types.Block, *types.PartSet, error) {
	maxBytes := st.ConsensusParams.Block.MaxBytes
	unlimited := maxBytes == -1
	if unlimited {
		maxBytes = types.MaxBlockSizeBytes
	}
	evidence, evSize := e.evpool.PendingEvidence(st.ConsensusParams.Evidence.MaxBytes)
	maxDataBytes, err := types.MaxDataBytes(maxBytes, evSize, st.Validators.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("create proposal block %d: %w", height, err)
	}
	reapBytes := maxDataBytes
	if unlimited {
		reapBytes = -1
	}
	txs := e.mempool.ReapMaxBytesMaxGas(reapBytes, st.ConsensusParams.Block.MaxGas)

	lastCommit := &types.Commit{}
	if lastExtCommit != nil && height > st.InitialHeight {
		lastCommit = lastExtCommit.ToCommit()
	}
	localLastCommit, err := e.localLastCommit(st, lastExtCommit)
	if err != nil {
		return nil, nil, fmt.Errorf("create proposal block %d: local last commit: %w", height, err)
	}
	misbehavior, err := MisbehaviorFromEvidence(evidence)
	if err != nil {
		return nil, nil, fmt.Errorf("create proposal block %d: %w", height, err)
	}
	draft := st.MakeBlock(height, txs, lastCommit, evidence, proposer)
	resp, err := e.app.PrepareProposal(ctx, &abci.RequestPrepareProposal{
		MaxTxBytes:         maxDataBytes,
		Txs:                draft.Txs.ToSliceOfBytes(),
		LocalLastCommit:    localLastCommit,
		Misbehavior:        misbehavior,
		Height:             draft.Height,
		Time:               draft.Time,
		NextValidatorsHash: draft.NextValidatorsHash,
		ProposerAddress:    draft.ProposerAddress,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create proposal block %d: PrepareProposal: %w", height, err)
	}
	proposed := types.ToTxs(resp.Txs)
	if size := types.ComputeProtoSizeForTxs(proposed); size > maxDataBytes {
		return nil, nil, fmt.Errorf("create proposal block %d: %w: %d bytes, max_tx_bytes %d",
			height, ErrProposalTxsTooLarge, size, maxDataBytes)
	}
	block := st.MakeBlock(height, proposed, lastCommit, evidence, proposer)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("create proposal block %d: %w", height, err)
	}
	return block, parts, nil
}

// ProcessProposal asks the application whether it accepts block, proposed on st: true for
// ACCEPT, false for REJECT. Status UNKNOWN is ErrAppStatusUnknown; a failed call is an error.
func (e *BlockExecutor) ProcessProposal(ctx context.Context, block *types.Block, st State) (bool, error) {
	f, err := e.blockFields(st, block)
	if err != nil {
		return false, fmt.Errorf("process proposal: %w", err)
	}
	resp, err := e.app.ProcessProposal(ctx, &abci.RequestProcessProposal{
		Txs:                f.txs,
		ProposedLastCommit: f.lastCommit,
		Misbehavior:        f.misbehavior,
		Hash:               block.Hash(),
		Height:             block.Height,
		Time:               block.Time,
		NextValidatorsHash: block.NextValidatorsHash,
		ProposerAddress:    block.ProposerAddress,
	})
	if err != nil {
		return false, fmt.Errorf("process proposal %d: %w", block.Height, err)
	}
	switch resp.Status {
	case abci.ResponseProcessProposal_ACCEPT:
		return true, nil
	case abci.ResponseProcessProposal_REJECT:
		return false, nil
	default:
		return false, fmt.Errorf("process proposal %d: %w (%v)", block.Height, ErrAppStatusUnknown, resp.Status)
	}
}

// ValidateBlock checks block against st: ValidateBlock (the package function, with the
// executor's clock and block-time tolerance) and then the evidence through the evidence pool.
// Errors wrap ErrInvalidBlock.
func (e *BlockExecutor) ValidateBlock(st State, block *types.Block) error {
	if err := ValidateBlock(st, block, e.now(), e.tolerance); err != nil {
		return err
	}
	if err := e.evpool.CheckEvidence(block.Evidence.Evidence); err != nil {
		return fmt.Errorf("%w: evidence: %w", ErrInvalidBlock, err)
	}
	return nil
}

// ExtendVote asks the application for the extension of this node's precommit vote for block
// (proposed on st). vote must be a precommit for block at block's height.
func (e *BlockExecutor) ExtendVote(ctx context.Context, vote *types.Vote, block *types.Block, st State) ([]byte, error) {
	switch {
	case vote == nil || block == nil:
		return nil, errors.New("extend vote: nil vote or block")
	case !block.HashesTo(vote.BlockID.Hash):
		return nil, fmt.Errorf("extend vote: the vote is for block %X, not for block %X", []byte(vote.BlockID.Hash), []byte(block.Hash()))
	case vote.Height != block.Height:
		return nil, fmt.Errorf("extend vote: the vote is for height %d, the block is of height %d", vote.Height, block.Height)
	}
	f, err := e.blockFields(st, block)
	if err != nil {
		return nil, fmt.Errorf("extend vote: %w", err)
	}
	resp, err := e.app.ExtendVote(ctx, &abci.RequestExtendVote{
		Hash:               vote.BlockID.Hash,
		Height:             vote.Height,
		Time:               block.Time,
		Txs:                f.txs,
		ProposedLastCommit: f.lastCommit,
		Misbehavior:        f.misbehavior,
		NextValidatorsHash: block.NextValidatorsHash,
		ProposerAddress:    block.ProposerAddress,
	})
	if err != nil {
		return nil, fmt.Errorf("extend vote %d: %w", vote.Height, err)
	}
	return resp.VoteExtension, nil
}

// VerifyVoteExtension asks the application whether it accepts the extension of another
// validator's precommit vote (whose extension signature the caller has checked): true for
// ACCEPT, false for REJECT (the vote is then dropped). UNKNOWN is ErrAppStatusUnknown.
func (e *BlockExecutor) VerifyVoteExtension(ctx context.Context, vote *types.Vote, _ State) (bool, error) {
	if vote == nil {
		return false, errors.New("verify vote extension: nil vote")
	}
	resp, err := e.app.VerifyVoteExtension(ctx, &abci.RequestVerifyVoteExtension{
		Hash:             vote.BlockID.Hash,
		ValidatorAddress: vote.ValidatorAddress,
		Height:           vote.Height,
		VoteExtension:    vote.Extension,
	})
	if err != nil {
		return false, fmt.Errorf("verify vote extension %d: %w", vote.Height, err)
	}
	switch resp.Status {
	case abci.ResponseVerifyVoteExtension_ACCEPT:
		return true, nil
	case abci.ResponseVerifyVoteExtension_REJECT:
		return false, nil
	default:
		return false, fmt.Errorf("verify vote extension %d: %w (%v)", vote.Height, ErrAppStatusUnknown, resp.Status)
	}
}
