package blockstore

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	dbm "github.com/cometbft/cometbft-db"

	tmstore "github.com/ballot-bft/ballot/proto/tendermint/store"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestCorruptValues(t *testing.T) {
	chain := testChain(t, 3, multiPart)
	garbage := []byte{0xff, 0xff, 0xff}
	// A well-formed part of another block at the place of block 1's part.
	foreignPart, err := chain[1].parts.GetPart(0).ToProto()
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := foreignPart.Marshal()
	// Block 2's meta at height 1: decodes, but names another block.
	otherMeta, _ := chain[1].blockMeta().ToProto().Marshal()
	cases := []struct {
		name string
		key  []byte
		val  []byte
		load func(bs *BlockStore) error
	}{
		{"meta", metaKey(1), garbage, func(bs *BlockStore) error { _, err := bs.LoadBlockMeta(1); return err }},
		{"meta with a wrong block ID", metaKey(1), badMeta(t, chain), func(bs *BlockStore) error { _, err := bs.LoadBlockMeta(1); return err }},
		{"part", partKey(1, 0), garbage, func(bs *BlockStore) error { _, err := bs.LoadBlock(1); return err }},
		{"part of another block", partKey(1, 0), foreign, func(bs *BlockStore) error { _, err := bs.LoadBlock(1); return err }},
		{"part under the wrong index", partKey(2, 1), foreign, func(bs *BlockStore) error { _, err := bs.LoadBlockPart(2, 1); return err }},
		{"meta of another block", metaKey(1), otherMeta, func(bs *BlockStore) error { _, err := bs.LoadBlock(1); return err }},
		{"block commit", commitKey(1), garbage, func(bs *BlockStore) error { _, err := bs.LoadBlockCommit(1); return err }},
		{"seen commit", seenCommitKey(1), garbage, func(bs *BlockStore) error { _, err := bs.LoadSeenCommit(1); return err }},
		{"extended commit", extCommitKey(1), garbage, func(bs *BlockStore) error { _, err := bs.LoadBlockExtendedCommit(1); return err }},
		{"hash index", hashKey(chain[0].id.Hash), []byte("one"), func(bs *BlockStore) error { _, err := bs.LoadBlockByHash(chain[0].id.Hash); return err }},
		{"hash index to another height", hashKey(chain[0].id.Hash), []byte("2"), func(bs *BlockStore) error { _, err := bs.LoadBlockByHash(chain[0].id.Hash); return err }},
		{"store state", storeStateKey, garbage, func(bs *BlockStore) error { _, err := New(bs.db); return err }},
		{"inconsistent store state", storeStateKey, mustMarshal(t, &tmstore.BlockStoreState{Base: 9, Height: 3}),
			func(bs *BlockStore) error { _, err := New(bs.db); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bs, db := newStore(t)
			saveAll(t, bs, chain)
			if err := db.Set(tc.key, tc.val); err != nil {
				t.Fatal(err)
			}
			err := tc.load(bs)
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("error %v, want ErrCorrupted", err)
			}
			if want := fmt.Sprintf("%q", tc.key); !strings.Contains(err.Error(), want) &&
				!strings.Contains(err.Error(), fmt.Sprintf("%q", partKey(1, 0))) {
				t.Fatalf("error %q does not name the key %s", err, want)
			}
		})
	}
}

// badMeta returns block 1's meta with a block ID hash that is not its header's.
func badMeta(t *testing.T, chain []chainBlock) []byte {
	t.Helper()
	pb := chain[0].blockMeta().ToProto()
	pb.BlockID.Hash = make([]byte, 32)
	return mustMarshal(t, pb)
}

func mustMarshal(t *testing.T, m marshalerT) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// TestConcurrentReaders runs readers against a saving writer: whenever a reader sees a height,
// the block at that height loads completely (it was durable and visible at once).
func TestConcurrentReaders(t *testing.T) {
	chain := testChain(t, 40, multiPart)
	bs, _ := newStore(t)
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 4)
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				h := bs.Height()
				if h == 0 {
					continue
				}
				// A load may only fail because a concurrent prune removed the height meanwhile.
				prunedSince := func(err error) bool { return errors.Is(err, ErrNotFound) && h < bs.Base() }
				b, err := bs.LoadBlock(h)
				if err != nil {
					if prunedSince(err) {
						continue
					}
					errs <- fmt.Errorf("height %d visible but LoadBlock: %w", h, err)
					return
				}
				if b.Height != h {
					errs <- fmt.Errorf("LoadBlock(%d) returned height %d", h, b.Height)
					return
				}
				if base := bs.Base(); base > 0 {
					if _, err := bs.LoadBlockMeta(h); err != nil && !prunedSince(err) {
						errs <- fmt.Errorf("height %d visible but LoadBlockMeta: %w", h, err)
						return
					}
				}
			}
		}()
	}
	for i, b := range chain {
		if err := bs.SaveBlock(b.block, b.parts, b.seen); err != nil {
			t.Fatal(err)
		}
		if i == 30 {
			if _, _, err := bs.PruneBlocks(20, expiredWindow); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// blockMeta returns the meta the store keeps for b.
func (b chainBlock) blockMeta() *types.BlockMeta {
	return types.NewBlockMeta(b.block, b.parts)
}

// FuzzLoadBlockMeta feeds arbitrary bytes stored as block 1's meta to the loads that read it:
// they must return a value or an error, never panic.
func FuzzLoadBlockMeta(f *testing.F) {
	chain := testChain(f, 2, noTxs)
	for _, b := range chain {
		bz, err := b.blockMeta().ToProto().Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, bz []byte) {
		db := dbm.NewMemDB()
		bs, err := New(db)
		if err != nil {
			t.Fatal(err)
		}
		saveAll(t, bs, chain[:1])
		if len(bz) > 0 {
			if err := db.Set(metaKey(1), bz); err != nil {
				t.Fatal(err)
			}
		}
		meta, err := bs.LoadBlockMeta(1)
		if err == nil {
			if err := meta.ValidateBasic(); err != nil {
				t.Fatalf("loaded an invalid meta: %v", err)
			}
		}
		_, _ = bs.LoadBlock(1)
		_, _ = bs.LoadBlockByHash(chain[0].id.Hash)
		_ = bs.DeleteLatestBlock()
	})
}

// FuzzLoadBlockPart feeds arbitrary bytes stored as block 1's only part and as the store state.
func FuzzLoadBlockPart(f *testing.F) {
	chain := testChain(f, 1, noTxs)
	pb, err := chain[0].parts.GetPart(0).ToProto()
	if err != nil {
		f.Fatal(err)
	}
	bz, _ := pb.Marshal()
	f.Add(bz)
	var block tmproto.Block
	f.Add(mustMarshalF(f, &block))
	f.Fuzz(func(t *testing.T, bz []byte) {
		db := dbm.NewMemDB()
		bs, err := New(db)
		if err != nil {
			t.Fatal(err)
		}
		saveAll(t, bs, chain)
		if len(bz) > 0 {
			if err := db.Set(partKey(1, 0), bz); err != nil {
				t.Fatal(err)
			}
			if err := db.Set(storeStateKey, bz); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := bs.LoadBlock(1); err == nil && !b.HashesTo(chain[0].id.Hash) {
			t.Fatal("loaded a block with another hash")
		}
		_, _ = bs.LoadBlockPart(1, 0)
		_, _ = New(db)
	})
}

func mustMarshalF(f *testing.F, m marshalerT) []byte {
	bz, err := m.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	return bz
}
