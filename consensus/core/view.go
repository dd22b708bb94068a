package core

import (
	"slices"
	"time"

	"github.com/ballot-bft/ballot/libs/bits"
	"github.com/ballot-bft/ballot/types"
)

// View is what the machine knows about its current height, for gossip and the RPC (CometBFT's
// RoundState). Any goroutine may read it; nobody may modify it or anything it points to.
//
// A View is cheap to take after every input: it shares the machine's immutable values (votes,
// parts, proposals, blocks and validator sets are never changed once the machine holds them),
// and the per-validator slices of votes and parts are shared between successive Views until
// the vote set or part set they copy changes; then the machine builds a new slice and leaves
// the old one to the Views that hold it.
type View struct {
	HRS         HRS
	StartTime   time.Time
	CommitTime  time.Time // when +2/3 precommits for a block were seen; zero until then
	CommitRound int32

	Validators     *types.ValidatorSet // with the proposer priorities of the current round
	LastValidators *types.ValidatorSet // nil at the initial height

	Proposal *types.Proposal
	// ProposalBlockParts holds the parts of the block being fetched (the proposal's, or the one a
	// polka or commit pointed at), by index, nil where missing; PartsHeader identifies it. Both
	// are empty when there is no such block.
	PartsHeader        types.PartSetHeader
	ProposalBlockParts []*types.Part
	ProposalBlock      *types.Block

	// The lock and the valid block: rounds are -1 and blocks nil when there is none. Their part
	// sets are complete; the headers identify them (zero when there is no block).
	LockedRound      int32
	LockedBlock      *types.Block
	LockedBlockParts types.PartSetHeader
	ValidRound       int32
	ValidBlock       *types.Block
	ValidBlockParts  types.PartSetHeader

	// TriggeredTimeoutPrecommit is true once the current round scheduled its precommit-wait
	// timeout (+2/3 precommits for anything).
	TriggeredTimeoutPrecommit bool

	// Rounds holds the votes of every tracked round, in round order: rounds 0..VotesRound, then
	// the rounds peers made us track to catch up.
	Rounds []RoundVotes
	// VotesRound is the highest round set up for voting (the current round + 1 once a round has
	// started); CometBFT's RPC lists the rounds up to it.
	VotesRound int32
	// LastCommit holds the precommits of the previous height, by validator index; nil at the
	// initial height. LastCommitPeerMaj23s are the peers' +2/3 claims for those precommits made
	// while this node decided that height (none after a restart); nil when there are none.
	LastCommit           []*types.Vote
	LastCommitRound      int32
	LastCommitPeerMaj23s map[PeerID]types.BlockID
}

// RoundVotes are one round's votes, by validator index (nil where missing).
type RoundVotes struct {
	Round      int32
	Prevotes   []*types.Vote
	Precommits []*types.Vote
	// PrevotesMaj23 and PrecommitsMaj23 are the block IDs with +2/3, if any.
	PrevotesMaj23, PrecommitsMaj23 *types.BlockID
}

// Votes returns round r's votes of type t, or nil if the round is not tracked.
func (v *View) Votes(r int32, t types.SignedMsgType) []*types.Vote {
	for i := range v.Rounds {
		if v.Rounds[i].Round == r {
			if t == types.PrevoteType {
				return v.Rounds[i].Prevotes
			}
			return v.Rounds[i].Precommits
		}
	}
	return nil
}

// PartsBitArray returns which proposal block parts are held.
func (v *View) PartsBitArray() *bits.BitArray {
	b := bits.New(len(v.ProposalBlockParts))
	for i, p := range v.ProposalBlockParts {
		if p != nil {
			b.SetIndex(i, true)
		}
	}
	return b
}

// viewCache keeps the slices of the last View that are still current.
type viewCache struct {
	parts      *types.PartSet // the part set parts was copied from, at partsCount parts
	partsCount uint32
	partsList  []*types.Part

	lastCommit      *types.VoteSet // the vote set lastCommitList was copied from
	lastCommitStale bool           // a vote was offered to lastCommit since
	lastCommitList  []*types.Vote

	headers [3]cachedHeader // of the proposal's, the locked and the valid part sets
}

// cachedHeader is the header of a part set (which never changes; PartSet.Header copies it).
type cachedHeader struct {
	ps     *types.PartSet
	header types.PartSetHeader
}

// The slots of viewCache.headers.
const (
	proposalParts = iota
	lockedParts
	validParts
)

