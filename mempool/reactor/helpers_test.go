package reactor

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	"github.com/ballot-bft/ballot/types"
)

// fakePeer records what is sent to it, as wire bytes.
type fakePeer struct {
	id         p2p.ID
	persistent bool
	done       chan struct{}

	mtx      sync.Mutex
	sent     [][]byte // proto encodings of the sent messages
	failNext int      // Send calls that fail before one succeeds
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
func (p *fakePeer) IsPersistent() bool          { return p.persistent }
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

// messages decodes what was sent so far.
func (p *fakePeer) messages(t *testing.T) [][]string {
	t.Helper()
	p.mtx.Lock()
	defer p.mtx.Unlock()
	var out [][]string
	for _, bz := range p.sent {
		var msg mempoolpb.Message
		if err := proto.Unmarshal(bz, &msg); err != nil {
			t.Fatalf("peer %s got undecodable bytes %X: %v", p.id, bz, err)
		}
		var txs []string
		for _, tx := range msg.GetTxs().GetTxs() {
			txs = append(txs, string(tx))
		}
		out = append(out, txs)
	}
	return out
}

// txs returns every transaction sent so far, in order.
func (p *fakePeer) txs(t *testing.T) []string {
	var all []string
	for _, m := range p.messages(t) {
		all = append(all, m...)
	}
	return all
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

// testEnv is a reactor over a real pool with the kvstore behind a local client.
type testEnv struct {
	t      *testing.T
	pool   *mempool.Pool
	sw     *fakeSwitch
	r      *Reactor
	cancel context.CancelFunc
	runErr chan error
}

// newEnv builds a running reactor; edit adjusts the mempool config. Call stop before the end of
// the (synctest) test.
func newEnv(t *testing.T, height int64, edit func(*config.MempoolConfig), opts ...Option) *testEnv {
	t.Helper()
	cfg := config.TestMempoolConfig()
	if edit != nil {
		edit(cfg)
	}
	app := client.NewLocalClient(nil, kvstore.NewInMemoryApplication(kvstore.Options{}))
	pool, err := mempool.NewPool(cfg, app, height)
	if err != nil {
		t.Fatal(err)
	}
	sw := newFakeSwitch()
	r := New(cfg, pool, sw, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	env := &testEnv{t: t, pool: pool, sw: sw, r: r, cancel: cancel, runErr: make(chan error, 1)}
	go func() { env.runErr <- r.Run(ctx) }()
	return env
}

func (e *testEnv) stop() {
	e.t.Helper()
	e.cancel()
	if err := <-e.runErr; err != nil {
		e.t.Fatalf("Run: %v", err)
	}
}

// addLocal submits txs as this node's own (RPC) transactions.
func (e *testEnv) addLocal(txs ...string) {
	e.t.Helper()
	for _, tx := range txs {
		res, err := e.pool.CheckTx(context.Background(), types.Tx(tx), "")
		if err != nil || res.Code != 0 {
			e.t.Fatalf("CheckTx(%q) = %v, %v", tx, res, err)
		}
	}
}

// receive delivers a Txs message with txs from peer.
func (e *testEnv) receive(from *fakePeer, txs ...string) {
	var raw [][]byte
	for _, tx := range txs {
		raw = append(raw, []byte(tx))
	}
	e.r.Receive(p2p.Envelope{Src: from, ChannelID: Channel, Message: &mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{Txs: raw}}}})
}

// commitEmpty moves the pool to height with an empty block.
func (e *testEnv) commitEmpty(height int64) {
	e.t.Helper()
	e.pool.Lock()
	defer e.pool.Unlock()
	if err := e.pool.Update(height, nil, []*abci.ExecTxResult{}, nil, nil); err != nil {
		e.t.Fatal(err)
	}
}
