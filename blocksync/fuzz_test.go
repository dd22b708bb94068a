package blocksync

import (
	"errors"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/p2p"
	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
)

// FuzzReceive feeds whatever decodes as a blocksync Message to a serving reactor: the peer is
// stopped only for ErrMalformed or ErrUnsolicited, and nothing panics. The message checks and the
// block decoding run on every input.
func FuzzReceive(f *testing.F) {
	source := sourceChain(f, 2, 3, 2)
	serve := honest(f, source)
	for _, m := range []*bcproto.Message{
		blockRequest(2).Message.(*bcproto.Message),
		statusRequest().Message.(*bcproto.Message),
		statusResponse(1, 10).Message.(*bcproto.Message),
		noBlockResponse(4).Message.(*bcproto.Message),
		serve(blockRequest(2).Message.(*bcproto.Message))[0],
		serve(blockRequest(3).Message.(*bcproto.Message))[0],
	} {
		bz, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		var msg bcproto.Message
		if err := proto.Unmarshal(bz, &msg); err != nil {
			return
		}
		if err := checkMessage(&msg); err == nil {
			if res := msg.GetBlockResponse(); res != nil {
				if _, _, err := decodeBlockResponse(res); err != nil && !errors.Is(err, ErrMalformed) {
					t.Fatalf("decode error %v does not wrap ErrMalformed", err)
				}
			}
		}
		sw := newFakeSwitch()
		r, err := New(DefaultConfig(), source.st, false, Deps{Switch: sw, BlockStore: source.blocks, StateStore: source.states})
		if err != nil {
			t.Fatal(err)
		}
		peer := newFakePeer("f")
		r.AddPeer(peer)
		r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: &msg})
		r.RemovePeer(peer, nil)
		r.shutdown()
		if err := sw.stopErr(peer.id); err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsolicited) {
			t.Fatalf("stopped for %v", err)
		}
	})
}
