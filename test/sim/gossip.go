package sim

import (
	"bytes"
	"slices"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/types"
)

// The gossip layer stands in for CometBFT's consensus reactor. The core broadcasts each of its
// own messages once; under drops, partitions and crashes that is not enough. So every node
// periodically sends its peers a status (height, round, the votes it holds, the +2/3 majorities
// it sees, whether it holds the round's proposal, which block parts it collects), and a node
// receiving a status answers with what the peer lacks: votes of the peer's rounds and of its own
// round, a +2/3 claim (VoteSetMaj23) with the votes behind it when the peer does not see that
// majority (it may hold an equivocator's other vote), the proposal and its parts, the parts the
// peer collects, or — for a peer at an earlier height — the commit's precommits and the committed
// block's parts from the block store. Nothing is remembered about peers; statuses repeat, so
// gossip retries by itself and stays deterministic.

// status is a node's gossip summary: CometBFT's NewRoundStep, HasVote, VoteSetMaj23 and part
// bit arrays in one message. It is shared read-only by its receivers.
type status struct {
	Height      int64
	Round       int32
	Votes       []voteMask          // the votes held at Height, by round and type
	HasProposal bool                // holds a proposal for Round
	Want        types.PartSetHeader // the block whose parts are being collected (zero: none)
	WantHave    uint64              // which parts of Want are held (bit i: part i)
}

// voteMask says which validators' votes of one round and type a node holds (bit i: index i),
// and for which block it sees +2/3 of them, if any.
type voteMask struct {
	Round int32
	Type  types.SignedMsgType
	Mask  uint64
	Maj23 *types.BlockID
}

// votes returns the peer's entry for (round, t).
func (st *status) votes(round int32, t types.SignedMsgType) voteMask {
	for _, vm := range st.Votes {
		if vm.Round == round && vm.Type == t {
			return vm
		}
	}
	return voteMask{Round: round, Type: t}
}

type roundType struct {
	round int32
	typ   types.SignedMsgType
}

// voteSet is the gossip layer's copy of one round's prevotes or precommits: every vote the
// machine added, by block, in arrival order, so that its +2/3 majority is the machine's.
type voteSet struct {
	mask    uint64
	first   []*types.Vote // by validator index: the validator's first vote
	byBlock []*blockTally
	maj23   *types.BlockID
}

type blockTally struct {
	id    types.BlockID
	votes []*types.Vote // by validator index
	power int64
}

// vote returns validator i's vote to relay: for the majority block if it has one, else its first.
func (vs *voteSet) vote(i int) *types.Vote {
	if vs.maj23 != nil {
		if t := vs.tally(*vs.maj23); t != nil && t.votes[i] != nil {
			return t.votes[i]
		}
	}
	return vs.first[i]
}

func (vs *voteSet) tally(id types.BlockID) *blockTally {
	for _, t := range vs.byBlock {
		if t.id.Equals(id) {
			return t
		}
	}
	return nil
}

// gossip is a node's view of its own machine, built from the inputs it fed and the events the
// machine published: what it can relay and what it lacks. It is in memory only.
type gossip struct {
	chainID    string
	height     int64
	round      int32
	validators *types.ValidatorSet // of height, with round-0 priorities
	quorum     int64
	proposers  map[int32]crypto.PubKey

	sets      map[roundType]*voteSet
	proposals map[int32]*types.Proposal // the proposal the machine took, by round
	want      types.PartSetHeader       // the parts the machine collects now
	wantHave  uint64                    // the parts of want the machine holds
	parts     map[string]*types.PartSet // every part set seen at this height, by hash
}

func newGossip(chainID string, height int64, validators *types.ValidatorSet) *gossip {
	g := &gossip{chainID: chainID}
	g.reset(height, validators)
	return g
}

// reset starts a new height.
func (g *gossip) reset(height int64, validators *types.ValidatorSet) {
	g.height, g.round, g.validators = height, 0, validators
	g.quorum = validators.TotalVotingPower()*2/3 + 1
	g.proposers = map[int32]crypto.PubKey{}
	g.sets = map[roundType]*voteSet{}
	g.proposals = map[int32]*types.Proposal{}
	g.want, g.wantHave = types.PartSetHeader{}, 0
	g.parts = map[string]*types.PartSet{}
}

