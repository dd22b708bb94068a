package consensus

import (
	"context"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// Executor creates, checks and executes blocks against the application (package state's
// BlockExecutor). The driver calls it from its own goroutine only.
type Executor interface {
	// CreateProposalBlock builds the block this node proposes at height: mempool transactions,
	// evidence, the application's PrepareProposal. lastCommit is nil at the initial height.
	CreateProposalBlock(ctx context.Context, height int64, st state.State, lastCommit *types.ExtendedCommit, proposer crypto.Address) (*types.Block, *types.PartSet, error)
	// ProcessProposal asks the application whether it accepts block.
	ProcessProposal(ctx context.Context, block *types.Block, st state.State) (bool, error)
	// ExtendVote asks the application for the extension of this node's precommit for block.
	ExtendVote(ctx context.Context, vote *types.Vote, block *types.Block, st state.State) ([]byte, error)
	// VerifyVoteExtension asks the application whether it accepts another validator's extension.
	VerifyVoteExtension(ctx context.Context, vote *types.Vote, st state.State) (bool, error)
	// ApplyVerifiedBlock executes a decided block: FinalizeBlock, saving the results and the new
	// state, Commit, the mempool update, events. It returns the new state.
	ApplyVerifiedBlock(ctx context.Context, st state.State, blockID types.BlockID, block *types.Block) (state.State, error)
}

// BlockStore is the part of the block store the driver uses.
type BlockStore interface {
	Height() int64
	LoadBlockMeta(height int64) (*types.BlockMeta, error)
	LoadSeenCommit(height int64) (*types.Commit, error)
	LoadBlockExtendedCommit(height int64) (*types.ExtendedCommit, error)
	SaveBlock(block *types.Block, parts *types.PartSet, seenCommit *types.Commit) error
	SaveBlockWithExtendedCommit(block *types.Block, parts *types.PartSet, seenCommit *types.ExtendedCommit) error
}

// Gossip hands this node's messages to its peers and penalises peers that sent invalid ones.
// Its methods must not block the driver.
type Gossip interface {
	Broadcast(msg core.Input)
	Punish(peer core.PeerID, err error)
}

// Events receives consensus events, round-state snapshots and conflicting votes. Its methods must
// not block the driver.
type Events interface {
	Publish(ev core.Event)
	ReportConflict(voteA, voteB *types.Vote)
}

// Recorder receives every call the driver makes on its machine, with the time it passed, for an
// event log that replays the run into a fresh machine (test/sim's Recorder writes the log that
// `ballot-sim inspect -replay` replays). Its methods run on the driver's goroutine and must not
// block for long.
type Recorder interface {
	// Machine records core.New(cfg, id, h); st is the chain state h describes the height after.
	Machine(now time.Time, cfg core.Config, id core.Identity, h core.Height, st state.State)
	// Start records Machine.Start at now and the actions it returned.
	Start(now time.Time, height int64, actions []core.Action)
	// Step records Machine.Step(now, in) and the actions it returned; next is the chain state
	// after the block a Committed input answers for.
	Step(now time.Time, in core.Input, next state.State, actions []core.Action)
}
