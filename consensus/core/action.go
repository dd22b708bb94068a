package core

import (
	"time"

	"github.com/ballot-bft/ballot/types"
)

// Action is something the driver must do, returned by Machine.Step. The driver carries out the
// actions of one Step in order. Requests (BuildProposal, SignProposal, SignVote,
// ProcessProposal, Commit) are answered by feeding the documented Input back after that Step's
// actions and before any other Input.
type Action interface{ isAction() }

// ScheduleTimeout asks for TimeoutFired{Height, Round, Step} after Duration. A timeout replaces
// the pending one only if (Height, Round, Step) is strictly later than the last one accepted;
// otherwise it is dropped. A Duration ≤ 0 fires at once.
type ScheduleTimeout struct {
	Duration time.Duration
	Height   int64
	Round    int32
	Step     Step
}

// BuildProposal asks for a new block to propose at Height and Round (reap the mempool, call
// PrepareProposal, make the block with LastCommit as its last commit). Answer: ProposalBlockBuilt.
type BuildProposal struct {
	Height     int64
	Round      int32
	LastCommit *types.ExtendedCommit // nil at the initial height
}

// SignProposal asks the signer to sign Proposal, whose block is Block split into Parts. On
// success the driver feeds back, in order, ProposalMessage{signed proposal, From: ""} and a
// BlockPartMessage{From: ""} for every part, each written to the WAL and fsynced before Step sees
// it. On failure (for example, the signer refused) it feeds nothing.
type SignProposal struct {
	Proposal *types.Proposal
	Block    *types.Block
	Parts    *types.PartSet
}

// SignVote asks the signer to sign Vote. If ExtendBlock is non-nil (a non-nil precommit at a height
// with vote extensions enabled), the driver first asks the application for the extension
// (ExtendVote for ExtendBlock), sets Vote.Extension and has the extension signed too. On success
// it feeds back VoteMessage{signed vote, From: ""}, written to the WAL and fsynced first; on
// failure it feeds nothing.
type SignVote struct {
	Vote        *types.Vote
	ExtendBlock *types.Block
}

// ProcessProposal asks the application whether it accepts Block (ABCI ProcessProposal).
// Answer: ProposalProcessed.
type ProcessProposal struct {
	Height int64
	Round  int32
	Block  *types.Block
}

// Broadcast asks the driver to send one of this node's own messages (a ProposalMessage,
// BlockPartMessage or VoteMessage with From == "") to its peers. It is only ever returned after the
// message came back through Step, so it is already durable in the WAL.
type Broadcast struct {
	Message Input
}

// Commit asks the driver to finalize the decided block at Height: save Block, its Parts and
// SeenCommit if the block store does not have them yet, write the WAL's end-of-height marker with
// fsync, execute the block (FinalizeBlock, Commit, mempool update) and save the new state.
// Answer: Committed with the next height.
type Commit struct {
	Height     int64
	Block      *types.Block
	Parts      *types.PartSet
	SeenCommit *types.ExtendedCommit // the precommits that decided the block
}

// ReportConflict hands two conflicting votes of one validator to the evidence pool.
type ReportConflict struct {
	VoteA, VoteB *types.Vote
}

// Publish hands an event to the event bus and to the gossip layer.
type Publish struct {
	Event Event
}

// Rejected reports an input the machine refused as invalid (a bad signature, an oversized
// proposal, a malformed block). From is the peer that sent it, for the gossip layer to penalise.
type Rejected struct {
	From PeerID
	Err  error
}

func (ScheduleTimeout) isAction() {}
func (Rejected) isAction()        {}
func (BuildProposal) isAction()   {}
func (SignProposal) isAction()    {}
func (SignVote) isAction()        {}
func (ProcessProposal) isAction() {}
func (Broadcast) isAction()       {}
func (Commit) isAction()          {}
func (ReportConflict) isAction()  {}
func (Publish) isAction()         {}