// proposer returns the public key of round r's proposer.
func (g *gossip) proposer(r int32) crypto.PubKey {
	if pk, ok := g.proposers[r]; ok {
		return pk
	}
	vals := g.validators
	if r > 0 {
		vals = vals.CopyIncrementProposerPriority(r)
	}
	pk := vals.GetProposer().PubKey
	g.proposers[r] = pk
	return pk
}

// observeInput notes a proposal or block part about to be fed to the machine, as the machine
// will take it: the first valid proposal of the current round; a part of the block it collects.
func (g *gossip) observeInput(in core.Input) {
	switch in := in.(type) {
	case core.ProposalMessage:
		p := in.Proposal
		if p.Height != g.height || p.Round != g.round || g.proposals[p.Round] != nil {
			return
		}
		if p.Verify(g.chainID, g.proposer(p.Round)) != nil {
			return
		}
		g.proposals[p.Round] = p
		if g.want.IsZero() {
			g.setWant(p.BlockID.PartSetHeader)
		}
	case core.BlockPartMessage:
		if in.Height != g.height || g.want.IsZero() || in.Part.Index >= 64 {
			return
		}
		parts := g.parts[string(g.want.Hash)]
		if held := parts.GetPart(int(in.Part.Index)); held != nil {
			if bytes.Equal(held.Bytes, in.Part.Bytes) {
				g.wantHave |= 1 << in.Part.Index
			}
			return
		}
		if added, _ := parts.AddPart(in.Part); added {
			g.wantHave |= 1 << in.Part.Index
		}
	}
}

// setWant records that the machine now collects the parts of header, starting from none.
func (g *gossip) setWant(header types.PartSetHeader) {
	g.want, g.wantHave = header, 0
	if header.IsZero() || g.parts[string(header.Hash)] != nil {
		return
	}
	parts, err := types.NewPartSetFromHeader(header)
	if err != nil {
		g.want = types.PartSetHeader{}
		return
	}
	g.parts[string(header.Hash)] = parts
}

// observeEvent follows the machine's published events.
func (g *gossip) observeEvent(e core.Event, next func() *types.ValidatorSet) {
	if e.HRS.Height > g.height && (e.Kind == core.EventNewRoundStep || e.Kind == core.EventNewRound) {
		g.reset(e.HRS.Height, next())
	}
	if e.HRS.Height != g.height {
		return
	}
	switch e.Kind {
	case core.EventNewRound:
		g.round = e.HRS.Round
		if e.HRS.Round > 0 {
			g.want, g.wantHave = types.PartSetHeader{}, 0 // the machine forgets the proposal
		}
	case core.EventNewRoundStep:
		g.round = e.HRS.Round
	case core.EventValidBlock:
		// The machine starts collecting this block's parts, unless it already does.
		if !g.want.Equals(e.BlockID.PartSetHeader) {
			g.setWant(e.BlockID.PartSetHeader)
		}
	case core.EventVote:
		g.addVote(e.Vote)
	}
}

// addVote records a vote the machine added.
func (g *gossip) addVote(v *types.Vote) {
	_, val := g.validators.GetByIndex(v.ValidatorIndex)
	if v.Height != g.height || val == nil || v.ValidatorIndex >= maxNodes {
		return // a late precommit of the previous height
	}
	key := roundType{v.Round, v.Type}
	vs := g.sets[key]
	if vs == nil {
		vs = &voteSet{first: make([]*types.Vote, g.validators.Size())}
		g.sets[key] = vs
	}
	i := v.ValidatorIndex
	if vs.first[i] == nil {
		vs.first[i] = v
		vs.mask |= 1 << uint(i)
	}
	t := vs.tally(v.BlockID)
	if t == nil {
		t = &blockTally{id: v.BlockID, votes: make([]*types.Vote, len(vs.first))}
		vs.byBlock = append(vs.byBlock, t)
	}
	if t.votes[i] == nil {
		t.votes[i] = v
		t.power += val.VotingPower
		if vs.maj23 == nil && t.power >= g.quorum {
			id := t.id
			vs.maj23 = &id
		}
	}
}

