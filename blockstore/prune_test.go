package blockstore

import (
	"errors"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/types"
)

// expiredWindow lets every block of the test chains expire.
var expiredWindow = EvidenceWindow{
	Height: 1 << 40, Time: testGenesisTime.Add(1000 * time.Hour),
	Params: types.EvidenceParams{MaxAgeNumBlocks: 1, MaxAgeDuration: time.Second},
}

func TestPruneBlocks(t *testing.T) {
	chain := testChain(t, 10, multiPart)
	bs, db := newStore(t)
	saveAll(t, bs, chain)
	if err := bs.SaveBlockWithExtendedCommit(chain[0].block, chain[0].parts, chain[0].extended); err == nil {
		t.Fatal("saved height 1 again")
	}

	pruned, evidencePoint, err := bs.PruneBlocks(6, expiredWindow)
	if err != nil {
		t.Fatal(err)
	}
	if pruned != 5 || evidencePoint != 6 || bs.Base() != 6 || bs.Height() != 10 || bs.Size() != 5 {
		t.Fatalf("pruned %d, evidence point %d, base %d, height %d", pruned, evidencePoint, bs.Base(), bs.Height())
	}
	for h := int64(1); h <= 5; h++ {
		if _, err := bs.LoadBlock(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadBlock(%d) after pruning: %v", h, err)
		}
		if _, err := bs.LoadBlockMeta(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadBlockMeta(%d) after pruning: %v", h, err)
		}
		if _, err := bs.LoadBlockByHash(chain[h-1].id.Hash); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadBlockByHash(%d) after pruning: %v", h, err)
		}
		if _, err := bs.LoadBlockCommit(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadBlockCommit(%d) after pruning: %v", h, err)
		}
		if _, err := bs.LoadSeenCommit(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadSeenCommit(%d) after pruning: %v", h, err)
		}
		if has, _ := db.Has(partKey(h, 0)); has {
			t.Errorf("part 0 of %d left", h)
		}
	}
	if has, _ := db.Has(partKey(2, 2)); has {
		t.Error("part 2 of the multi-part block left")
	}
	for h := int64(6); h <= 10; h++ {
		checkBlock(t, bs, h, chain[h-1])
	}
	// The new base survives a reopen.
	reopened, err := New(db)
	if err != nil || reopened.Base() != 6 || reopened.Height() != 10 {
		t.Fatalf("reopened after pruning: base %d height %d, %v", reopened.Base(), reopened.Height(), err)
	}

	for name, retain := range map[string]int64{"zero": 0, "below base": 5, "above height": 11} {
		if _, _, err := bs.PruneBlocks(retain, expiredWindow); err == nil {
			t.Errorf("%s retain height accepted", name)
		}
	}
	// Pruning to the base is a no-op.
	if n, point, err := bs.PruneBlocks(6, expiredWindow); err != nil || n != 0 || point != 6 {
		t.Fatalf("prune to the base: %d %d %v", n, point, err)
	}
}

func TestPruneBlocksKeepsEvidenceHeaders(t *testing.T) {
	chain := testChain(t, 10, noTxs)
	bs, _ := newStore(t)
	saveAll(t, bs, chain)
	// Evidence of heights ≥ 7 has not expired by block count (10 - h ≤ 3).
	window := EvidenceWindow{
		Height: 10, Time: testGenesisTime.Add(time.Hour),
		Params: types.EvidenceParams{MaxAgeNumBlocks: 3, MaxAgeDuration: time.Second},
	}
	pruned, evidencePoint, err := bs.PruneBlocks(9, window)
	if err != nil {
		t.Fatal(err)
	}
	if pruned != 8 || evidencePoint != 7 || bs.Base() != 9 {
		t.Fatalf("pruned %d, evidence point %d, base %d", pruned, evidencePoint, bs.Base())
	}
	for h := int64(1); h <= 8; h++ {
		_, metaErr := bs.LoadBlockMeta(h)
		_, commitErr := bs.LoadBlockCommit(h)
		if h >= 7 {
			if metaErr != nil || commitErr != nil {
				t.Errorf("height %d is within the evidence window: meta %v, commit %v", h, metaErr, commitErr)
			}
		} else if !errors.Is(metaErr, ErrNotFound) || !errors.Is(commitErr, ErrNotFound) {
			t.Errorf("height %d: meta %v, commit %v, want both gone", h, metaErr, commitErr)
		}
		if _, err := bs.LoadBlock(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadBlock(%d): %v, want the parts gone", h, err)
		}
		if _, err := bs.LoadSeenCommit(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadSeenCommit(%d): %v", h, err)
		}
	}
	// The zero window expires nothing: every header is kept.
	bs2, _ := newStore(t)
	saveAll(t, bs2, chain)
	if _, point, err := bs2.PruneBlocks(5, EvidenceWindow{}); err != nil || point != 1 {
		t.Fatalf("zero window: evidence point %d, %v", point, err)
	}
	if _, err := bs2.LoadBlockMeta(1); err != nil {
		t.Fatalf("zero window pruned a header: %v", err)
	}
}

func TestPruneBlocksInBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("saves 1010 blocks")
	}
	chain := testChain(t, 1010, noTxs)
	bs, _ := newStore(t)
	saveAll(t, bs, chain)
	pruned, _, err := bs.PruneBlocks(1005, expiredWindow)
	if err != nil || pruned != 1004 || bs.Base() != 1005 {
		t.Fatalf("pruned %d, base %d, %v", pruned, bs.Base(), err)
	}
	for _, h := range []int64{1, 999, 1000, 1001, 1004} {
		if _, err := bs.LoadBlockMeta(h); !errors.Is(err, ErrNotFound) {
			t.Errorf("LoadBlockMeta(%d): %v", h, err)
		}
	}
	checkBlock(t, bs, 1005, chain[1004])
}

func TestDeleteLatestBlock(t *testing.T) {
	chain := testChain(t, 3, multiPart)
	bs, db := newStore(t)
	if err := bs.DeleteLatestBlock(); err == nil {
		t.Fatal("deleted from an empty store")
	}
	saveAll(t, bs, chain[:2])
	if err := bs.SaveBlockWithExtendedCommit(chain[2].block, chain[2].parts, chain[2].extended); err != nil {
		t.Fatal(err)
	}
	if err := bs.DeleteLatestBlock(); err != nil {
		t.Fatal(err)
	}
	if bs.Height() != 2 || bs.Base() != 1 {
		t.Fatalf("after delete: base %d height %d", bs.Base(), bs.Height())
	}
	for _, key := range [][]byte{metaKey(3), partKey(3, 0), seenCommitKey(3), extCommitKey(3), hashKey(chain[2].id.Hash)} {
		if has, _ := db.Has(key); has {
			t.Errorf("key %q left after deleting block 3", key)
		}
	}
	checkBlock(t, bs, 2, chain[1])
	if reopened, err := New(db); err != nil || reopened.Height() != 2 {
		t.Fatalf("reopened after delete: %v", err)
	}
	// The block can be saved again.
	if err := bs.SaveBlock(chain[2].block, chain[2].parts, chain[2].seen); err != nil {
		t.Fatal(err)
	}
	checkBlock(t, bs, 3, chain[2])

	// A block whose meta is corrupted is still deleted with all its parts (block 2 has 3).
	if err := bs.DeleteLatestBlock(); err != nil {
		t.Fatal(err)
	}
	if err := db.Set(metaKey(2), []byte{0xff}); err != nil {
		t.Fatal(err)
	}
	if err := bs.DeleteLatestBlock(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if has, _ := db.Has(partKey(2, i)); has {
			t.Errorf("part %d of the corrupted block left", i)
		}
	}
	if has, _ := db.Has(metaKey(2)); has || bs.Height() != 1 {
		t.Fatalf("corrupted meta left: %v, height %d", has, bs.Height())
	}
	if err := bs.DeleteLatestBlock(); err != nil || bs.Size() != 0 || !bs.IsEmpty() {
		t.Fatalf("deleting the last block: %v, size %d", err, bs.Size())
	}
	if err := bs.DeleteLatestBlock(); err == nil {
		t.Fatal("deleted below the base")
	}
	// An emptied store takes the same chain again from its base.
	saveAll(t, bs, chain)
	checkBlock(t, bs, 3, chain[2])
}
