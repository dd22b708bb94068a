package reactor

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
)

// FuzzReceive feeds whatever decodes as a mempool Message to Receive: it must either stop the
// peer for a malformed message or hand every transaction to the pool, and never panic.
func FuzzReceive(f *testing.F) {
	for _, seed := range []string{"0a040a026162", "0a00", "", "0a0a0a03613d310a03623d32", "0a020a00"} {
		bz, _ := hexBytes(seed)
		f.Add(bz)
	}
	cfg := config.TestMempoolConfig()
	cfg.MaxTxBytes = 64
	f.Fuzz(func(t *testing.T, bz []byte) {
		var msg mempoolpb.Message
		if err := proto.Unmarshal(bz, &msg); err != nil {
			return
		}
		app := client.NewLocalClient(nil, kvstore.NewInMemoryApplication(kvstore.Options{}))
		pool, err := mempool.NewPool(cfg, app, 1)
		if err != nil {
			t.Fatal(err)
		}
		sw := newFakeSwitch()
		r := New(cfg, pool, sw)
		peer := newFakePeer("f")
		r.Receive(p2p.Envelope{Src: peer, ChannelID: Channel, Message: &msg})
		stopErr := sw.stopErr(peer.id)
		txs := msg.GetTxs().GetTxs()
		switch {
		case stopErr != nil && !errors.Is(stopErr, ErrMalformed):
			t.Fatalf("stopped for %v", stopErr)
		case stopErr != nil && pool.Size() != 0:
			t.Fatal("malformed message reached the pool")
		case stopErr == nil && len(txs) == 0:
			t.Fatal("empty message accepted")
		case stopErr == nil && pool.Size() > len(txs):
			t.Fatalf("%d txs in the pool from a message of %d", pool.Size(), len(txs))
		}
	})
}

func hexBytes(s string) ([]byte, error) { return hex.DecodeString(s) }
