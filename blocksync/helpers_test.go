package blocksync

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/p2p"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
)

// fakePeer is a peer whose sent messages go, encoded, to its outbox; a test or a remote script
// reads them there.
type fakePeer struct {
	id     p2p.ID
	done   chan struct{}
	outbox chan []byte
	once   sync.Once
}

func newFakePeer(name string) *fakePeer {
	return &fakePeer{id: p2p.ID(fmt.Sprintf("%040x", name)), done: make(chan struct{}), outbox: make(chan []byte, 4096)}
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
	select {
	case <-p.done:
		return false
	default:
	}
	bz, err := proto.Marshal(e.Message)
	if err != nil {
		panic(err)
	}
	select {
	case p.outbox <- bz:
		return true
	default:
		return false
	}
}

func (p *fakePeer) close() { p.once.Do(func() { close(p.done) }) }

// next returns the next message sent to the peer, decoded; it fails the test if none is queued.
func (p *fakePeer) next(t *testing.T) *bcproto.Message {
	t.Helper()
	select {
	case bz := <-p.outbox:
		return decodeMsg(t, bz)
	default:
		t.Fatalf("nothing sent to peer %s", p.id)
		return nil
	}
}

// drain returns every message queued for the peer, decoded.
func (p *fakePeer) drain(t *testing.T) []*bcproto.Message {
	t.Helper()
	var out []*bcproto.Message
	for {
		select {
		case bz := <-p.outbox:
			out = append(out, decodeMsg(t, bz))
		default:
			return out
		}
	}
}

func decodeMsg(t testing.TB, bz []byte) *bcproto.Message {
	t.Helper()
	var m bcproto.Message
	if err := proto.Unmarshal(bz, &m); err != nil {
		t.Fatalf("undecodable message %X: %v", bz, err)
	}
	return &m
}

// fakeSwitch records stopped peers (and closes them, as a switch would, then calls RemovePeer
// on the reactor if one is attached) and broadcasts to the peers it is given.
type fakeSwitch struct {
	mtx     sync.Mutex
	stopped map[p2p.ID]error
	peers   []*fakePeer
	reactor p2p.Reactor
}

func newFakeSwitch() *fakeSwitch { return &fakeSwitch{stopped: map[p2p.ID]error{}} }

func (s *fakeSwitch) Peers() []p2p.Peer {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	var out []p2p.Peer
	for _, p := range s.peers {
		out = append(out, p)
	}
	return out
}

func (s *fakeSwitch) Broadcast(e p2p.Envelope) {
	for _, p := range s.Peers() {
		p.TrySend(e)
	}
}

func (s *fakeSwitch) StopPeerForError(peer p2p.Peer, err error) {
	s.mtx.Lock()
	if _, ok := s.stopped[peer.ID()]; ok {
		s.mtx.Unlock()
		return
	}
	s.stopped[peer.ID()] = err
	r := s.reactor
	s.mtx.Unlock()
	if fp, ok := peer.(*fakePeer); ok {
		fp.close()
	}
	if r != nil {
		go r.RemovePeer(peer, err) // the switch removes the peer on its own goroutine
	}
}

func (s *fakeSwitch) stopErr(id p2p.ID) error {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	return s.stopped[id]
}

// connect adds peer to the switch and to the reactor.
func (s *fakeSwitch) connect(peer *fakePeer) {
	s.mtx.Lock()
	s.peers = append(s.peers, peer)
	r := s.reactor
	s.mtx.Unlock()
	r.AddPeer(peer)
}

// remote plays the other end of a fakePeer: it reads what our reactor sends to the peer and
// answers with respond's messages, delivered to our reactor as coming from the peer.
type remote struct {
	peer    *fakePeer
	r       *Reactor
	respond func(req *bcproto.Message) []*bcproto.Message
}

