package reactor

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	"github.com/ballot-bft/ballot/p2p"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// ---- a fake peer and switch ----

// fakePeer records what is sent to it; Send and TrySend never block.
type fakePeer struct {
	id   p2p.ID
	done chan struct{}

	mu   sync.Mutex
	sent []p2p.Envelope
	fail bool // Send and TrySend report false
}

func newFakePeer(id string) *fakePeer {
	return &fakePeer{id: p2p.ID(id), done: make(chan struct{})}
}

func (p *fakePeer) ID() p2p.ID             { return p.id }
func (p *fakePeer) NodeInfo() p2p.NodeInfo { return p2p.NodeInfo{ID: p.id} }
func (p *fakePeer) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 26656}
}
func (p *fakePeer) SocketAddr() *p2p.NetAddress { return nil }
func (p *fakePeer) IsOutbound() bool            { return true }
func (p *fakePeer) IsPersistent() bool          { return false }
func (p *fakePeer) Done() <-chan struct{}       { return p.done }
func (p *fakePeer) TrySend(e p2p.Envelope) bool { return p.Send(e) }
func (p *fakePeer) Send(e p2p.Envelope) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return false
	}
	p.sent = append(p.sent, e)
	return true
}

// take returns and forgets the decoded messages sent so far.
func (p *fakePeer) take(t *testing.T) []message {
	t.Helper()
	p.mu.Lock()
	sent := p.sent
	p.sent = nil
	p.mu.Unlock()
	var out []message
	for _, e := range sent {
		msg, err := decodeMessage(e.Message.(*consensuspb.Message))
		if err != nil {
			t.Fatalf("the reactor sent an invalid message: %v", err)
		}
		if msg.channel() != e.ChannelID {
			t.Fatalf("%T sent on channel %#x", msg, e.ChannelID)
		}
		out = append(out, msg)
	}
	return out
}

// fakeSwitch records the peers stopped for errors and marked good.
type fakeSwitch struct {
	mu      sync.Mutex
	peers   []p2p.Peer
	stopped map[p2p.ID]error
	good    map[p2p.ID]int
}

func (s *fakeSwitch) MarkPeerAsGood(peer p2p.Peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.good[peer.ID()]++
}

func (s *fakeSwitch) timesGood(id p2p.ID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.good[id]
}

func newFakeSwitch() *fakeSwitch {
	return &fakeSwitch{stopped: map[p2p.ID]error{}, good: map[p2p.ID]int{}}
}

func (s *fakeSwitch) Peers() []p2p.Peer { return s.peers }
func (s *fakeSwitch) Broadcast(e p2p.Envelope) {
	for _, p := range s.peers {
		p.TrySend(e)
	}
}
func (s *fakeSwitch) StopPeerForError(peer p2p.Peer, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped[peer.ID()] = err
}
func (s *fakeSwitch) stoppedErr(id p2p.ID) (error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err, ok := s.stopped[id]
	return err, ok
}

// ---- a fake consensus driver ----

// fakeConsensus publishes snapshots like the driver and records what is delivered to it.
type fakeConsensus struct {
	mu        sync.Mutex
	snap      *consensus.Snapshot
	changed   chan struct{}
	delivered []consensus.PeerMessage
}

func newFakeConsensus(st state.State, v *core.View) *fakeConsensus {
	c := &fakeConsensus{}
	c.publish(st, v)
	return c
}

func (c *fakeConsensus) publish(st state.State, v *core.View) {
	c.mu.Lock()
	defer c.mu.Unlock()
	changed := make(chan struct{})
	c.snap = &consensus.Snapshot{State: st, View: v, Changed: changed}
	if v != nil {
		c.snap.HRS = v.HRS
	}
	if c.changed != nil {
		close(c.changed)
	}
	c.changed = changed
}

func (c *fakeConsensus) Snapshot() *consensus.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

func (c *fakeConsensus) Deliver(ctx context.Context, msg consensus.PeerMessage) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivered = append(c.delivered, msg)
	return nil
}

func (c *fakeConsensus) takeDelivered() []consensus.PeerMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.delivered
	c.delivered = nil
	return out
}

// ---- a fake block store ----

