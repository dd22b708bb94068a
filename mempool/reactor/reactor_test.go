package reactor

import (
	"bytes"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/p2p"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func TestMaxMessageSizeMatchesProto(t *testing.T) {
	for _, n := range []int{0, 1, 2, 125, 126, 127, 128, 16381, 16384, 1 << 20, 4 << 20} {
		msg := &mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{Txs: [][]byte{make([]byte, n)}}}}
		if got, want := MaxMessageSize(n), msg.Size(); got != want {
			t.Errorf("MaxMessageSize(%d) = %d, proto size %d", n, got, want)
		}
	}
	// Batches: the size formula adds up per transaction.
	txs := [][]byte{make([]byte, 3), make([]byte, 200), make([]byte, 70000)}
	msg := &mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{Txs: txs}}}
	sum := 0
	for _, tx := range txs {
		sum += txFieldSize(len(tx))
	}
	if got := messageSize(sum); got != msg.Size() {
		t.Errorf("messageSize of a 3-tx batch = %d, proto size %d", got, msg.Size())
	}
}

func TestChannelDescriptor(t *testing.T) {
	r := New(config.DefaultMempoolConfig(), nil, newFakeSwitch())
	chs := r.Channels()
	if len(chs) != 1 {
		t.Fatalf("%d channels", len(chs))
	}
	d := chs[0]
	// p2p.md §6: 0x30, priority 5, queue 1, recv buffer 4096, one max_tx_bytes tx.
	if d.ID != 0x30 || d.Priority != 5 || d.SendQueueCapacity != 1 || d.RecvBufferCapacity != 4096 ||
		d.RecvMessageCapacity != MaxMessageSize(1<<20) {
		t.Fatalf("descriptor %+v", d.ChannelDescriptor)
	}
	if _, ok := d.MessageType.(*mempoolpb.Message); !ok {
		t.Fatalf("message type %T", d.MessageType)
	}
}

// p2p.md §9: a Txs message with the transaction "ab" is 0a 04 0a 02 61 62; what the reactor
// sends for one transaction has that form.
func TestWireVector(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, nil)
		peer := newFakePeer("a")
		env.r.AddPeer(peer)
		env.addLocal("a=b")
		synctest.Wait()
		env.stop()
		peer.mtx.Lock()
		defer peer.mtx.Unlock()
		want, _ := hex.DecodeString("0a050a03613d62") // Message{Txs{["a=b"]}}
		if len(peer.sent) != 1 || !bytes.Equal(peer.sent[0], want) {
			t.Fatalf("sent %X, want %X", peer.sent, want)
		}
	})
	vector, _ := hex.DecodeString("0a040a026162")
	bz, err := proto.Marshal(&mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{Txs: [][]byte{[]byte("ab")}}}})
	if err != nil || !bytes.Equal(bz, vector) {
		t.Fatalf("Txs{ab} encodes to %X, want %X", bz, vector)
	}
}

func TestReceiveChecksTxsWithSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, nil)
		defer env.stop()
		a, b := newFakePeer("a"), newFakePeer("b")
		env.receive(a, "k1=v1", "k2=v2", "not a kvstore tx")
		env.receive(b, "k1=v1") // a duplicate is no fault
		if env.pool.Size() != 2 {
			t.Fatalf("pool has %d txs, want 2", env.pool.Size())
		}
		e, ok := env.pool.NextTx(0)
		if !ok || string(e.Tx) != "k1=v1" || !slices.Equal(e.Senders, []p2p.ID{a.id, b.id}) {
			t.Fatalf("first tx %q senders %v", e.Tx, e.Senders)
		}
		for _, p := range []*fakePeer{a, b} {
			if err := env.sw.stopErr(p.id); err != nil {
				t.Fatalf("peer %s stopped: %v", p.id, err)
			}
		}
	})
}

func TestReceiveMalformedStopsPeer(t *testing.T) {
	tooLarge := strings.Repeat("x", 1<<20) + "=1"
	for _, tc := range []struct {
		name string
		msg  proto.Message
	}{
		{"empty txs", &mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{}}}},
		{"no sum", &mempoolpb.Message{}},
		{"bare empty txs", &mempoolpb.Txs{}},
		{"other type", &tmproto.EvidenceList{}},
		{"tx over max_tx_bytes", &mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{Txs: [][]byte{[]byte("ok=1"), []byte(tooLarge)}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				env := newEnv(t, 1, nil)
				defer env.stop()
				peer := newFakePeer("bad")
				env.r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: tc.msg})
				if err := env.sw.stopErr(peer.id); !errors.Is(err, ErrMalformed) {
					t.Fatalf("stop error %v, want ErrMalformed", err)
				}
				if env.pool.Size() != 0 {
					t.Fatalf("a tx of a malformed message reached the pool")
				}
			})
		})
	}
}

func TestBareTxsAccepted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, nil)
		defer env.stop()
		peer := newFakePeer("a")
		env.r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: &mempoolpb.Txs{Txs: [][]byte{[]byte("k=v")}}})
		if env.pool.Size() != 1 || env.sw.stopErr(peer.id) != nil {
			t.Fatalf("pool size %d, stop %v", env.pool.Size(), env.sw.stopErr(peer.id))
		}
	})
}