// headerOf returns the header of ps (not nil), from slot while ps is the same part set.
func (c *viewCache) headerOf(slot int, ps *types.PartSet) types.PartSetHeader {
	if c.headers[slot].ps != ps {
		c.headers[slot] = cachedHeader{ps: ps, header: ps.Header()}
	}
	return c.headers[slot].header
}

// View returns what the machine knows about the current height. The View shares immutable data
// with the machine and with earlier Views; see View.
func (m *Machine) View() *View {
	v := &View{
		HRS:                       m.hrs(),
		StartTime:                 m.startTime,
		CommitTime:                m.commitTime,
		CommitRound:               m.commitRound,
		Validators:                m.validators,
		LastValidators:            m.lastValidators,
		Proposal:                  m.proposal,
		ProposalBlock:             m.proposalBlock,
		LockedRound:               m.lockedRound,
		LockedBlock:               m.lockedBlock,
		ValidRound:                m.validRound,
		ValidBlock:                m.validBlock,
		TriggeredTimeoutPrecommit: m.triggeredTimeoutPrecommit,
		Rounds:                    m.votes.roundsView(),
		VotesRound:                m.votes.round,
		LastCommitRound:           -1,
	}
	if m.lockedBlockParts != nil {
		v.LockedBlockParts = m.cache.headerOf(lockedParts, m.lockedBlockParts)
	}
	if m.validBlockParts != nil {
		v.ValidBlockParts = m.cache.headerOf(validParts, m.validBlockParts)
	}
	if ps := m.proposalBlockParts; ps != nil {
		v.PartsHeader = m.cache.headerOf(proposalParts, ps)
		v.ProposalBlockParts = m.cache.partsOf(ps)
	}
	if m.lastCommit != nil {
		v.LastCommit = m.cache.lastCommitOf(m.lastCommit)
		v.LastCommitRound = m.lastCommit.Round()
		v.LastCommitPeerMaj23s = m.lastCommitClaims
	}
	return v
}

// partsOf returns the parts of ps by index. A part set only gains parts, so its count tells
// whether the cached copy is current.
func (c *viewCache) partsOf(ps *types.PartSet) []*types.Part {
	if c.parts == ps && c.partsCount == ps.Count() {
		return c.partsList
	}
	list := make([]*types.Part, ps.Total())
	for i := range list {
		list[i] = ps.GetPart(i)
	}
	c.parts, c.partsCount, c.partsList = ps, ps.Count(), list
	return list
}

// lastCommitOf returns the votes of set by index.
func (c *viewCache) lastCommitOf(set *types.VoteSet) []*types.Vote {
	if c.lastCommit != set || c.lastCommitStale {
		c.lastCommit, c.lastCommitStale, c.lastCommitList = set, false, votesByIndex(set)
	}
	return c.lastCommitList
}

// changed marks the views of round r's votes of type t stale after they may have changed.
func (h *heightVoteSet) changed(r int32, t types.SignedMsgType) {
	delete(h.setViews, voteSetKey{r, t})
	h.views = nil
}

// roundsView returns the views of every round, in round order, copying again only the vote sets
// that changed since the last call.
func (h *heightVoteSet) roundsView() []RoundVotes {
	if h.views != nil {
		return h.views
	}
	rounds := make([]int32, 0, len(h.rounds))
	for r := range h.rounds {
		rounds = append(rounds, r)
	}
	slices.Sort(rounds)
	views := make([]RoundVotes, 0, len(rounds))
	for _, r := range rounds {
		rv := h.rounds[r]
		out := RoundVotes{Round: r, Prevotes: h.setView(r, rv.prevotes), Precommits: h.setView(r, rv.precommits)}
		if id, ok := rv.prevotes.TwoThirdsMajority(); ok {
			out.PrevotesMaj23 = &id
		}
		if id, ok := rv.precommits.TwoThirdsMajority(); ok {
			out.PrecommitsMaj23 = &id
		}
		views = append(views, out)
	}
	h.views = views
	return views
}

// setView returns the votes of round r's set by index, from the cache while it is current.
func (h *heightVoteSet) setView(r int32, set *types.VoteSet) []*types.Vote {
	key := voteSetKey{r, set.Type()}
	if votes, ok := h.setViews[key]; ok {
		return votes
	}
	votes := votesByIndex(set)
	h.setViews[key] = votes
	return votes
}

func votesByIndex(set *types.VoteSet) []*types.Vote {
	out := make([]*types.Vote, set.Size())
	for i := range out {
		out[i] = set.GetByIndex(int32(i))
	}
	return out
}
