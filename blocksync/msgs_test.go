package blocksync

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	bcproto "github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// p2p.md §8 vectors.
func TestMessageVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  *bcproto.Message
		hex  string
	}{
		{"BlockRequest{7}", blockRequest(7).Message.(*bcproto.Message), "0a020807"},
		{"StatusRequest", statusRequest().Message.(*bcproto.Message), "2200"},
		{"StatusResponse{10,1}", statusResponse(1, 10).Message.(*bcproto.Message), "2a04080a1001"},
	} {
		bz, err := proto.Marshal(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(bz); got != tc.hex {
			t.Errorf("%s encodes to %s, want %s", tc.name, got, tc.hex)
		}
	}
}

func TestCheckMessage(t *testing.T) {
	sigs := func(n int) []tmproto.CommitSig { return make([]tmproto.CommitSig, n) }
	extSigs := func(n int) []tmproto.ExtendedCommitSig { return make([]tmproto.ExtendedCommitSig, n) }
	response := func(res *bcproto.BlockResponse) *bcproto.Message {
		return &bcproto.Message{Sum: &bcproto.Message_BlockResponse{BlockResponse: res}}
	}
	for _, tc := range []struct {
		name string
		msg  *bcproto.Message
		ok   bool
	}{
		{"block request 0", blockRequest(0).Message.(*bcproto.Message), true},
		{"block request -1", blockRequest(-1).Message.(*bcproto.Message), false},
		{"no block -1", noBlockResponse(-1).Message.(*bcproto.Message), false},
		{"status empty store", statusResponse(0, 0).Message.(*bcproto.Message), true},
		{"status base above height", statusResponse(5, 4).Message.(*bcproto.Message), false},
		{"status negative base", statusResponse(-1, 4).Message.(*bcproto.Message), false},
		{"status negative height", statusResponse(0, -4).Message.(*bcproto.Message), false},
		{"status request", statusRequest().Message.(*bcproto.Message), true},
		{"no sum", &bcproto.Message{}, false},
		{"response without block", response(&bcproto.BlockResponse{}), false},
		{"10000 commit sigs", response(&bcproto.BlockResponse{Block: &tmproto.Block{LastCommit: &tmproto.Commit{Signatures: sigs(10000)}}}), true},
		{"10001 commit sigs", response(&bcproto.BlockResponse{Block: &tmproto.Block{LastCommit: &tmproto.Commit{Signatures: sigs(10001)}}}), false},
		{"10001 extended sigs", response(&bcproto.BlockResponse{Block: &tmproto.Block{}, ExtCommit: &tmproto.ExtendedCommit{ExtendedSignatures: extSigs(10001)}}), false},
	} {
		err := checkMessage(tc.msg)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v does not wrap ErrMalformed", tc.name, err)
		}
	}
	if types.MaxVotesCount != 10000 {
		t.Fatalf("MaxVotesCount %d", types.MaxVotesCount)
	}
}

func TestChannelDescriptor(t *testing.T) {
	source := sourceChain(t, 1, 2, 0)
	r, err := New(DefaultConfig(), source.st, false, Deps{Switch: newFakeSwitch(), BlockStore: source.blocks, StateStore: source.states})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Channels()[0]
	// p2p.md §6: 0x40, priority 5, queue 1000, recv buffer 204800, 104857600+5.
	if d.ID != 0x40 || d.Priority != 5 || d.SendQueueCapacity != 1000 || d.RecvBufferCapacity != 204800 || d.RecvMessageCapacity != 104857605 {
		t.Fatalf("descriptor %+v", d.ChannelDescriptor)
	}
	if _, ok := d.MessageType.(*bcproto.Message); !ok {
		t.Fatalf("message type %T", d.MessageType)
	}
}