func TestEachTxSentOncePerPeerNeverBackToSender(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, nil)
		a, b, c := newFakePeer("a"), newFakePeer("b"), newFakePeer("c")
		env.r.AddPeer(a)
		env.r.AddPeer(b)
		env.receive(a, "from-a=1")
		env.addLocal("own=1", "own=2")
		env.receive(b, "from-b=1", "own=1") // b also sends one we have
		synctest.Wait()
		env.r.AddPeer(c) // joins late: gets the backlog
		env.addLocal("own=3")
		synctest.Wait()
		env.stop()

		want := map[*fakePeer][]string{
			a: {"own=1", "own=2", "from-b=1", "own=3"},
			b: {"from-a=1", "own=2", "own=3"}, // own=1 may have gone before b sent it
			c: {"from-a=1", "own=1", "own=2", "from-b=1", "own=3"},
		}
		for p, w := range want {
			got := p.txs(t)
			if p == b {
				got = slices.DeleteFunc(got, func(s string) bool { return s == "own=1" })
			}
			if !slices.Equal(got, w) {
				t.Errorf("peer %s got %q, want %q", p.id[36:], got, w)
			}
		}
		// b sent own=1 after we had sent it to b, or before: either way at most once.
		if n := strings.Count(strings.Join(b.txs(t), ","), "own=1"); n > 1 {
			t.Errorf("own=1 sent %d times to b", n)
		}
	})
}

func TestLaggingPeerWaitsForHeight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		heights := newFakeHeights()
		env := newEnv(t, 1, nil, WithPeerHeights(heights))
		peer := newFakePeer("a")
		env.r.AddPeer(peer)
		env.addLocal("early=1") // admitted at height 1: any peer height ≥ 0 takes it
		env.commitEmpty(5)
		env.addLocal("late=1", "late=2") // admitted at height 5: needs peer height ≥ 4
		synctest.Wait()
		if got := peer.txs(t); !slices.Equal(got, []string{"early=1"}) {
			t.Fatalf("at height 0 peer got %q", got)
		}
		heights.set(peer.id, 3)
		synctest.Wait()
		if got := peer.txs(t); len(got) != 1 {
			t.Fatalf("at height 3 peer got %q", got)
		}
		heights.set(peer.id, 4)
		synctest.Wait()
		env.stop()
		if got := peer.txs(t); !slices.Equal(got, []string{"early=1", "late=1", "late=2"}) {
			t.Fatalf("at height 4 peer got %q", got)
		}
	})
}

func TestBatchesStayWithinMessageLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// max_tx_bytes 10: a message holds one 10-byte tx (12 bytes of Txs), so two 3-byte
		// txs (5 bytes each) fit and a third does not.
		env := newEnv(t, 1, func(c *config.MempoolConfig) { c.MaxTxBytes = 10 })
		env.addLocal("a=1", "b=2", "c=3", "d=4", "e=5")
		peer := newFakePeer("a")
		env.r.AddPeer(peer)
		synctest.Wait()
		env.stop()
		msgs := peer.messages(t)
		want := [][]string{{"a=1", "b=2"}, {"c=3", "d=4"}, {"e=5"}}
		if !slices.EqualFunc(msgs, want, slices.Equal) {
			t.Fatalf("messages %q, want %q", msgs, want)
		}
		peer.mtx.Lock()
		defer peer.mtx.Unlock()
		for _, bz := range peer.sent {
			if len(bz) > MaxMessageSize(10) {
				t.Fatalf("message of %d bytes exceeds %d", len(bz), MaxMessageSize(10))
			}
		}
	})
}

func TestFailedSendIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, nil)
		peer := newFakePeer("a")
		peer.failNext = 2
		env.r.AddPeer(peer)
		env.addLocal("k=v")
		synctest.Wait()
		env.stop()
		if got := peer.txs(t); !slices.Equal(got, []string{"k=v"}) {
			t.Fatalf("peer got %q", got)
		}
	})
}

func TestBroadcastOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, func(c *config.MempoolConfig) { c.Broadcast = false })
		a, b := newFakePeer("a"), newFakePeer("b")
		env.r.AddPeer(a)
		env.addLocal("k=v")
		env.receive(b, "k2=v")
		synctest.Wait()
		env.stop()
		if got := a.txs(t); len(got) != 0 {
			t.Fatalf("broadcast off, peer got %q", got)
		}
		if env.pool.Size() != 2 {
			t.Fatalf("received tx not checked: pool size %d", env.pool.Size())
		}
	})
}

func TestGossipConnectionCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, func(c *config.MempoolConfig) {
			c.ExperimentalMaxGossipConnectionsToNonPersistentPeers = 1
		})
		a, b := newFakePeer("a"), newFakePeer("b")
		p := newFakePeer("p")
		p.persistent = true // persistent peers have their own (here unlimited) cap
		env.r.AddPeer(a)
		synctest.Wait()
		env.r.AddPeer(b)
		env.r.AddPeer(p)
		env.addLocal("k=v")
		synctest.Wait()
		if len(a.txs(t)) != 1 || len(b.txs(t)) != 0 || len(p.txs(t)) != 1 {
			t.Fatalf("a %q, b %q, p %q: want a and p only", a.txs(t), b.txs(t), p.txs(t))
		}
		env.r.RemovePeer(a, nil) // frees the slot
		synctest.Wait()
		env.stop()
		if got := b.txs(t); !slices.Equal(got, []string{"k=v"}) {
			t.Fatalf("b got %q after a left", got)
		}
	})
}

func TestPeerDoneStopsItsGoroutine(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newEnv(t, 1, nil)
		a := newFakePeer("a")
		env.r.AddPeer(a)
		synctest.Wait()
		close(a.done)
		synctest.Wait()
		env.addLocal("k=v")
		synctest.Wait()
		if got := a.txs(t); len(got) != 0 {
			t.Fatalf("stopped peer got %q", got)
		}
		env.stop()
		// After Run returned, new peers get no goroutine (synctest would report it leaking).
		env.r.AddPeer(newFakePeer("late"))
	})
}
