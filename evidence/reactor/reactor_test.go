package reactor

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/p2p"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestChannelDescriptor(t *testing.T) {
	r, err := New(newChain(t, 1).newPool(), newFakeSwitch(), newFakeHeights())
	if err != nil {
		t.Fatal(err)
	}
	d := r.Channels()[0]
	// p2p.md §6: 0x38, priority 6, queue 1, recv buffer 4096, 1 MiB, EvidenceList unwrapped.
	if d.ID != 0x38 || d.Priority != 6 || d.SendQueueCapacity != 1 || d.RecvBufferCapacity != 4096 || d.RecvMessageCapacity != 1048576 {
		t.Fatalf("descriptor %+v", d.ChannelDescriptor)
	}
	if _, ok := d.MessageType.(*tmproto.EvidenceList); !ok {
		t.Fatalf("message type %T", d.MessageType)
	}
	if _, err := New(nil, newFakeSwitch(), newFakeHeights()); err == nil {
		t.Fatal("New accepted a nil pool")
	}
}

func TestReceiveAddsEvidence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 5)
		defer e.stop()
		peer := newFakePeer("a")
		ev1, ev2 := e.chain.duplicateVote(0, 3), e.chain.duplicateVote(1, 4)
		e.receive(peer, toProto(t, ev1), toProto(t, ev2))
		e.receive(peer, toProto(t, ev1)) // again: already pending, no fault
		if err := e.sw.stopErr(peer.id); err != nil {
			t.Fatalf("peer stopped: %v", err)
		}
		if e.pool.Size() != 2 {
			t.Fatalf("pool has %d evidence, want 2", e.pool.Size())
		}
	})
}

func TestReceiveInvalidEvidenceStopsPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 5)
		defer e.stop()
		peer := newFakePeer("a")
		bad := e.chain.duplicateVote(1, 3)
		bad.VoteA.Signature[0] ^= 1 // passes ValidateBasic, fails verification
		e.receive(peer, toProto(t, bad), toProto(t, e.chain.duplicateVote(2, 3)))
		if err := e.sw.stopErr(peer.id); !errors.Is(err, types.ErrInvalidEvidence) {
			t.Fatalf("stop error %v, want ErrInvalidEvidence", err)
		}
		if e.pool.Size() != 0 {
			t.Fatal("evidence after the invalid one was added")
		}
	})
}

func TestReceiveEvidenceFromTheFutureStopsPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 5)
		defer e.stop()
		peer := newFakePeer("a")
		e.chain.advance(6)
		ev := e.chain.duplicateVote(0, 6) // the pool's state is still at 5
		e.receive(peer, toProto(t, ev))
		if err := e.sw.stopErr(peer.id); !errors.Is(err, types.ErrInvalidEvidence) {
			t.Fatalf("stop error %v, want ErrInvalidEvidence", err)
		}
	})
}

func TestReceiveMalformedStopsPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 5)
		defer e.stop()
		good := toProto(t, e.chain.duplicateVote(0, 3))
		for _, tc := range []struct {
			name string
			msg  proto.Message
		}{
			{"nil sum", &tmproto.EvidenceList{Evidence: []tmproto.Evidence{*good, {}}}},
			{"other type", &mempoolpb.Message{}},
		} {
			peer := newFakePeer(tc.name)
			e.r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: tc.msg})
			if err := e.sw.stopErr(peer.id); !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: stop error %v, want ErrMalformed", tc.name, err)
			}
		}
		if e.pool.Size() != 0 {
			t.Fatal("evidence of a malformed list was added")
		}
	})
}

func TestSentOnlyOncePeerHasCommittedTheHeight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 8)
		ev := e.chain.duplicateVote(0, 4)
		e.addPending(ev)
		peer := newFakePeer("a")
		e.r.AddPeer(peer)
		for _, h := range []int64{0, 3, 4} { // not yet committed height 4
			e.heights.set(peer.id, h)
			synctest.Wait()
			if got := peer.received(t); len(got) != 0 {
				t.Fatalf("peer at height %d got %v", h, got)
			}
		}
		e.heights.set(peer.id, 5)
		synctest.Wait()
		if got := peer.received(t); !slices.Equal(got, hashes(ev)) {
			t.Fatalf("peer at height 5 got %v", got)
		}
		e.heights.set(peer.id, 6) // nothing new to send
		e.addPending(e.chain.duplicateVote(1, 7))
		synctest.Wait()
		if got := peer.received(t); len(got) != 1 {
			t.Fatalf("got %d messages, want 1 (evidence at 7 waits for height 8)", len(got))
		}
		e.stop()
	})
}

func TestTooOldForPeerIsSkipped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 20)
		old, recent := e.chain.duplicateVote(0, 15), e.chain.duplicateVote(1, 19)
		e.addPending(old, recent)
		peer := newFakePeer("a")
		e.heights.set(peer.id, 26) // max_age_num_blocks 10: 26-15 > 10
		e.r.AddPeer(peer)
		synctest.Wait()
		e.stop()
		if got := peer.received(t); !slices.Equal(got, hashes(recent)) {
			t.Fatalf("peer got %v, want only the recent evidence", got)
		}
	})
}

func TestCommittedWhileWaitingIsNotSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 8)
		ev := e.chain.duplicateVote(0, 4)
		e.addPending(ev)
		peer := newFakePeer("a")
		e.r.AddPeer(peer) // height 0: waits
		synctest.Wait()
		e.pool.Update(e.chain.advance(9), types.EvidenceList{ev})
		e.heights.set(peer.id, 9)
		synctest.Wait()
		e.stop()
		if got := peer.received(t); len(got) != 0 {
			t.Fatalf("committed evidence sent: %v", got)
		}
	})
}

func TestRebroadcast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 8)
		ev := e.chain.duplicateVote(0, 4)
		e.addPending(ev)
		peer := newFakePeer("a")
		peer.failNext = 1 // the first send fails: the rebroadcast makes up for it
		e.heights.set(peer.id, 8)
		e.r.AddPeer(peer)
		synctest.Wait()
		if got := peer.received(t); len(got) != 0 {
			t.Fatalf("got %v after a failed send", got)
		}
		time.Sleep(DefaultRebroadcastInterval)
		synctest.Wait()
		if got := peer.received(t); !slices.Equal(got, hashes(ev)) {
			t.Fatalf("after %v got %v", DefaultRebroadcastInterval, got)
		}
		time.Sleep(DefaultRebroadcastInterval) // still pending: offered again
		synctest.Wait()
		if got := peer.received(t); len(got) != 2 {
			t.Fatalf("after 2 intervals got %d messages, want 2", len(got))
		}
		e.pool.Update(e.chain.advance(9), types.EvidenceList{ev})
		time.Sleep(2 * DefaultRebroadcastInterval) // committed: no more
		synctest.Wait()
		e.stop()
		if got := peer.received(t); len(got) != 2 {
			t.Fatalf("committed evidence rebroadcast: %d messages", len(got))
		}
	})
}

func TestPeerStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 8)
		a, b := newFakePeer("a"), newFakePeer("b")
		e.heights.set(a.id, 9)
		e.heights.set(b.id, 9)
		e.r.AddPeer(a)
		e.r.AddPeer(b)
		synctest.Wait()
		close(a.done)
		e.r.RemovePeer(b, nil)
		synctest.Wait()
		e.addPending(e.chain.duplicateVote(0, 4))
		synctest.Wait()
		if len(a.received(t)) != 0 || len(b.received(t)) != 0 {
			t.Fatal("a stopped peer got evidence")
		}
		e.stop()
		e.r.AddPeer(newFakePeer("late")) // after Run: no goroutine
	})
}
