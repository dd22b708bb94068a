package core

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/types"
)

// Machine is the Tendermint consensus state machine of one node. See the package documentation for
// the driver contract. A Machine is not safe for concurrent use.
type Machine struct {
	cfg Config
	id  Identity

	// Per-height state (consensus.md §1).
	h              Height
	round          int32
	step           Step
	startTime      time.Time
	commitTime     time.Time
	validators     *types.ValidatorSet // a copy, with proposer priorities advanced to round
	lastValidators *types.ValidatorSet
	lastCommit     *types.VoteSet // precommits of the previous height; nil at the initial height
	// lastCommitClaims are the peers' +2/3 claims for lastCommit, made while that height was
	// decided here; nil after a restart.
	lastCommitClaims map[PeerID]types.BlockID

	proposal           *types.Proposal
	proposalBlock      *types.Block
	proposalBlockParts *types.PartSet

	lockedRound      int32
	lockedBlock      *types.Block
	lockedBlockParts *types.PartSet

	validRound      int32
	validBlock      *types.Block
	validBlockParts *types.PartSet

	votes                     *heightVoteSet
	commitRound               int32
	triggeredTimeoutPrecommit bool
	// backlog is set by TxsBacklog at this height: the mempool holds skip_timeout_commit_txs.
	backlog bool

	// Requests in flight: answers that don't match are stale and ignored.
	buildingProposal *HRS             // BuildProposal sent for this height and round
	pendingPrevote   *HRS             // ProcessProposal sent; the prevote waits for the answer
	committing       bool             // Commit sent; waiting for Committed
	validBlocks      map[string]error // ValidateBlock results by block hash, for this height
	continuations    []func()         // the rest of a transition interrupted by blocking
	buffered         []bufferedInput  // inputs that arrived while blocked

	now time.Time // the time of the Step in progress
	out []Action  // actions of the Step in progress

	cache viewCache // pieces of the last View that are still current (view.go)
}

// New returns a machine for the height h, in step NewHeight. Call Start to schedule round 0.
// lastCommit rebuilds the vote set of the previous height's precommits from h.LastCommit; an error
// means the stored commit does not verify.
func New(cfg Config, id Identity, h Height) (*Machine, error) {
	m := &Machine{cfg: cfg, id: id}
	if err := m.resetToHeight(h, nil); err != nil {
		return nil, err
	}
	return m, nil
}

// resetToHeight sets up height h. ownLastCommit, if non-nil, is the machine's own vote set of the
// previous height's precommits, used instead of rebuilding one from h.LastCommit.
func (m *Machine) resetToHeight(h Height, ownLastCommit *types.VoteSet) error {
	lastCommit := ownLastCommit
	if lastCommit == nil && h.LastCommit != nil && h.Height > h.InitialHeight {
		extensions := h.VoteExtensionsEnableHeight > 0 && h.Height-1 >= h.VoteExtensionsEnableHeight
		var err error
		lastCommit, err = types.VoteSetFromExtendedCommit(h.ChainID, h.LastCommit, h.LastValidators, extensions)
		if err != nil {
			return fmt.Errorf("consensus: last commit: %w", err)
		}
	}
	m.h = h
	m.round = 0
	m.step = StepNewHeight
	m.commitTime = h.CommitTime
	m.validators = h.Validators.Copy()
	m.lastValidators = h.LastValidators
	m.lastCommit = lastCommit
	m.lastCommitClaims = nil
	m.proposal, m.proposalBlock, m.proposalBlockParts = nil, nil, nil
	m.lockedRound, m.lockedBlock, m.lockedBlockParts = -1, nil, nil
	m.validRound, m.validBlock, m.validBlockParts = -1, nil, nil
	m.votes = newHeightVoteSet(h.ChainID, h.Height, h.Validators, h.extensionsEnabled())
	m.commitRound = -1
	m.triggeredTimeoutPrecommit = false
	m.backlog = false
	m.buildingProposal, m.pendingPrevote, m.committing = nil, nil, false
	m.validBlocks = make(map[string]error)
	return nil
}

// Start schedules round 0 of the current height: after timeout_commit from the last commit (or
// from now, when the commit time is unknown).
func (m *Machine) Start(now time.Time) []Action {
	m.begin(now)
	m.scheduleRound0()
	return m.end()
}