type storedBlock struct {
	meta   *types.BlockMeta
	parts  *types.PartSet
	commit *types.Commit // the block's commit (carried by the next block, or seen)
}

type fakeStore struct {
	base   int64
	blocks map[int64]storedBlock
}

func (s *fakeStore) Base() int64 { return s.base }
func (s *fakeStore) Height() int64 {
	h := int64(0)
	for k := range s.blocks {
		h = max(h, k)
	}
	return h
}
func (s *fakeStore) get(h int64) (storedBlock, error) {
	b, ok := s.blocks[h]
	if !ok {
		return storedBlock{}, fmt.Errorf("no block %d", h)
	}
	return b, nil
}
func (s *fakeStore) LoadBlockMeta(h int64) (*types.BlockMeta, error) {
	b, err := s.get(h)
	return b.meta, err
}
func (s *fakeStore) LoadBlockPart(h int64, i int) (*types.Part, error) {
	b, err := s.get(h)
	if err != nil {
		return nil, err
	}
	return b.parts.GetPart(i), nil
}
func (s *fakeStore) LoadBlockCommit(h int64) (*types.Commit, error) {
	b, err := s.get(h)
	return b.commit, err
}
func (s *fakeStore) LoadSeenCommit(h int64) (*types.Commit, error) { return s.LoadBlockCommit(h) }
func (s *fakeStore) LoadBlockExtendedCommit(h int64) (*types.ExtendedCommit, error) {
	return nil, fmt.Errorf("no extended commit %d", h)
}

// ---- chain fixtures ----

const testChain = "reactor-test"

// fixture is a 4-validator chain at some height, with helpers to make its messages.
type fixture struct {
	vals  *types.ValidatorSet
	keys  []ed25519.PrivKey // by validator index
	state state.State
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	var vals []*types.Validator
	byAddr := map[string]ed25519.PrivKey{}
	for i := range 4 {
		key := ed25519.GenPrivKeyFromSecret([]byte{byte(i)})
		vals = append(vals, types.NewValidator(key.PubKey(), 10))
		byAddr[string(key.PubKey().Address())] = key
	}
	set, err := types.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{vals: set}
	for _, v := range set.Validators {
		f.keys = append(f.keys, byAddr[string(v.Address)])
	}
	f.state = state.State{ChainID: testChain, InitialHeight: 1, ConsensusParams: *types.DefaultConsensusParams(), Validators: set}
	return f
}

// blockID returns a complete block ID whose hashes derive from seed.
func blockID(seed string, total uint32) types.BlockID {
	return types.BlockID{Hash: tmhash.Sum([]byte(seed)), PartSetHeader: types.PartSetHeader{Total: total, Hash: tmhash.Sum([]byte(seed + "/parts"))}}
}

// vote returns validator index's signed vote.
func (f *fixture) vote(height int64, round int32, t types.SignedMsgType, index int32, id types.BlockID) *types.Vote {
	v := &types.Vote{
		Type: t, Height: height, Round: round, BlockID: id,
		Timestamp:        time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		ValidatorAddress: f.vals.Validators[index].Address, ValidatorIndex: index,
	}
	sig, err := f.keys[index].Sign(v.SignBytes(testChain))
	if err != nil {
		panic(err)
	}
	v.Signature = sig
	return v
}

// view returns a view at (height, round, step) with no proposal and no votes yet.
func (f *fixture) view(height int64, round int32, step core.Step) *core.View {
	v := &core.View{
		HRS:         core.HRS{Height: height, Round: round, Step: step},
		StartTime:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		CommitRound: -1, Validators: f.vals, LastValidators: f.vals,
		LockedRound: -1, ValidRound: -1, LastCommitRound: -1,
	}
	for r := int32(0); r <= round+1; r++ {
		v.Rounds = append(v.Rounds, core.RoundVotes{Round: r, Prevotes: make([]*types.Vote, 4), Precommits: make([]*types.Vote, 4)})
	}
	if height > 1 {
		v.LastCommit, v.LastCommitRound = make([]*types.Vote, 4), 0
	}
	return v
}

