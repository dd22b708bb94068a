package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/types"
)

// testHome writes a one-validator home directory and returns its config.
func testHome(t *testing.T) *config.Config {
	t.Helper()
	cfg := config.TestConfig().SetRoot(t.TempDir())
	cfg.DBBackend = "goleveldb"
	cfg.ProxyApp = "persistent_kvstore"
	if err := config.EnsureRoot(cfg.RootDir); err != nil {
		t.Fatal(err)
	}
	pv := privval.GenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	if err := pv.Save(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile()); err != nil {
		t.Fatal(err)
	}
	pub, err := pv.PubKey()
	if err != nil {
		t.Fatal(err)
	}
	doc := &types.GenesisDoc{
		ChainID:         "node-test",
		GenesisTime:     time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		ConsensusParams: types.DefaultConsensusParams(),
		Validators:      []types.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10}},
	}
	if err := doc.SaveAs(cfg.GenesisFile()); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runUntil runs a node on cfg until it has committed height, then stops it cleanly and returns
// the hash of every block it knows of, by height.
func runUntil(t *testing.T, cfg *config.Config, height int64) map[int64]string {
	t.Helper()
	n, err := New(cfg, log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a bound, not a wait
	defer cancel()
	sub, err := n.EventBus().Subscribe(ctx, "test", types.EventQueryNewBlock, 100)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	for reached := false; !reached; {
		select {
		case msg := <-sub.Out():
			data := msg.Data().(types.EventDataNewBlock)
			reached = data.Block.Height >= height
		case err := <-done:
			t.Fatalf("node stopped before height %d: %v", height, err)
		case <-ctx.Done():
			t.Fatalf("no height %d within the bound", height)
		}
	}
	hashes := map[int64]string{}
	bs := n.BlockStore()
	for h := bs.Base(); h <= bs.Height(); h++ {
		meta, err := bs.LoadBlockMeta(h)
		if err != nil {
			t.Fatal(err)
		}
		hashes[h] = meta.BlockID.Hash.String()
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("node did not stop cleanly: %v", err)
	}
	return hashes
}

// A single validator makes blocks, stops cleanly, and continues the same chain after a restart.
func TestSingleValidatorMakesBlocksAndRestarts(t *testing.T) {
	cfg := testHome(t)
	first := runUntil(t, cfg, 3)
	second := runUntil(t, cfg, int64(len(first))+3)
	for h, hash := range first {
		if second[h] != hash {
			t.Fatalf("block %d changed across the restart: %s then %s", h, hash, second[h])
		}
	}
	if len(second) < len(first)+3 {
		t.Fatalf("the restarted node made %d new blocks, want at least 3", len(second)-len(first))
	}
}
