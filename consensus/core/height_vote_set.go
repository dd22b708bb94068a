package core

import (
	"errors"
	"fmt"
	"maps"

	"github.com/ballot-bft/ballot/types"
)

// ErrVoteFromUnwantedRound is returned for a vote of a round the machine does not track when the
// peer that sent it has already used up its catch-up rounds.
var ErrVoteFromUnwantedRound = errors.New("vote from an unwanted round")

// maxCatchupRoundsPerPeer is how many rounds beyond the tracked ones one peer may make us track.
const maxCatchupRoundsPerPeer = 2

// heightVoteSet holds the prevotes and precommits of every tracked round of one height. Rounds
// 0..round+1 are tracked; votes of other rounds are accepted as a peer's catch-up rounds, at
// most two per peer.
type heightVoteSet struct {
	chainID    string
	height     int64
	validators *types.ValidatorSet
	extensions bool

	round           int32 // the highest round set up by setRound
	rounds          map[int32]*roundVotes
	peerCatchupRnds map[PeerID][]int32

	// claims holds the peers' +2/3 claims by vote set; each inner map is replaced, never
	// changed, when a claim is added, so views may share it.
	claims map[voteSetKey]map[PeerID]types.BlockID

	// The views of the vote sets (view.go): built again only after a change.
	setViews map[voteSetKey][]*types.Vote // each set's votes by index; a missing entry is stale
	views    []RoundVotes                 // every round's view, in round order; nil when stale
}

type voteSetKey struct {
	round int32
	typ   types.SignedMsgType
}

type roundVotes struct {
	prevotes, precommits *types.VoteSet
}

func newHeightVoteSet(chainID string, height int64, vals *types.ValidatorSet, extensions bool) *heightVoteSet {
	h := &heightVoteSet{
		chainID:         chainID,
		height:          height,
		validators:      vals,
		extensions:      extensions,
		rounds:          make(map[int32]*roundVotes),
		peerCatchupRnds: make(map[PeerID][]int32),
		claims:          make(map[voteSetKey]map[PeerID]types.BlockID),
		setViews:        make(map[voteSetKey][]*types.Vote),
	}
	h.addRound(0)
	return h
}

func (h *heightVoteSet) addRound(r int32) {
	if _, ok := h.rounds[r]; ok {
		return
	}
	precommits := types.NewVoteSet(h.chainID, h.height, r, types.PrecommitType, precommitWeights(h.validators))
	if h.extensions {
		precommits = types.NewExtendedVoteSet(h.chainID, h.height, r, types.PrecommitType, precommitWeights(h.validators))
	}
	h.rounds[r] = &roundVotes{
		prevotes:   types.NewVoteSet(h.chainID, h.height, r, types.PrevoteType, h.validators),
		precommits: precommits,
	}
	h.views = nil
}

// setRound tracks every round up to r.
func (h *heightVoteSet) setRound(r int32) {
	for i := h.round; i <= r; i++ {
		h.addRound(i)
	}
	if r > h.round {
		h.round = r
	}
}

// addVote adds a vote from peer (or our own, peer == "").
func (h *heightVoteSet) addVote(vote *types.Vote, peer PeerID) (bool, error) {
	if !types.IsVoteTypeValid(vote.Type) {
		return false, fmt.Errorf("invalid vote type %v", vote.Type)
	}
	set := h.voteSet(vote.Round, vote.Type)
	if set == nil {
		rounds := h.peerCatchupRnds[peer]
		if len(rounds) >= maxCatchupRoundsPerPeer {
			return false, fmt.Errorf("%w: round %d from peer %q", ErrVoteFromUnwantedRound, vote.Round, peer)
		}
		h.addRound(vote.Round)
		h.peerCatchupRnds[peer] = append(rounds, vote.Round)
		set = h.voteSet(vote.Round, vote.Type)
	}
	// Even a vote that is not added may change which vote of a validator counts.
	h.changed(vote.Round, vote.Type)
	return set.AddVote(vote)
}

func (h *heightVoteSet) voteSet(r int32, t types.SignedMsgType) *types.VoteSet {
	rv, ok := h.rounds[r]
	if !ok {
		return nil
	}
	if t == types.PrevoteType {
		return rv.prevotes
	}
	return rv.precommits
}

// prevotes and precommits return round r's sets, or nil if r is not tracked.
func (h *heightVoteSet) prevotes(r int32) *types.VoteSet   { return h.voteSet(r, types.PrevoteType) }
func (h *heightVoteSet) precommits(r int32) *types.VoteSet { return h.voteSet(r, types.PrecommitType) }

// polInfo returns the highest round ≤ the tracked round with a prevote majority, and its block ID;
// -1 if there is none.
func (h *heightVoteSet) polInfo() (int32, types.BlockID) {
	for r := h.round; r >= 0; r-- {
		if set := h.prevotes(r); set != nil {
			if id, ok := set.TwoThirdsMajority(); ok {
				return r, id
			}
		}
	}
	return -1, types.BlockID{}
}

// setPeerMaj23 records a peer's +2/3 claim for a tracked round; claims for other rounds are ignored.
func (h *heightVoteSet) setPeerMaj23(r int32, t types.SignedMsgType, peer PeerID, id types.BlockID) error {
	if !types.IsVoteTypeValid(t) {
		return fmt.Errorf("invalid vote type %v", t)
	}
	set := h.voteSet(r, t)
	if set == nil {
		return nil
	}
	if err := set.SetPeerMaj23(string(peer), id); err != nil {
		return err
	}
	key := voteSetKey{r, t}
	if _, ok := h.claims[key][peer]; !ok {
		claims := make(map[PeerID]types.BlockID, len(h.claims[key])+1)
		maps.Copy(claims, h.claims[key])
		claims[peer] = id
		h.claims[key] = claims
	}
	return nil
}

// claimsOf returns the claims made for round r's votes of type t, by peer; nil if there are none.
// The map must not be modified.
func (h *heightVoteSet) claimsOf(r int32, t types.SignedMsgType) map[PeerID]types.BlockID {
	return h.claims[voteSetKey{r, t}]
}
