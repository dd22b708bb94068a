package reactor

import (
	"math/rand/v2"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// voteSource is one set of votes we may send from: by validator index, nil where missing.
type voteSource struct {
	height   int64
	round    int32
	typ      types.SignedMsgType
	votes    []*types.Vote
	isCommit bool // the precommits of a decision (sent to a peer as its catch-up commit)
}

// pickVote chooses a vote the peer lacks (CometBFT's gossipVotesRoutine, p2p.md §7.5): from the
// current height's sets when the peer is at our height, our last commit when it is one height
// behind, the stored commit of its height when it is further behind.
func (l *local) pickVote(ps *peerState, rng *rand.Rand) (outgoing, bool) {
	v := l.view
	switch {
	case ps.Height == v.HRS.Height:
		return l.pickVoteAtHeight(ps, rng)
	case ps.Height != 0 && v.HRS.Height == ps.Height+1:
		return pickFrom(l.lastCommit(), ps, rng)
	case ps.Height != 0 && v.HRS.Height >= ps.Height+2 && ps.Height >= l.blocks.Base():
		src, ok := l.storedCommit(ps.Height)
		if !ok {
			return outgoing{}, false
		}
		return pickFrom(src, ps, rng)
	}
	return outgoing{}, false
}

// pickVoteAtHeight goes through the sets a peer at our height may lack, in CometBFT's order: our
// last commit while it waits out the previous height; the POL prevotes while it waits for the
// proposal; its round's prevotes, then precommits, while it may still use them; its round's
// prevotes at any step (for the valid block); the POL prevotes at any step.
func (l *local) pickVoteAtHeight(ps *peerState, rng *rand.Rand) (outgoing, bool) {
	v := l.view
	roundKnown := ps.Round != -1 && ps.Round <= v.HRS.Round
	var sources []voteSource
	if ps.Step == core.StepNewHeight {
		sources = append(sources, l.lastCommit())
	}
	if ps.Step <= core.StepPropose && roundKnown && ps.ProposalPOLRound != -1 {
		sources = append(sources, l.roundVotes(ps.ProposalPOLRound, types.PrevoteType))
	}
	if ps.Step <= core.StepPrevoteWait && roundKnown {
		sources = append(sources, l.roundVotes(ps.Round, types.PrevoteType))
	}
	if ps.Step <= core.StepPrecommitWait && roundKnown {
		sources = append(sources, l.roundVotes(ps.Round, types.PrecommitType))
	}
	if roundKnown {
		sources = append(sources, l.roundVotes(ps.Round, types.PrevoteType))
	}
	if ps.ProposalPOLRound != -1 {
		sources = append(sources, l.roundVotes(ps.ProposalPOLRound, types.PrevoteType))
	}
	for _, src := range sources {
		if out, ok := pickFrom(src, ps, rng); ok {
			return out, true
		}
	}
	return outgoing{}, false
}

// roundVotes is round r's set of type t at our height (empty if we don't track the round).
func (l *local) roundVotes(r int32, t types.SignedMsgType) voteSource {
	src := voteSource{height: l.view.HRS.Height, round: r, typ: t}
	for i := range l.view.Rounds {
		rv := &l.view.Rounds[i]
		if rv.Round != r {
			continue
		}
		if t == types.PrevoteType {
			src.votes = rv.Prevotes
		} else {
			src.votes, src.isCommit = rv.Precommits, rv.PrecommitsMaj23 != nil
		}
	}
	return src
}

// lastCommit is the precommits of the previous height (empty at the initial height).
func (l *local) lastCommit() voteSource {
	v := l.view
	return voteSource{
		height: v.HRS.Height - 1, round: v.LastCommitRound, typ: types.PrecommitType,
		votes: v.LastCommit, isCommit: true,
	}
}

// storedCommit is the commit of a stored height, with vote extensions where they were enabled.
func (l *local) storedCommit(height int64) (voteSource, bool) {
	src := voteSource{height: height, typ: types.PrecommitType, isCommit: true}
	if height >= 1 && l.state.ConsensusParams.ABCI.VoteExtensionsEnabled(height) {
		ec, err := l.blocks.LoadBlockExtendedCommit(height)
		if err != nil {
			return voteSource{}, false
		}
		src.round = ec.Round
		src.votes = make([]*types.Vote, ec.Size())
		for i, sig := range ec.ExtendedSignatures {
			if !sig.Absent() {
				src.votes[i] = ec.GetExtendedVote(int32(i))
			}
		}
		return src, true
	}
	commit, err := l.blocks.LoadBlockCommit(height)
	if err != nil {
		return voteSource{}, false
	}
	src.round = commit.Round
	src.votes = make([]*types.Vote, commit.Size())
	for i, sig := range commit.Signatures {
		if !sig.Absent() {
			src.votes[i] = commit.GetVote(int32(i))
		}
	}
	return src, true
}

// pickFrom chooses a random vote of src the peer lacks, sizing the peer's bit arrays for the set
// first. Nothing is chosen when we don't track that set for the peer.
func pickFrom(src voteSource, ps *peerState, rng *rand.Rand) (outgoing, bool) {
	size := len(src.votes)
	if size == 0 {
		return outgoing{}, false
	}
	if src.isCommit {
		ps.ensureCatchupCommitRound(src.height, src.round, size)
	}
	ps.ensureVoteBitArrays(src.height, size)
	has := ps.voteBitArray(src.height, src.round, src.typ)
	index, ok := missing(voteBits(src.votes), has).PickRandom(rng)
	if !ok {
		return outgoing{}, false
	}
	vote := src.votes[index]
	return outgoing{
		msg:  voteMessage{Vote: vote},
		sent: func(ps *peerState) { ps.setHasVote(vote.Height, vote.Round, vote.Type, vote.ValidatorIndex) },
	}, true
}

// maj23Queries are the VoteSetMaj23 claims to send the peer (CometBFT's queryMaj23Routine): our
// +2/3 majorities in its round's prevotes and precommits and its POL round's prevotes when it is
// at our height, and the stored commit of the height it is catching up on.
func (l *local) maj23Queries(ps *peerState) []message {
	v := l.view
	var out []message
	claim := func(r int32, t types.SignedMsgType, id *types.BlockID) {
		if id != nil {
			out = append(out, voteSetMaj23{Height: v.HRS.Height, Round: r, Type: t, BlockID: *id})
		}
	}
	if ps.Height == v.HRS.Height {
		for i := range v.Rounds {
			rv := &v.Rounds[i]
			if rv.Round == ps.Round {
				claim(rv.Round, types.PrevoteType, rv.PrevotesMaj23)
				claim(rv.Round, types.PrecommitType, rv.PrecommitsMaj23)
			}
			if ps.ProposalPOLRound >= 0 && rv.Round == ps.ProposalPOLRound {
				claim(rv.Round, types.PrevoteType, rv.PrevotesMaj23)
			}
		}
	}
	if ps.CatchupCommitRound != -1 && ps.Height > 0 && ps.Height >= l.blocks.Base() && ps.Height <= l.blocks.Height() {
		if commit, err := l.loadCommit(ps.Height); err == nil {
			out = append(out, voteSetMaj23{Height: ps.Height, Round: commit.Round, Type: types.PrecommitType, BlockID: commit.BlockID})
		}
	}
	return out
}

// loadCommit returns the commit of a stored height: the one in the next block, or the seen
// commit for the last stored block.
func (l *local) loadCommit(height int64) (*types.Commit, error) {
	if height == l.blocks.Height() {
		return l.blocks.LoadSeenCommit(height)
	}
	return l.blocks.LoadBlockCommit(height)
}
