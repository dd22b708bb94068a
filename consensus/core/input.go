package core

import (
	"github.com/ballot-bft/ballot/types"
)

// PeerID names the peer an Input came from. The empty PeerID is the node itself: its own signed
// proposal, block parts and votes come back through Step like anyone else's.
type PeerID string

// Input is one thing that happened, fed to Machine.Step. The concrete types are listed below; a
// driver writes every Input to the WAL before Step sees it (own messages with fsync).
type Input interface{ isInput() }

// ProposalMessage is a signed proposal, from a peer or (From == "") our own.
type ProposalMessage struct {
	Proposal *types.Proposal
	From     PeerID
}

// BlockPartMessage is one part of a proposed block. Height and Round are the proposal's; parts
// are matched to the proposal block by part-set hash, not by round.
type BlockPartMessage struct {
	Height int64
	Round  int32
	Part   *types.Part
	From   PeerID
}

// VoteMessage is a signed prevote or precommit. Before feeding a non-nil precommit from another
// validator at a height with vote extensions enabled, the driver has asked the application
// (VerifyVoteExtension) and drops the vote if the application rejected it.
type VoteMessage struct {
	Vote *types.Vote
	From PeerID
}

// TimeoutFired reports that a timeout scheduled with ScheduleTimeout has expired.
type TimeoutFired struct {
	Height int64
	Round  int32
	Step   Step
}

// TxsAvailable reports that the mempool has transactions, for the wait-for-transactions mode
// (create_empty_blocks = false, or create_empty_blocks_interval > 0).
type TxsAvailable struct{}

// TxsBacklog reports that the mempool holds at least SkipTimeoutCommitTxs transactions for the
// block at Height. At that height's NewHeight step, with every precommit of the previous block
// in, it ends timeout_commit early.
type TxsBacklog struct {
	Height int64
}

// ProposalBlockBuilt answers BuildProposal: the block this node proposes at Height and Round.
// Block is nil when the block could not be built; the node then proposes nothing this round.
type ProposalBlockBuilt struct {
	Height int64
	Round  int32
	Block  *types.Block
	Parts  *types.PartSet
}

// ProposalProcessed answers ProcessProposal: whether the application accepted the block.
type ProposalProcessed struct {
	Height    int64
	Round     int32
	BlockHash []byte
	Accepted  bool
}

// Committed answers Commit: the block was saved and applied, and Next describes the next height.
type Committed struct {
	Next Height
}

// PeerMaj23 reports a peer's claim (VoteSetMaj23) that it saw +2/3 votes for BlockID. The claim
// lets conflicting votes for that BlockID be tracked.
type PeerMaj23 struct {
	Height  int64
	Round   int32
	Type    types.SignedMsgType
	BlockID types.BlockID
	From    PeerID
}

func (ProposalMessage) isInput()    {}
func (BlockPartMessage) isInput()   {}
func (VoteMessage) isInput()        {}
func (TimeoutFired) isInput()       {}
func (TxsAvailable) isInput()       {}
func (TxsBacklog) isInput()         {}
func (ProposalBlockBuilt) isInput() {}
func (ProposalProcessed) isInput()  {}
func (Committed) isInput()          {}
func (PeerMaj23) isInput()          {}
