package reactor

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/evidence"
	"github.com/ballot-bft/ballot/p2p"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

const chainID = "evidence-reactor-chain"

var genesisTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func blockTime(h int64) time.Time { return genesisTime.Add(time.Duration(h) * time.Minute) }

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// chain is a chain of empty blocks at some height with a fixed validator set, behind the stores
// the evidence pool reads.
type chain struct {
	t      testing.TB
	keys   []ed25519.PrivKey
	vals   *types.ValidatorSet
	params types.EvidenceParams

	mtx    sync.Mutex
	height int64
}

func newChain(t testing.TB, height int64) *chain {
	c := &chain{t: t, height: height,
		params: types.EvidenceParams{MaxAgeNumBlocks: 10, MaxAgeDuration: 30 * time.Minute, MaxBytes: 1 << 20}}
	var vals []*types.Validator
	for i := range 4 {
		k := ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "val-%d", i))
		c.keys = append(c.keys, k)
		vals = append(vals, types.NewValidator(k.PubKey(), 10))
	}
	set, err := types.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	c.vals = set
	return c
}

func (c *chain) Height() int64 {
	c.mtx.Lock()
	defer c.mtx.Unlock()
	return c.height
}

func (c *chain) Base() int64 { return 1 }

// state returns the state after the chain's last block.
func (c *chain) state() state.State {
	h := c.Height()
	params := *types.DefaultConsensusParams()
	params.Evidence = c.params
	return state.State{
		ChainID: chainID, InitialHeight: 1, LastBlockHeight: h, LastBlockTime: blockTime(h),
		Validators: c.vals, NextValidators: c.vals, LastValidators: c.vals, ConsensusParams: params,
	}
}

func (c *chain) Load() (state.State, error) { return c.state(), nil }

func (c *chain) LoadValidators(height int64) (*types.ValidatorSet, error) {
	if height < 1 || height > c.Height()+2 {
		return nil, fmt.Errorf("no validators at height %d", height)
	}
	return c.vals, nil
}

func (c *chain) LoadBlockMeta(height int64) (*types.BlockMeta, error) {
	if height < 1 || height > c.Height() {
		return nil, fmt.Errorf("no block at height %d", height)
	}
	header := types.Header{ChainID: chainID, Height: height, Time: blockTime(height)}
	return &types.BlockMeta{Header: header, BlockID: types.BlockID{Hash: header.Hash()}}, nil
}

func (c *chain) LoadBlock(height int64) (*types.Block, error) {
	meta, err := c.LoadBlockMeta(height)
	if err != nil {
		return nil, err
	}
	return &types.Block{Header: meta.Header}, nil
}

func (c *chain) LoadBlockCommit(height int64) (*types.Commit, error) {
	return nil, errors.New("no commits in this chain")
}

func (c *chain) LoadSeenCommit(height int64) (*types.Commit, error) {
	return nil, errors.New("no commits in this chain")
}

// advance moves the chain to height (no evidence in the blocks).
func (c *chain) advance(height int64) state.State {
	c.mtx.Lock()
	c.height = height
	c.mtx.Unlock()
	return c.state()
}

// vote returns validator i's prevote at height for the block named block.
func (c *chain) vote(i int, height int64, block string) *types.Vote {
	c.t.Helper()
	v := &types.Vote{
		Type: types.PrevoteType, Height: height,
		BlockID:          types.BlockID{Hash: hashOf(block), PartSetHeader: types.PartSetHeader{Total: 1, Hash: hashOf("parts " + block)}},
		Timestamp:        blockTime(height).Add(time.Second),
		ValidatorAddress: c.vals.Validators[i].Address, ValidatorIndex: int32(i),
	}
	var key ed25519.PrivKey
	for _, k := range c.keys {
		if string(k.PubKey().Address()) == string(v.ValidatorAddress) {
			key = k
		}
	}
	sig, err := key.Sign(v.SignBytes(chainID))
	if err != nil {
		c.t.Fatal(err)
	}
	v.Signature = sig
	return v
}

// duplicateVote returns valid evidence that validator i voted twice at height.
func (c *chain) duplicateVote(i int, height int64) *types.DuplicateVoteEvidence {
	c.t.Helper()
	ev, err := types.NewDuplicateVoteEvidence(c.vote(i, height, "one"), c.vote(i, height, "two"), blockTime(height), c.vals)
	if err != nil {
		c.t.Fatal(err)
	}
	return ev
}