// withVote returns a copy of v holding vote.
func withVote(v *core.View, vote *types.Vote) *core.View {
	c := *v
	c.Rounds = append([]core.RoundVotes(nil), v.Rounds...)
	if vote.Height == v.HRS.Height-1 {
		c.LastCommit = append([]*types.Vote(nil), v.LastCommit...)
		c.LastCommit[vote.ValidatorIndex] = vote
		return &c
	}
	for i := range c.Rounds {
		rv := &c.Rounds[i]
		if rv.Round != vote.Round {
			continue
		}
		if vote.Type == types.PrevoteType {
			rv.Prevotes = append([]*types.Vote(nil), rv.Prevotes...)
			rv.Prevotes[vote.ValidatorIndex] = vote
		} else {
			rv.Precommits = append([]*types.Vote(nil), rv.Precommits...)
			rv.Precommits[vote.ValidatorIndex] = vote
		}
	}
	return &c
}

// withProposal returns a copy of v with a proposal for a block of the given parts, holding the
// parts whose indexes are listed.
func (f *fixture) withProposal(v *core.View, parts *types.PartSet, polRound int32, have ...int) *core.View {
	c := *v
	id := types.BlockID{Hash: tmhash.Sum([]byte("block")), PartSetHeader: parts.Header()}
	p := types.NewProposal(v.HRS.Height, v.HRS.Round, polRound, id, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	proposer := f.vals.GetProposer()
	idx, _ := f.vals.GetByAddress(proposer.Address)
	sig, err := f.keys[idx].Sign(p.SignBytes(testChain))
	if err != nil {
		panic(err)
	}
	p.Signature = sig
	c.Proposal = p
	c.PartsHeader = parts.Header()
	c.ProposalBlockParts = make([]*types.Part, parts.Total())
	for _, i := range have {
		c.ProposalBlockParts[i] = parts.GetPart(i)
	}
	return &c
}

// testParts returns the part set of n parts of filler bytes.
func testParts(n int) *types.PartSet {
	data := make([]byte, (n-1)*int(types.BlockPartSizeBytes)+100)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return types.NewPartSetFromData(data, types.BlockPartSizeBytes)
}

// commitOf returns a commit of height/round for id signed by every validator.
func (f *fixture) commitOf(height int64, round int32, id types.BlockID) *types.Commit {
	c := &types.Commit{Height: height, Round: round, BlockID: id}
	for i := range 4 {
		c.Signatures = append(c.Signatures, f.vote(height, round, types.PrecommitType, int32(i), id).CommitSig())
	}
	return c
}

// ---- a reactor under test ----

// harness runs a reactor with a fake switch and (once attached) a fake driver. Use it inside a
// synctest bubble: synctest.Wait then lets every goroutine of the reactor settle.
type harness struct {
	t    *testing.T
	f    *fixture
	r    *Reactor
	sw   *fakeSwitch
	cons *fakeConsensus
	stop func()
}

// newHarness starts a reactor; with a non-nil view it is switched to consensus at once.
func newHarness(t *testing.T, f *fixture, v *core.View) *harness {
	t.Helper()
	store := &fakeStore{blocks: map[int64]storedBlock{}}
	r, err := New(Config{PeerQueryMaj23SleepDuration: 2 * time.Second, DeliverTimeout: time.Second},
		Deps{BlockStore: store, InitialHeight: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, f: f, r: r, sw: newFakeSwitch()}
	r.SetSwitch(h.sw)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	if v != nil {
		h.cons = newFakeConsensus(f.state, v)
		r.SwitchToConsensus(h.cons)
	}
	return h
}

func (h *harness) addPeer(id string) *fakePeer {
	p := newFakePeer(id)
	h.sw.peers = append(h.sw.peers, p)
	h.r.AddPeer(p)
	return p
}

// receive hands the reactor msg from p on msg's channel, through the wire encoding.
func (h *harness) receive(p *fakePeer, msg message) {
	h.receiveOn(p, msg.channel(), msg.toProto())
}

func (h *harness) receiveOn(p *fakePeer, ch byte, pb *consensuspb.Message) {
	h.t.Helper()
	bz, err := pb.Marshal()
	if err != nil {
		h.t.Fatal(err)
	}
	var decoded consensuspb.Message
	if err := decoded.Unmarshal(bz); err != nil {
		h.t.Fatal(err)
	}
	h.r.Receive(p2p.Envelope{Src: p, ChannelID: ch, Message: &decoded})
}