// Step feeds one input to the machine at time now and returns the actions to carry out.
func (m *Machine) Step(now time.Time, in Input) []Action {
	m.begin(now)
	switch in.(type) {
	case ProposalProcessed, Committed:
		m.dispatch(in)
		m.resume()
	default:
		if m.blocked() {
			m.buffered = append(m.buffered, bufferedInput{now: now, in: in})
		} else {
			m.dispatch(in)
		}
	}
	return m.end()
}

func (m *Machine) dispatch(in Input) {
	switch in := in.(type) {
	case ProposalMessage:
		m.onProposal(in)
	case BlockPartMessage:
		m.onBlockPart(in)
	case VoteMessage:
		m.onVote(in)
	case TimeoutFired:
		m.onTimeout(in)
	case TxsAvailable:
		m.onTxsAvailable()
	case TxsBacklog:
		m.onTxsBacklog(in)
	case ProposalBlockBuilt:
		m.onProposalBlockBuilt(in)
	case ProposalProcessed:
		m.onProposalProcessed(in)
	case Committed:
		m.onCommitted(in)
	case PeerMaj23:
		// A claim for another height (queued while the height changed, or replayed from the WAL)
		// would take the peer's one claim slot of the same round at this height. A bad claim is
		// the peer's problem, not ours; the gossip layer validates claims.
		if in.Height == m.h.Height {
			_ = m.votes.setPeerMaj23(in.Round, in.Type, in.From, in.BlockID)
		}
	default:
		panic(fmt.Sprintf("consensus: unknown input %T", in))
	}
}

func (m *Machine) begin(now time.Time) {
	m.now = normalizeTime(now)
	m.out = nil
}

func (m *Machine) end() []Action {
	out := m.out
	m.out = nil
	return out
}

func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

func (m *Machine) publish(kind EventKind) {
	m.emit(Publish{Event: Event{Kind: kind, HRS: m.hrs()}})
}

func (m *Machine) hrs() HRS { return HRS{Height: m.h.Height, Round: m.round, Step: m.step} }

// newStep records a step change: it is published (and so written to the WAL and gossiped).
func (m *Machine) newStep() { m.publish(EventNewRoundStep) }

func (m *Machine) scheduleTimeout(d time.Duration, round int32, step Step) {
	m.emit(ScheduleTimeout{Duration: d, Height: m.h.Height, Round: round, Step: step})
}

// scheduleRound0 schedules the NewHeight timeout that starts round 0 at startTime.
func (m *Machine) scheduleRound0() {
	base := m.commitTime
	if base.IsZero() {
		base = m.now
	}
	m.startTime = base.Add(m.cfg.TimeoutCommit)
	m.scheduleTimeout(m.startTime.Sub(m.now), 0, StepNewHeight)
}

// isValidator reports whether this node signs votes at the current height.
func (m *Machine) isValidator() bool {
	return len(m.id.Address) > 0 && m.h.Validators.HasAddress(m.id.Address)
}

// isProposer reports whether this node proposes in the current round.
func (m *Machine) isProposer() bool {
	p := m.validators.GetProposer()
	return p != nil && len(m.id.Address) > 0 && bytes.Equal(p.Address, m.id.Address)
}

// blockMatches reports whether block hashes to id's hash.
func blockMatches(block *types.Block, id types.BlockID) bool {
	return block != nil && bytes.Equal(block.Hash(), id.Hash)
}

// validateBlock runs the injected chain-state checks, caching the result per block for the height.
func (m *Machine) validateBlock(block *types.Block) error {
	key := string(block.Hash())
	if err, ok := m.validBlocks[key]; ok {
		return err
	}
	err := m.h.ValidateBlock(block, m.now)
	m.validBlocks[key] = err
	return err
}

// isProposalComplete: the proposal and its block are in, and if it re-proposes a block from an
// earlier round, that round's polka is in too.
func (m *Machine) isProposalComplete() bool {
	if m.proposal == nil || m.proposalBlock == nil {
		return false
	}
	if m.proposal.POLRound < 0 {
		return true
	}
	set := m.votes.prevotes(m.proposal.POLRound)
	return set != nil && set.HasTwoThirdsMajority()
}
