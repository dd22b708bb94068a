package pex

import (
	"context"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// pexNode is a switch with a PEX reactor and an in-memory address book.
type pexNode struct {
	sw      *p2p.PeerSwitch
	book    *AddrBook
	reactor *Reactor
}

func (n *pexNode) id() p2p.ID { return n.sw.NodeInfo().ID }

func (n *pexNode) addr(t *testing.T) p2p.NetAddress {
	t.Helper()
	a, err := n.sw.NetAddress()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// makePEXNode builds switch i on mem with a PEX reactor (cfg adjusted by adjust), starts the
// switch and the reactor, and stops both when the test ends.
func makePEXNode(t *testing.T, i int, mem *p2ptest.MemNetwork, adjust func(*Config), opts ...p2ptest.Option) *pexNode {
	t.Helper()
	n := &pexNode{}
	init := func(i int, sw *p2p.PeerSwitch) {
		book, err := NewAddrBook("", false, uint64(i), log.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		cfg := ConfigFromP2P(config.TestP2PConfig())
		cfg.RandSeed = uint64(i)
		if adjust != nil {
			adjust(&cfg)
		}
		r, err := NewReactor(book, sw, cfg, log.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		sw.AddReactor("pex", r)
		n.book, n.reactor = book, r
	}
	n.sw = p2ptest.MakeSwitch(t, i, init, append([]p2ptest.Option{p2ptest.WithMemNetwork(mem)}, opts...)...)
	p2ptest.Start(t, n.sw)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.reactor.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("pex reactor %d: %v", i, err)
		}
	})
	return n
}

// pexRecorder is a Recorder on the PEX channel: a peer that speaks PEX as the test says.
func pexRecorder() *p2ptest.Recorder {
	return p2ptest.NewRecorderOn((&Reactor{}).Channels()...)
}

// makeRecorderNode builds and starts switch i on mem with rec as its only reactor.
func makeRecorderNode(t *testing.T, i int, mem *p2ptest.MemNetwork, rec *p2ptest.Recorder) *p2p.PeerSwitch {
	t.Helper()
	sw := p2ptest.MakeSwitch(t, i, func(_ int, sw *p2p.PeerSwitch) { sw.AddReactor("pex", rec) }, p2ptest.WithMemNetwork(mem))
	p2ptest.Start(t, sw)
	return sw
}

func request() p2p.Envelope {
	return p2p.Envelope{ChannelID: Channel, Message: &tmp2p.Message{Sum: &tmp2p.Message_PexRequest{PexRequest: &tmp2p.PexRequest{}}}}
}

func addrsMsg(addrs ...tmp2p.NetAddress) p2p.Envelope {
	return p2p.Envelope{ChannelID: Channel, Message: &tmp2p.Message{Sum: &tmp2p.Message_PexAddrs{PexAddrs: &tmp2p.PexAddrs{Addrs: addrs}}}}
}

func mustIP(s string) netip.Addr { return netip.MustParseAddr(s) }

func mustNetAddress(t *testing.T, sw *p2p.PeerSwitch) p2p.NetAddress {
	t.Helper()
	a, err := sw.NetAddress()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func peerOf(t *testing.T, sw *p2p.PeerSwitch, id p2p.ID) p2p.Peer {
	t.Helper()
	p, ok := sw.Peer(id)
	if !ok {
		t.Fatalf("no peer %s", id)
	}
	return p
}

func TestPEXSpreadsAddresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		nodes := make([]*pexNode, 3)
		for i := range nodes {
			nodes[i] = makePEXNode(t, i, mem, nil)
		}
		// 2 → 1: node 1 learns node 2's advertised address from its NodeInfo.
		p2ptest.Connect(t, nodes[2].sw, nodes[1].sw)
		// 0 → 1: node 0 asks its new outbound peer for addresses and learns node 2's; node 2
		// learns node 0's at its next ensure-peers round; one of them dials the other.
		p2ptest.Connect(t, nodes[0].sw, nodes[1].sw)
		p2ptest.WaitForPeer(t, nodes[0].sw, nodes[2].id())
		if !nodes[0].book.HasAddress(nodes[2].addr(t)) || !nodes[1].book.HasAddress(nodes[2].addr(t)) {
			t.Fatal("node 2's address did not spread")
		}
		if nodes[0].book.HasAddress(nodes[0].addr(t)) {
			t.Fatal("node 0's book holds its own address")
		}
		// (Which of 0 and 2 dials the other depends on who learns of whom first.)
		p2ptest.WaitForPeer(t, nodes[2].sw, nodes[0].id())
	})
}

func TestEnsurePeersStopsAtOutboundLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		const limit = 2
		hub := makePEXNode(t, 0, mem, nil, p2ptest.WithConfig(func(_ int, cfg *config.P2PConfig) {
			cfg.MaxNumOutboundPeers = limit
		}))
		for i := 1; i <= 5; i++ {
			sw := makeRecorderNode(t, i, mem, pexRecorder())
			a, _ := sw.NetAddress()
			if err := hub.book.AddAddress(a, a); err != nil {
				t.Fatal(err)
			}
		}
		p2ptest.WaitForNumPeers(t, hub.sw, limit)
		time.Sleep(3 * hub.reactor.cfg.EnsurePeersPeriod) // three more rounds on the bubble's clock
		synctest.Wait()
		if out, in, dialing := hub.sw.NumPeers(); out != limit || in != 0 || dialing != 0 {
			t.Fatalf("outbound %d, inbound %d, dialing %d; want %d, 0, 0", out, in, dialing, limit)
		}
	})
}

func TestUnsolicitedAddrsBanned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		victim := makePEXNode(t, 0, mem, nil)
		attacker := makeRecorderNode(t, 1, mem, pexRecorder())
		p2ptest.Connect(t, attacker, victim.sw)
		pushed := p2p.NetAddress{ID: p2ptest.NodeKey(5).ID(), IP: mustIP("8.8.8.8"), Port: 26656}
		peerOf(t, attacker, victim.id()).Send(addrsMsg(pushed.ToProto()))
		p2ptest.WaitForNoPeer(t, victim.sw, attacker.NodeInfo().ID)
		if !victim.book.IsBanned(p2p.NetAddress{ID: attacker.NodeInfo().ID}) {
			t.Fatal("the attacker is not banned")
		}
		if victim.book.HasAddress(pushed) || victim.book.Size() != 0 {
			t.Fatalf("the book holds %d addresses after the ban", victim.book.Size())
		}
	})
}

func TestTooFrequentRequestsBanned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		victim := makePEXNode(t, 0, mem, nil)
		rec := pexRecorder()
		asker := makeRecorderNode(t, 1, mem, rec)
		p2ptest.Connect(t, asker, victim.sw)
		toVictim := peerOf(t, asker, victim.id())
		minInterval := victim.reactor.cfg.EnsurePeersPeriod / 3

		// Two free requests, then one a full interval later: all answered.
		toVictim.Send(request())
		toVictim.Send(request())
		for range 2 {
			if _, ok := (<-rec.Received).Message.(*tmp2p.Message).Sum.(*tmp2p.Message_PexAddrs); !ok {
				t.Fatal("a request was not answered with addresses")
			}
		}
		time.Sleep(minInterval)
		toVictim.Send(request())
		<-rec.Received
		if _, ok := victim.sw.Peer(asker.NodeInfo().ID); !ok {
			t.Fatal("a well-spaced requester was dropped")
		}

		// The next one comes too early.
		time.Sleep(minInterval - time.Second)
		toVictim.Send(request())
		p2ptest.WaitForNoPeer(t, victim.sw, asker.NodeInfo().ID)
		if !victim.book.IsBanned(p2p.NetAddress{ID: asker.NodeInfo().ID}) {
			t.Fatal("the requester is not banned")
		}
	})
}

func TestMalformedAddrsDisconnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		victim := makePEXNode(t, 0, mem, nil)
		rec := pexRecorder()
		answerer := makeRecorderNode(t, 1, mem, rec)
		// The victim dials, so it asks the new outbound peer for addresses.
		p2ptest.Connect(t, victim.sw, answerer)
		e := <-rec.Received
		if _, ok := e.Message.(*tmp2p.Message).Sum.(*tmp2p.Message_PexRequest); !ok {
			t.Fatalf("got %v, want a PexRequest", e.Message)
		}
		e.Src.Send(addrsMsg(tmp2p.NetAddress{ID: string(p2ptest.NodeKey(5).ID()), IP: "not-an-ip", Port: 26656}))
		p2ptest.WaitForNoPeer(t, victim.sw, answerer.NodeInfo().ID)
		if victim.book.IsBanned(p2p.NetAddress{ID: answerer.NodeInfo().ID}) {
			t.Fatal("a malformed answer got its sender banned; only unsolicited ones do")
		}
	})
}

func TestSeedAnswersOnceAndClientDialsTheAddresses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		seed := makePEXNode(t, 0, mem, func(c *Config) { c.SeedMode = true })
		var others []*p2p.PeerSwitch
		for i := 2; i <= 3; i++ {
			sw := makeRecorderNode(t, i, mem, pexRecorder())
			a, _ := sw.NetAddress()
			if err := seed.book.AddAddress(a, a); err != nil {
				t.Fatal(err)
			}
			others = append(others, sw)
		}
		seedAddr := seed.addr(t)
		client := makePEXNode(t, 1, mem, func(c *Config) { c.Seeds = []string{seedAddr.String()} })
		// The client has nothing to dial: it dials the seed, asks it, is answered and let go,
		// and dials what the seed told it at once.
		for _, sw := range others {
			p2ptest.WaitForPeer(t, client.sw, sw.NodeInfo().ID)
		}
		p2ptest.WaitForNoPeer(t, seed.sw, client.id())
		if !client.book.HasAddress(mustNetAddress(t, others[0])) || !client.book.HasAddress(mustNetAddress(t, others[1])) {
			t.Fatal("the client's book lacks the seed's addresses")
		}
	})
}