// status summarises the node for its peers.
func (g *gossip) status() *status {
	st := &status{Height: g.height, Round: g.round, HasProposal: g.proposals[g.round] != nil, Want: g.want, WantHave: g.wantHave}
	for _, key := range g.voteKeys() {
		vs := g.sets[key]
		st.Votes = append(st.Votes, voteMask{Round: key.round, Type: key.typ, Mask: vs.mask, Maj23: vs.maj23})
	}
	return st
}

// voteKeys returns the (round, type) pairs with votes, in order.
func (g *gossip) voteKeys() []roundType {
	keys := make([]roundType, 0, len(g.sets))
	for key := range g.sets {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, func(a, b roundType) int {
		if a.round != b.round {
			return int(a.round - b.round)
		}
		return int(a.typ) - int(b.typ)
	})
	return keys
}

// answer returns the messages that give a peer at the same height what it lacks.
func (g *gossip) answer(st *status) []core.Input {
	var out []core.Input
	for _, key := range g.voteKeys() {
		if key.round > st.Round+1 && key.round != g.round {
			continue // the peer would count it against its catch-up rounds
		}
		vs, peer := g.sets[key], st.votes(key.round, key.typ)
		if vs.maj23 != nil && peer.Maj23 == nil {
			out = append(out, core.PeerMaj23{Height: g.height, Round: key.round, Type: key.typ, BlockID: *vs.maj23})
			for _, v := range vs.tally(*vs.maj23).votes {
				if v != nil {
					out = append(out, core.VoteMessage{Vote: v})
				}
			}
		}
		for i := range vs.first {
			if v := vs.vote(i); v != nil && peer.Mask&(1<<uint(i)) == 0 {
				out = append(out, core.VoteMessage{Vote: v})
			}
		}
	}
	if !st.HasProposal {
		if p := g.proposals[st.Round]; p != nil {
			if parts := g.parts[string(p.BlockID.PartSetHeader.Hash)]; parts != nil && parts.IsComplete() {
				out = append(out, core.ProposalMessage{Proposal: p})
				return appendParts(out, st.Height, st.Round, parts, 0)
			}
		}
	}
	if !st.Want.IsZero() {
		if parts := g.parts[string(st.Want.Hash)]; parts != nil && parts.HasHeader(st.Want) {
			out = appendParts(out, st.Height, st.Round, parts, st.WantHave)
		}
	}
	return out
}

// catchUp returns the messages that let a peer at an earlier height commit that height's block
// b: the precommits of its commit (with a +2/3 claim if the peer does not see the majority),
// then the block's parts.
func catchUp(st *status, b *storedBlock) []core.Input {
	var out []core.Input
	commit := b.seenCommit
	peer := st.votes(commit.Round, types.PrecommitType)
	claim := peer.Maj23 == nil || !peer.Maj23.Equals(commit.BlockID)
	if claim {
		out = append(out, core.PeerMaj23{Height: commit.Height, Round: commit.Round, Type: types.PrecommitType, BlockID: commit.BlockID})
	}
	for i, sig := range commit.ExtendedSignatures {
		if sig.BlockIDFlag == types.BlockIDFlagCommit && (claim || peer.Mask&(1<<uint(i)) == 0) {
			out = append(out, core.VoteMessage{Vote: commit.GetExtendedVote(int32(i))})
		}
	}
	var partsHave uint64
	if st.Want.Equals(b.parts.Header()) {
		partsHave = st.WantHave
	}
	return appendParts(out, st.Height, commit.Round, b.parts, partsHave)
}

// appendParts appends the held parts not in have.
func appendParts(out []core.Input, height int64, round int32, parts *types.PartSet, have uint64) []core.Input {
	for i := 0; i < int(parts.Total()); i++ {
		if i < 64 && have&(1<<uint(i)) != 0 {
			continue
		}
		if part := parts.GetPart(i); part != nil {
			out = append(out, core.BlockPartMessage{Height: height, Round: round, Part: part})
		}
	}
	return out
}
