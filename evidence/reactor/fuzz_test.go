package reactor

import (
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/evidence"

	"github.com/ballot-bft/ballot/p2p"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// FuzzReceive feeds whatever decodes as an EvidenceList to Receive over a real pool: the peer is
// either stopped for malformed or invalid evidence, or not stopped, and nothing panics.
func FuzzReceive(f *testing.F) {
	c := newChain(f, 5)
	valid, err := proto.Marshal(&tmproto.EvidenceList{Evidence: []tmproto.Evidence{*mustProto(f, c.duplicateVote(0, 3))}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0x00})
	f.Add(valid[:len(valid)/2])
	f.Fuzz(func(t *testing.T, bz []byte) {
		var list tmproto.EvidenceList
		if err := proto.Unmarshal(bz, &list); err != nil {
			return
		}
		sw := newFakeSwitch()
		pool, err := evidence.NewPool(dbm.NewMemDB(), c, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(pool, sw, newFakeHeights())
		if err != nil {
			t.Fatal(err)
		}
		peer := newFakePeer("f")
		r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: &list})
		if err := sw.stopErr(peer.id); err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, types.ErrInvalidEvidence) {
			t.Fatalf("stopped for %v", err)
		}
		if pool.Size() > len(list.Evidence) {
			t.Fatalf("%d pending from a list of %d", pool.Size(), len(list.Evidence))
		}
	})
}

func mustProto(t testing.TB, ev types.Evidence) *tmproto.Evidence {
	pb, err := types.EvidenceToProto(ev)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}