// run answers until the peer is closed or ctx ends.
func (rm *remote) run(ctx context.Context) {
	for {
		select {
		case bz := <-rm.peer.outbox:
			var req bcproto.Message
			if err := proto.Unmarshal(bz, &req); err != nil {
				panic(err)
			}
			for _, res := range rm.respond(&req) {
				rm.deliver(res)
			}
		case <-rm.peer.done:
			return
		case <-ctx.Done():
			return
		}
	}
}

// deliver hands msg to our reactor as if it came over the wire from the peer.
func (rm *remote) deliver(msg *bcproto.Message) {
	bz, err := proto.Marshal(msg)
	if err != nil {
		panic(err)
	}
	var decoded bcproto.Message
	if err := proto.Unmarshal(bz, &decoded); err != nil {
		panic(err)
	}
	select {
	case <-rm.peer.done:
		return // the switch would not deliver for a stopped peer
	default:
	}
	rm.r.Receive(p2p.Envelope{Src: rm.peer, ChannelID: Channel, Message: &decoded})
}

// honest returns a respond function serving source's store as a peer running a serving-only
// reactor would (the same code path: Reactor.blockResponse).
func honest(t testing.TB, source *chainNode) func(*bcproto.Message) []*bcproto.Message {
	server, err := New(DefaultConfig(), source.st, false, Deps{Switch: newFakeSwitch(), BlockStore: source.blocks, StateStore: source.states})
	if err != nil {
		t.Fatal(err)
	}
	return func(req *bcproto.Message) []*bcproto.Message {
		switch m := req.Sum.(type) {
		case *bcproto.Message_StatusRequest:
			return []*bcproto.Message{status(source.blocks.Base(), source.blocks.Height())}
		case *bcproto.Message_BlockRequest:
			if res, ok := server.blockResponse(m.BlockRequest.Height); ok {
				return []*bcproto.Message{res}
			}
		}
		return nil
	}
}

func status(base, height int64) *bcproto.Message {
	return statusResponse(base, height).Message.(*bcproto.Message)
}

// syncEnv is a syncing reactor over a sink node, with a fake switch.
type syncEnv struct {
	t      *testing.T
	sink   *chainNode
	sw     *fakeSwitch
	r      *Reactor
	ctx    context.Context
	cancel context.CancelFunc
	runErr chan error

	stopOnce sync.Once
	stopErr  error
}

func newSyncEnv(t *testing.T, source *chainNode, cfg Config) *syncEnv {
	t.Helper()
	sink := newChainNode(t, source.genDoc, 0)
	return newSyncEnvOn(t, sink, cfg, sink.exec)
}

func newSyncEnvOn(t *testing.T, sink *chainNode, cfg Config, exec Executor) *syncEnv {
	t.Helper()
	sw := newFakeSwitch()
	r, err := New(cfg, sink.st, true, Deps{Switch: sw, BlockStore: sink.blocks, StateStore: sink.states, Executor: exec})
	if err != nil {
		t.Fatal(err)
	}
	sw.reactor = r
	ctx, cancel := context.WithCancel(context.Background())
	e := &syncEnv{t: t, sink: sink, sw: sw, r: r, ctx: ctx, cancel: cancel, runErr: make(chan error, 1)}
	go func() { e.runErr <- r.Run(ctx) }()
	t.Cleanup(func() { e.stop() }) // also when the test fails early
	return e
}

// addRemote connects a peer played by respond; the peer announces its status first, as
// a peer's AddPeer does.
func (e *syncEnv) addRemote(name string, first *bcproto.Message, respond func(*bcproto.Message) []*bcproto.Message) *fakePeer {
	peer := newFakePeer(name)
	rm := &remote{peer: peer, r: e.r, respond: respond}
	e.sw.connect(peer)
	go rm.run(e.ctx)
	if first != nil {
		rm.deliver(first)
	}
	return peer
}

// stop ends Run (once) and returns its error.
func (e *syncEnv) stop() error {
	e.stopOnce.Do(func() {
		e.cancel()
		e.stopErr = <-e.runErr
	})
	return e.stopErr
}