func (c *chain) newPool() *evidence.Pool {
	c.t.Helper()
	p, err := evidence.NewPool(dbm.NewMemDB(), c, c, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return p
}

// fakePeer records the evidence sent to it.
type fakePeer struct {
	id   p2p.ID
	done chan struct{}

	mtx      sync.Mutex
	sent     [][]byte
	failNext int
}

func newFakePeer(name string) *fakePeer {
	return &fakePeer{id: p2p.ID(fmt.Sprintf("%040x", name)), done: make(chan struct{})}
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
	if e.ChannelID != Channel {
		panic(fmt.Sprintf("sent on channel %#x", e.ChannelID))
	}
	bz, err := proto.Marshal(e.Message)
	if err != nil {
		panic(err)
	}
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if p.failNext > 0 {
		p.failNext--
		return false
	}
	p.sent = append(p.sent, bz)
	return true
}

// received decodes what was sent: the hashes of the evidence, one per message.
func (p *fakePeer) received(t *testing.T) []string {
	t.Helper()
	p.mtx.Lock()
	defer p.mtx.Unlock()
	var out []string
	for _, bz := range p.sent {
		var list tmproto.EvidenceList
		if err := proto.Unmarshal(bz, &list); err != nil {
			t.Fatalf("undecodable message %X: %v", bz, err)
		}
		if len(list.Evidence) != 1 {
			t.Fatalf("message carries %d evidence, want 1", len(list.Evidence))
		}
		ev, err := types.EvidenceFromProto(&list.Evidence[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%X", ev.Hash()))
	}
	return out
}

func hashes(evs ...types.Evidence) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, fmt.Sprintf("%X", ev.Hash()))
	}
	return out
}

// fakeSwitch records the peers stopped for errors.
type fakeSwitch struct {
	mtx     sync.Mutex
	stopped map[p2p.ID]error
}

func newFakeSwitch() *fakeSwitch { return &fakeSwitch{stopped: map[p2p.ID]error{}} }

func (s *fakeSwitch) Peers() []p2p.Peer      { return nil }
func (s *fakeSwitch) Broadcast(p2p.Envelope) {}
func (s *fakeSwitch) StopPeerForError(peer p2p.Peer, err error) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	s.stopped[peer.ID()] = err
}

func (s *fakeSwitch) stopErr(id p2p.ID) error {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	return s.stopped[id]
}

// fakeHeights is a settable PeerHeights.
type fakeHeights struct {
	mtx     sync.Mutex
	heights map[p2p.ID]int64
	changed chan struct{}
}

func newFakeHeights() *fakeHeights {
	return &fakeHeights{heights: map[p2p.ID]int64{}, changed: make(chan struct{})}
}

func (h *fakeHeights) PeerHeight(id p2p.ID) (int64, <-chan struct{}) {
	h.mtx.Lock()
	defer h.mtx.Unlock()
	return h.heights[id], h.changed
}

func (h *fakeHeights) set(id p2p.ID, height int64) {
	h.mtx.Lock()
	defer h.mtx.Unlock()
	h.heights[id] = height
	close(h.changed)
	h.changed = make(chan struct{})
}

// env is a running reactor over a real pool on a chain at some height.
type env struct {
	t       *testing.T
	chain   *chain
	pool    *evidence.Pool
	sw      *fakeSwitch
	heights *fakeHeights
	r       *Reactor
	cancel  context.CancelFunc
	runErr  chan error
}

func newEnv(t *testing.T, height int64, opts ...Option) *env {
	t.Helper()
	c := newChain(t, height)
	e := &env{t: t, chain: c, pool: c.newPool(), sw: newFakeSwitch(), heights: newFakeHeights(), runErr: make(chan error, 1)}
	r, err := New(e.pool, e.sw, e.heights, opts...)
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.runErr <- r.Run(ctx) }()
	return e
}

func (e *env) stop() {
	e.t.Helper()
	e.cancel()
	if err := <-e.runErr; err != nil {
		e.t.Fatalf("Run: %v", err)
	}
}

func (e *env) addPending(evs ...types.Evidence) {
	e.t.Helper()
	for _, ev := range evs {
		if err := e.pool.AddEvidence(ev); err != nil {
			e.t.Fatal(err)
		}
	}
}

// receive delivers an EvidenceList with evs from peer.
func (e *env) receive(from *fakePeer, evs ...*tmproto.Evidence) {
	list := &tmproto.EvidenceList{}
	for _, ev := range evs {
		list.Evidence = append(list.Evidence, *ev)
	}
	e.r.Receive(p2p.Envelope{Src: from, ChannelID: Channel, Message: list})
}

func toProto(t testing.TB, ev types.Evidence) *tmproto.Evidence {
	t.Helper()
	pb, err := types.EvidenceToProto(ev)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}
