package blocksync

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/p2p"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
)

// serveEnv is a serving-only reactor over a source chain.
type serveEnv struct {
	sw     *fakeSwitch
	r      *Reactor
	cancel context.CancelFunc
	runErr chan error
}

func newServeEnv(t *testing.T, source *chainNode) *serveEnv {
	t.Helper()
	sw := newFakeSwitch()
	r, err := New(DefaultConfig(), source.st, false, Deps{Switch: sw, BlockStore: source.blocks, StateStore: source.states})
	if err != nil {
		t.Fatal(err)
	}
	sw.reactor = r
	ctx, cancel := context.WithCancel(context.Background())
	e := &serveEnv{sw: sw, r: r, cancel: cancel, runErr: make(chan error, 1)}
	go func() { e.runErr <- r.Run(ctx) }()
	return e
}

func (e *serveEnv) stop(t *testing.T) {
	e.cancel()
	if err := <-e.runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func (e *serveEnv) send(from p2p.Peer, msg *bcproto.Message) {
	e.r.Receive(p2p.Envelope{Src: from, ChannelID: Channel, Message: msg})
}

func TestServeStatusAndBlocks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		extHeight int64
	}{{"no extensions", 0}, {"extensions from 3", 3}} {
		t.Run(tc.name, func(t *testing.T) {
			source := sourceChain(t, 2, 5, tc.extHeight)
			synctest.Test(t, func(t *testing.T) {
				e := newServeEnv(t, source)
				defer e.stop(t)
				if _, ok := e.r.Result(); !ok {
					t.Fatal("a serving-only reactor is not done")
				}
				peer := newFakePeer("a")
				e.sw.connect(peer)
				synctest.Wait()
				// On connect: our range.
				if s := peer.next(t).GetStatusResponse(); s == nil || s.Base != 1 || s.Height != 5 {
					t.Fatalf("first message %v, want StatusResponse{5, 1}", s)
				}
				e.send(peer, statusRequest().Message.(*bcproto.Message))
				for h := int64(1); h <= 6; h++ {
					e.send(peer, blockRequest(h).Message.(*bcproto.Message))
				}
				synctest.Wait()
				if s := peer.next(t).GetStatusResponse(); s == nil || s.Height != 5 {
					t.Fatalf("answer to StatusRequest %v", s)
				}
				for h := int64(1); h <= 5; h++ {
					res := peer.next(t).GetBlockResponse()
					if res == nil {
						t.Fatalf("no block response for %d", h)
					}
					block, ext, err := decodeBlockResponse(res)
					if err != nil {
						t.Fatal(err)
					}
					stored, _ := source.blocks.LoadBlock(h)
					if block.Height != h || string(block.Hash()) != string(stored.Hash()) {
						t.Fatalf("height %d: served block %d %X", h, block.Height, block.Hash())
					}
					wantExt := tc.extHeight != 0 && h >= tc.extHeight
					if (ext != nil) != wantExt {
						t.Fatalf("height %d: extended commit sent %v, want %v", h, ext != nil, wantExt)
					}
					if wantExt {
						storedExt, _ := source.blocks.LoadBlockExtendedCommit(h)
						if ext.BlockID.Key() != storedExt.BlockID.Key() || len(ext.ExtendedSignatures) != 2 {
							t.Fatalf("height %d: wrong extended commit", h)
						}
					}
				}
				if nb := peer.next(t).GetNoBlockResponse(); nb == nil || nb.Height != 6 {
					t.Fatalf("answer for a missing block %v, want NoBlockResponse{6}", nb)
				}
				if err := e.sw.stopErr(peer.id); err != nil {
					t.Fatalf("peer stopped: %v", err)
				}
			})
		})
	}
}

func TestServingReactorRefusesBlocksAndBadMessages(t *testing.T) {
	source := sourceChain(t, 2, 5, 0)
	synctest.Test(t, func(t *testing.T) {
		e := newServeEnv(t, source)
		defer e.stop(t)
		served := honest(t, source)
		block := served(blockRequest(2).Message.(*bcproto.Message))[0]
		for _, tc := range []struct {
			name string
			msg  any
			want error
		}{
			{"block while not syncing", block, ErrUnsolicited},
			{"negative request", blockRequest(-3).Message, ErrMalformed},
			{"base above height", statusResponse(9, 3).Message, ErrMalformed},
			{"wrong type", &mempoolpb.Message{}, ErrMalformed},
		} {
			peer := newFakePeer(tc.name)
			e.sw.connect(peer)
			msg, _ := tc.msg.(*bcproto.Message)
			if msg == nil {
				e.r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: tc.msg.(*mempoolpb.Message)})
			} else {
				e.send(peer, msg)
			}
			if err := e.sw.stopErr(peer.id); !errors.Is(err, tc.want) {
				t.Errorf("%s: stop error %v, want %v", tc.name, err, tc.want)
			}
		}
		// Status and no-block answers are harmless to a serving reactor.
		peer := newFakePeer("fine")
		e.sw.connect(peer)
		e.send(peer, statusResponse(1, 100).Message.(*bcproto.Message))
		e.send(peer, noBlockResponse(3).Message.(*bcproto.Message))
		if err := e.sw.stopErr(peer.id); err != nil {
			t.Fatalf("stopped for %v", err)
		}
		synctest.Wait()
	})
}

func TestServeAfterPeerLeaves(t *testing.T) {
	source := sourceChain(t, 2, 5, 0)
	synctest.Test(t, func(t *testing.T) {
		e := newServeEnv(t, source)
		peer := newFakePeer("a")
		e.sw.connect(peer)
		synctest.Wait()
		peer.drain(t)
		e.r.RemovePeer(peer, errors.New("gone"))
		e.send(peer, blockRequest(1).Message.(*bcproto.Message)) // no server any more: dropped
		synctest.Wait()
		if msgs := peer.drain(t); len(msgs) != 0 {
			t.Fatalf("removed peer got %v", msgs)
		}
		e.stop(t)
		e.r.AddPeer(newFakePeer("late")) // after Run: nothing starts
	})
}
