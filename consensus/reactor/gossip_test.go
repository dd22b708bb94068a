package reactor

import (
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

const gossipSeed = 7

func testRand() *rand.Rand { return rand.New(rand.NewPCG(gossipSeed, 0)) }

// drain picks with pick and records each pick as sent until nothing is left (at most limit).
func drain(t *testing.T, ps *peerState, limit int, pick func(*peerState) (outgoing, bool)) []message {
	t.Helper()
	var out []message
	for {
		o, ok := pick(ps)
		if !ok {
			return out
		}
		if len(out) == limit {
			t.Fatalf("still picking after %d messages (seed %d): %+v", limit, gossipSeed, o.msg)
		}
		out = append(out, o.msg)
		if o.sent != nil {
			o.sent(ps)
		}
		if o.then != nil {
			out = append(out, o.then)
		}
	}
}

func peerAt(h int64, r int32, s core.Step, lcr int32) *peerState {
	ps := newPeerState()
	ps.applyNewRoundStep(step(h, r, s, lcr), epoch)
	return ps
}

func partIndexes(t *testing.T, msgs []message, height int64, round int32) []int {
	t.Helper()
	var out []int
	for _, m := range msgs {
		bp, ok := m.(blockPartMessage)
		if !ok {
			t.Fatalf("got %T, want block parts", m)
		}
		if bp.Height != height || bp.Round != round {
			t.Fatalf("part sent as %d/%d, want %d/%d", bp.Height, bp.Round, height, round)
		}
		out = append(out, int(bp.Part.Index))
	}
	sort.Ints(out)
	return out
}

// A peer at our height and round gets the proposal, its POL bits, then every part it lacks.
func TestPickDataProposalPOLAndParts(t *testing.T) {
	f := newFixture(t)
	rng := testRand()
	v := f.view(5, 1, core.StepPropose)
	v = withVote(v, f.vote(5, 0, types.PrevoteType, 2, blockID("b", 3)))
	v = f.withProposal(v, testParts(3), 0, 0, 1, 2)
	l := &local{view: v, state: f.state, blocks: &fakeStore{}}
	ps := peerAt(5, 1, core.StepPropose, 0)

	msgs := drain(t, ps, 10, func(ps *peerState) (outgoing, bool) { return l.pickData(ps, rng) })
	if len(msgs) != 5 {
		t.Fatalf("sent %d messages, want proposal, POL and 3 parts: %+v", len(msgs), msgs)
	}
	if p, ok := msgs[0].(proposalMessage); !ok || p.Proposal != v.Proposal {
		t.Fatalf("first %+v, want the proposal", msgs[0])
	}
	pol, ok := msgs[1].(proposalPOL)
	if !ok || pol.Height != 5 || pol.POLRound != 0 || pol.POL.String() != "__x_" {
		t.Fatalf("second %+v, want the POL bits __x_", msgs[1])
	}
	if got := partIndexes(t, msgs[2:], 5, 1); !reflect.DeepEqual(got, []int{0, 1, 2}) {
		t.Fatalf("parts %v", got)
	}
	if !ps.Proposal || ps.ProposalPOLRound != 0 || ps.Parts.String() != "xxx" {
		t.Fatalf("peer state after gossip: %+v", ps)
	}
}

// Only parts we hold are sent; a peer in another round gets no proposal; a peer assembling another
// block gets none of our parts.
func TestPickDataSendsOnlyWhatMatches(t *testing.T) {
	f := newFixture(t)
	rng := testRand()
	v := f.withProposal(f.view(5, 1, core.StepPrevote), testParts(3), -1, 1)
	l := &local{view: v, state: f.state, blocks: &fakeStore{}}

	ps := peerAt(5, 1, core.StepPropose, 0)
	ps.setHasProposal(v.Proposal)
	msgs := drain(t, ps, 5, func(ps *peerState) (outgoing, bool) { return l.pickData(ps, rng) })
	if got := partIndexes(t, msgs, 5, 1); !reflect.DeepEqual(got, []int{1}) {
		t.Fatalf("sent parts %v, want only the one we hold", got)
	}

	if _, ok := l.pickData(peerAt(5, 0, core.StepPrecommit, 0), rng); ok {
		t.Fatal("a peer in another round was sent something")
	}
	other := peerAt(5, 1, core.StepPrevote, 0)
	other.applyNewValidBlock(newValidBlock{Height: 5, Round: 1, PartsHeader: testParts(2).Header(), Parts: bitsOf(2)})
	other.Proposal = true
	if o, ok := l.pickData(other, rng); ok {
		t.Fatalf("a peer assembling another block was sent %+v", o.msg)
	}
}

// A peer on an earlier height gets the stored block's parts, with its own height and round, unless
// it assembles another part set or the height is below the store's base.
func TestPickDataCatchUpFromTheBlockStore(t *testing.T) {
	f := newFixture(t)
	rng := testRand()
	parts := testParts(2)
	id := types.BlockID{Hash: blockID("stored", 2).Hash, PartSetHeader: parts.Header()}
	store := &fakeStore{base: 3, blocks: map[int64]storedBlock{
		5: {meta: &types.BlockMeta{BlockID: id}, parts: parts, commit: f.commitOf(5, 0, id)},
	}}
	l := &local{view: f.view(7, 0, core.StepPropose), state: f.state, blocks: store}

	ps := peerAt(5, 2, core.StepPrecommit, 0)
	msgs := drain(t, ps, 5, func(ps *peerState) (outgoing, bool) { return l.pickData(ps, rng) })
	if got := partIndexes(t, msgs, 5, 2); !reflect.DeepEqual(got, []int{0, 1}) {
		t.Fatalf("catch-up parts %v", got)
	}

	other := peerAt(5, 2, core.StepPrecommit, 0)
	other.applyNewValidBlock(newValidBlock{Height: 5, Round: 2, PartsHeader: testParts(3).Header(), Parts: bitsOf(3)})
	if o, ok := l.pickData(other, rng); ok {
		t.Fatalf("a peer assembling another block got %+v", o.msg)
	}
	if o, ok := l.pickData(peerAt(2, 0, core.StepPropose, 0), rng); ok {
		t.Fatalf("a peer below the store base got %+v", o.msg)
	}
}

func voteIndexes(t *testing.T, msgs []message) map[types.SignedMsgType][]int32 {
	t.Helper()
	out := map[types.SignedMsgType][]int32{}
	for _, m := range msgs {
		vm, ok := m.(voteMessage)
		if !ok {
			t.Fatalf("got %T, want votes", m)
		}
		out[vm.Vote.Type] = append(out[vm.Vote.Type], vm.Vote.ValidatorIndex)
	}
	for _, s := range out {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	}
	return out
}

// At our height a peer gets its round's prevotes before its precommits, and no precommits once it
// is past the precommit step.
func TestPickVoteAtOurHeight(t *testing.T) {
	f := newFixture(t)
	rng := testRand()
	id := blockID("b", 1)
	v := f.view(5, 1, core.StepPrecommit)
	for _, vote := range []*types.Vote{
		f.vote(5, 1, types.PrevoteType, 0, id), f.vote(5, 1, types.PrevoteType, 2, id),
		f.vote(5, 1, types.PrecommitType, 1, id), f.vote(5, 0, types.PrevoteType, 3, id),
	} {
		v = withVote(v, vote)
	}
	l := &local{view: v, state: f.state, blocks: &fakeStore{}}

	msgs := drain(t, peerAt(5, 1, core.StepPrevote, 0), 5, func(ps *peerState) (outgoing, bool) { return l.pickVote(ps, rng) })
	if len(msgs) != 3 || msgs[2].(voteMessage).Vote.Type != types.PrecommitType {
		t.Fatalf("want 2 prevotes then the precommit, got %+v", msgs)
	}
	if got := voteIndexes(t, msgs); !reflect.DeepEqual(got[types.PrevoteType], []int32{0, 2}) {
		t.Fatalf("prevotes %v", got)
	}

	msgs = drain(t, peerAt(5, 1, core.StepCommit, 0), 5, func(ps *peerState) (outgoing, bool) { return l.pickVote(ps, rng) })
	if got := voteIndexes(t, msgs); len(got[types.PrecommitType]) != 0 || len(got[types.PrevoteType]) != 2 {
		t.Fatalf("a committing peer got %v, want only prevotes", got)
	}
	if o, ok := l.pickVote(peerAt(5, 2, core.StepPropose, 0), rng); ok {
		t.Fatalf("a peer in a later round got %+v", o.msg)
	}

	// A peer proposing with POL round 0 gets round 0's prevotes while waiting for the proposal.
	polPeer := peerAt(5, 1, core.StepPropose, 0)
	polPeer.setHasProposal(types.NewProposal(5, 1, 0, id, epoch))
	o, ok := l.pickVote(polPeer, rng)
	if !ok || o.msg.(voteMessage).Vote.Round != 0 {
		t.Fatalf("the POL prevote was not sent first: %+v", o.msg)
	}
}

// A peer at our height still in NewHeight gets our last commit; a peer one height behind gets it
// as its catch-up commit.
func TestPickVoteLastCommit(t *testing.T) {
	f := newFixture(t)
	rng := testRand()
	id := blockID("b", 1)
	v := f.view(6, 0, core.StepNewHeight)
	for i := range int32(3) {
		v = withVote(v, f.vote(5, 0, types.PrecommitType, i, id))
	}
	l := &local{view: v, state: f.state, blocks: &fakeStore{}}

	msgs := drain(t, peerAt(6, 0, core.StepNewHeight, 0), 5, func(ps *peerState) (outgoing, bool) { return l.pickVote(ps, rng) })
	if got := voteIndexes(t, msgs); !reflect.DeepEqual(got[types.PrecommitType], []int32{0, 1, 2}) {
		t.Fatalf("last commit to a peer in NewHeight: %v", got)
	}
	behind := peerAt(5, 3, core.StepPrevote, 0)
	msgs = drain(t, behind, 5, func(ps *peerState) (outgoing, bool) { return l.pickVote(ps, rng) })
	if got := voteIndexes(t, msgs); !reflect.DeepEqual(got[types.PrecommitType], []int32{0, 1, 2}) {
		t.Fatalf("last commit to a peer one height behind: %v", got)
	}
	if behind.CatchupCommitRound != 0 || behind.CatchupCommit.String() != "xxx_" {
		t.Fatalf("catch-up commit %d %v", behind.CatchupCommitRound, behind.CatchupCommit)
	}
}

// A peer two or more heights behind gets the stored commit of its height.
func TestPickVoteStoredCommit(t *testing.T) {
	f := newFixture(t)
	rng := testRand()
	id := blockID("stored", 2)
	store := &fakeStore{base: 1, blocks: map[int64]storedBlock{5: {meta: &types.BlockMeta{BlockID: id}, commit: f.commitOf(5, 1, id)}}}
	store.blocks[5].commit.Signatures[3] = types.NewCommitSigAbsent()
	l := &local{view: f.view(8, 0, core.StepPropose), state: f.state, blocks: store}

	ps := peerAt(5, 0, core.StepPropose, 0)
	msgs := drain(t, ps, 5, func(ps *peerState) (outgoing, bool) { return l.pickVote(ps, rng) })
	if got := voteIndexes(t, msgs); !reflect.DeepEqual(got[types.PrecommitType], []int32{0, 1, 2}) {
		t.Fatalf("stored commit votes %v", got)
	}
	for _, m := range msgs {
		if vote := m.(voteMessage).Vote; vote.Height != 5 || vote.Round != 1 || !vote.BlockID.Equals(id) {
			t.Fatalf("sent %v", vote)
		}
	}
	if ps.CatchupCommitRound != 1 {
		t.Fatalf("catch-up commit round %d, want 1", ps.CatchupCommitRound)
	}
	if o, ok := l.pickVote(peerAt(9, 0, core.StepPropose, 0), rng); ok {
		t.Fatalf("a peer ahead got %+v", o.msg)
	}
}

// The +2/3 claims sent to a peer: our majorities in its round and POL round, and the stored commit
// it is catching up on.
func TestMaj23Queries(t *testing.T) {
	f := newFixture(t)
	a, b := blockID("a", 1), blockID("b", 1)
	v := f.view(5, 1, core.StepPrecommit)
	v.Rounds[0].PrevotesMaj23 = &a
	v.Rounds[1].PrevotesMaj23 = &b
	v.Rounds[1].PrecommitsMaj23 = &b
	stored := blockID("stored", 2)
	store := &fakeStore{base: 1, blocks: map[int64]storedBlock{3: {commit: f.commitOf(3, 2, stored)}, 4: {}}}
	l := &local{view: v, state: f.state, blocks: store}

	ps := peerAt(5, 1, core.StepPropose, 0)
	ps.setHasProposal(types.NewProposal(5, 1, 0, b, epoch))
	want := []message{
		voteSetMaj23{Height: 5, Round: 0, Type: types.PrevoteType, BlockID: a},
		voteSetMaj23{Height: 5, Round: 1, Type: types.PrevoteType, BlockID: b},
		voteSetMaj23{Height: 5, Round: 1, Type: types.PrecommitType, BlockID: b},
	}
	if got := l.maj23Queries(ps); !reflect.DeepEqual(got, want) {
		t.Fatalf("claims %+v, want %+v", got, want)
	}

	behind := peerAt(3, 0, core.StepPropose, 1)
	if got := l.maj23Queries(behind); len(got) != 0 {
		t.Fatalf("claims %+v to a peer not catching up on a commit", got)
	}
	behind.ensureCatchupCommitRound(3, 2, 4)
	want = []message{voteSetMaj23{Height: 3, Round: 2, Type: types.PrecommitType, BlockID: stored}}
	if got := l.maj23Queries(behind); !reflect.DeepEqual(got, want) {
		t.Fatalf("claims %+v, want %+v", got, want)
	}
}

// announceAll runs the announcer to quiescence and returns what it said.
func announceAll(t *testing.T, a *announcer, v *core.View) []message {
	t.Helper()
	return drain(t, nil, 20, func(*peerState) (outgoing, bool) { return a.next(v, epoch) })
}

// The announcer tells each position once, each vote once, and keeps the announced precommits
// across the move to the next height.
func TestAnnouncerPositionAndVotes(t *testing.T) {
	f := newFixture(t)
	var a announcer
	id := blockID("b", 1)
	v := f.view(5, 0, core.StepPrevote)
	v.LastCommitRound = 2
	got := announceAll(t, &a, v)
	if len(got) != 1 || got[0] != (newRoundStep{HRS: v.HRS, SecondsSinceStartTime: 0, LastCommitRound: 2}) {
		t.Fatalf("first announcements %+v", got)
	}
	v = withVote(v, f.vote(5, 0, types.PrevoteType, 1, id))
	v = withVote(v, f.vote(5, 0, types.PrecommitType, 0, id))
	v = withVote(v, f.vote(5, 0, types.PrecommitType, 3, id))
	got = announceAll(t, &a, v)
	want := []message{
		hasVote{Height: 5, Round: 0, Type: types.PrevoteType, Index: 1},
		hasVote{Height: 5, Round: 0, Type: types.PrecommitType, Index: 0},
		hasVote{Height: 5, Round: 0, Type: types.PrecommitType, Index: 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("vote announcements %+v, want %+v", got, want)
	}
	if got := announceAll(t, &a, v); len(got) != 0 {
		t.Fatalf("announced again: %+v", got)
	}

	next := f.view(6, 0, core.StepNewHeight)
	next.LastCommitRound = 0
	for _, i := range []int32{0, 2, 3} {
		next = withVote(next, f.vote(5, 0, types.PrecommitType, i, id))
	}
	got = announceAll(t, &a, next)
	want = []message{
		newRoundStep{HRS: next.HRS, LastCommitRound: 0},
		hasVote{Height: 5, Round: 0, Type: types.PrecommitType, Index: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("at the next height %+v, want %+v", got, want)
	}
}

// NewValidBlock is announced for a polka's block in the current round and for a part set other
// than the proposal's (with is_commit in the Commit step), once each; not for a plain proposal.
func TestAnnouncerValidBlock(t *testing.T) {
	f := newFixture(t)
	parts := testParts(2)
	proposed := f.withProposal(f.view(5, 1, core.StepPrevote), parts, -1, 0)
	var a announcer
	if got := announceAll(t, &a, proposed); len(got) != 1 {
		t.Fatalf("a plain proposal announced %+v", got)
	}

	polka := *proposed
	polka.ValidRound, polka.ValidBlockParts = 1, parts.Header()
	got := announceAll(t, &a, &polka)
	want := []message{newValidBlock{Height: 5, Round: 1, PartsHeader: parts.Header(), Parts: bitsOf(2, 0)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("polka: %+v, want %+v", got, want)
	}

	commit := *f.view(5, 1, core.StepCommit)
	other := testParts(3)
	commit.PartsHeader, commit.ProposalBlockParts = other.Header(), make([]*types.Part, 3)
	got = announceAll(t, &a, &commit)
	want = []message{
		newRoundStep{HRS: commit.HRS, LastCommitRound: 0},
		newValidBlock{Height: 5, Round: 1, PartsHeader: other.Header(), Parts: bitsOf(3), IsCommit: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("commit of a block we lack: %+v, want %+v", got, want)
	}
}
