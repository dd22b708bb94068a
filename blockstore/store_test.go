package blockstore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmstore "github.com/ballot-bft/ballot/proto/tendermint/store"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
	"github.com/ballot-bft/ballot/types"
)

// multiPart makes block 2 span three parts.
func multiPart(h int64) int {
	if h == 2 {
		return 2*int(types.BlockPartSizeBytes) + 1000
	}
	return 100
}

func backends(t *testing.T, test func(t *testing.T, open func() *BlockStore)) {
	t.Run("memdb", func(t *testing.T) {
		db := dbm.NewMemDB()
		test(t, func() *BlockStore {
			bs, err := New(db)
			if err != nil {
				t.Fatal(err)
			}
			return bs
		})
	})
	t.Run("goleveldb", func(t *testing.T) {
		dir := t.TempDir()
		test(t, func() *BlockStore {
			db, err := dbm.NewGoLevelDB("blockstore", dir)
			if err != nil {
				t.Fatal(err)
			}
			bs, err := New(db)
			if err != nil {
				t.Fatal(err)
			}
			return bs
		})
	})
}

func TestSaveAndLoad(t *testing.T) {
	chain := testChain(t, 3, multiPart)
	if chain[1].parts.Total() != 3 {
		t.Fatalf("block 2 has %d parts, want 3", chain[1].parts.Total())
	}
	backends(t, func(t *testing.T, open func() *BlockStore) {
		bs := open()
		defer bs.Close()
		if bs.Base() != 0 || bs.Height() != 0 || bs.Size() != 0 || !bs.IsEmpty() {
			t.Fatalf("new store: base %d height %d size %d", bs.Base(), bs.Height(), bs.Size())
		}
		if _, err := bs.LoadBaseMeta(); !errors.Is(err, ErrNotFound) {
			t.Fatalf("base meta of an empty store: %v", err)
		}
		saveAll(t, bs, chain)
		if bs.Base() != 1 || bs.Height() != 3 || bs.Size() != 3 || bs.IsEmpty() {
			t.Fatalf("base %d height %d size %d", bs.Base(), bs.Height(), bs.Size())
		}
		for i, want := range chain {
			h := int64(i + 1)
			checkBlock(t, bs, h, want)
		}
		// The commit of height h comes with block h+1; the top one is only a seen commit.
		for h := int64(1); h <= 2; h++ {
			got, err := bs.LoadBlockCommit(h)
			if err != nil || !sameProto(t, got.ToProto(), chain[h].block.LastCommit.ToProto()) {
				t.Fatalf("LoadBlockCommit(%d): %v", h, err)
			}
		}
		if got, err := bs.LoadBlockCommit(0); err != nil || got.Height != 0 || len(got.Signatures) != 0 {
			t.Fatalf("LoadBlockCommit(0), the first block's empty last commit: %v %v", got, err)
		}
		if _, err := bs.LoadBlockCommit(3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LoadBlockCommit(top): %v, want ErrNotFound", err)
		}
		if _, err := bs.LoadBlock(4); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LoadBlock(4): %v", err)
		}
		if _, err := bs.LoadBlockByHash(make([]byte, 32)); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LoadBlockByHash(unknown): %v", err)
		}
		if _, err := bs.LoadBlockPart(2, 3); !errors.Is(err, ErrNotFound) {
			t.Fatalf("LoadBlockPart(2, 3): %v", err)
		}
		if _, err := bs.LoadBlockExtendedCommit(1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("extended commit of a block saved without: %v", err)
		}
		meta, err := bs.LoadBaseMeta()
		if err != nil || meta.Header.Height != 1 {
			t.Fatalf("base meta: %v", err)
		}
	})
}

// checkBlock checks every load of height h against the saved block.
func checkBlock(t *testing.T, bs *BlockStore, h int64, want chainBlock) {
	t.Helper()
	block, err := bs.LoadBlock(h)
	if err != nil {
		t.Fatalf("LoadBlock(%d): %v", h, err)
	}
	if !bytes.Equal(block.Hash(), want.id.Hash) || len(block.Txs) != len(want.block.Txs) {
		t.Fatalf("LoadBlock(%d) returned another block", h)
	}
	byHash, err := bs.LoadBlockByHash(want.id.Hash)
	if err != nil || byHash.Height != h {
		t.Fatalf("LoadBlockByHash(%d): %v", h, err)
	}
	meta, err := bs.LoadBlockMeta(h)
	if err != nil {
		t.Fatalf("LoadBlockMeta(%d): %v", h, err)
	}
	if !meta.BlockID.Equals(want.id) || meta.NumTxs != len(want.block.Txs) ||
		int64(meta.BlockSize) != want.parts.ByteSize() || meta.Header.Height != h || !meta.Header.Time.Equal(want.block.Time) {
		t.Fatalf("LoadBlockMeta(%d) = %+v", h, meta)
	}
	if m, err := bs.LoadBlockMetaByHash(want.id.Hash); err != nil || !m.BlockID.Equals(want.id) {
		t.Fatalf("LoadBlockMetaByHash(%d): %v", h, err)
	}
	for i := 0; i < int(want.parts.Total()); i++ {
		part, err := bs.LoadBlockPart(h, i)
		if err != nil {
			t.Fatalf("LoadBlockPart(%d, %d): %v", h, i, err)
		}
		if !bytes.Equal(part.Bytes, want.parts.GetPart(i).Bytes) {
			t.Fatalf("part %d of %d differs", i, h)
		}
		if err := part.Proof.Verify(want.id.PartSetHeader.Hash, part.Bytes); err != nil {
			t.Fatalf("part %d of %d: %v", i, h, err)
		}
	}
	seen, err := bs.LoadSeenCommit(h)
	if err != nil || !sameProto(t, seen.ToProto(), want.seen.ToProto()) {
		t.Fatalf("LoadSeenCommit(%d): %v", h, err)
	}
}

func TestReopen(t *testing.T) {
	chain := testChain(t, 4, multiPart)
	dir := t.TempDir()
	db, err := dbm.NewGoLevelDB("blockstore", dir)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	saveAll(t, bs, chain)
	if err := bs.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = dbm.NewGoLevelDB("blockstore", dir)
	if err != nil {
		t.Fatal(err)
	}
	bs, err = New(db)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	if bs.Base() != 1 || bs.Height() != 4 {
		t.Fatalf("reopened: base %d height %d", bs.Base(), bs.Height())
	}
	for i, b := range chain {
		checkBlock(t, bs, int64(i+1), b)
	}
}

func TestKeyLayout(t *testing.T) {
	chain := testChain(t, 2, noTxs)
	bs, db := newStore(t)
	saveAll(t, bs, chain)
	if err := bs.SaveBlockWithExtendedCommit(nextBlock(t, chain)); err != nil {
		t.Fatal(err)
	}
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var keys []string
	for ; it.Valid(); it.Next() {
		keys = append(keys, string(it.Key()))
	}
	want := []string{"blockStore", "C:0", "C:1", "C:2", "EC:3", "H:1", "H:2", "H:3", "P:1:0", "P:2:0", "P:3:0", "SC:1", "SC:2", "SC:3"}
	for _, b := range chain {
		want = append(want, "BH:"+hex.EncodeToString(b.id.Hash))
	}
	want = append(want, "BH:"+hex.EncodeToString(extChain(t).id.Hash))
	sort.Strings(want)
	sort.Strings(keys)
	if len(keys) != len(want) {
		t.Fatalf("keys %q\nwant %q", keys, want)
	}
	for i := range keys {
		if keys[i] != want[i] {
			t.Fatalf("keys %q\nwant %q", keys, want)
		}
	}
	if v, _ := db.Get(hashKey(chain[1].id.Hash)); string(v) != "2" {
		t.Fatalf("BH value %q, want the decimal height", v)
	}
	var st tmstore.BlockStoreState
	v, _ := db.Get(storeStateKey)
	if err := st.Unmarshal(v); err != nil || st.Base != 1 || st.Height != 3 {
		t.Fatalf("blockStore record %+v %v", st, err)
	}
}

// extChain returns the chain of nextBlock: 3 blocks whose last one is saved with its extended
// commit.
func extChain(t testing.TB) chainBlock {
	return testChain(t, 3, noTxs)[2]
}

// nextBlock returns block 3 of the test chain for a store holding blocks 1 and 2.
func nextBlock(t testing.TB, _ []chainBlock) (*types.Block, *types.PartSet, *types.ExtendedCommit) {
	b := extChain(t)
	return b.block, b.parts, b.extended
}

func TestExtendedCommit(t *testing.T) {
	chain := testChain(t, 2, noTxs)
	bs, _ := newStore(t)
	if err := bs.SaveBlockWithExtendedCommit(chain[0].block, chain[0].parts, chain[0].extended); err != nil {
		t.Fatal(err)
	}
	ec, err := bs.LoadBlockExtendedCommit(1)
	if err != nil || !sameProto(t, ec.ToProto(), chain[0].extended.ToProto()) {
		t.Fatalf("LoadBlockExtendedCommit: %v", err)
	}
	seen, err := bs.LoadSeenCommit(1)
	if err != nil || !sameProto(t, seen.ToProto(), chain[0].extended.ToCommit().ToProto()) {
		t.Fatalf("seen commit of a block saved with an extended commit: %v", err)
	}
	// Every precommit for the block must carry an extension signature.
	bad := chain[1].extended.Clone()
	bad.ExtendedSignatures[0].ExtensionSignature = nil
	if err := bs.SaveBlockWithExtendedCommit(chain[1].block, chain[1].parts, bad); err == nil {
		t.Fatal("extended commit without extension signature saved")
	}
	if err := bs.SaveBlockWithExtendedCommit(chain[1].block, chain[1].parts, nil); err == nil {
		t.Fatal("nil extended commit saved")
	}
	if bs.Height() != 1 {
		t.Fatalf("failed saves changed the height to %d", bs.Height())
	}
}

func TestSaveBlockRejects(t *testing.T) {
	chain := testChain(t, 3, multiPart)
	bs, db := newStore(t)
	saveAll(t, bs, chain[:1])
	incomplete, err := types.NewPartSetFromHeader(chain[1].parts.Header())
	if err != nil {
		t.Fatal(err)
	}
	unpopulated := types.MakeBlock(2, nil, chain[1].block.LastCommit, nil)
	cases := map[string]func() error{
		"nil block":          func() error { return bs.SaveBlock(nil, chain[1].parts, chain[1].seen) },
		"incomplete parts":   func() error { return bs.SaveBlock(chain[1].block, incomplete, chain[1].seen) },
		"nil parts":          func() error { return bs.SaveBlock(chain[1].block, nil, chain[1].seen) },
		"nil seen commit":    func() error { return bs.SaveBlock(chain[1].block, chain[1].parts, nil) },
		"seen commit height": func() error { return bs.SaveBlock(chain[1].block, chain[1].parts, chain[0].seen) },
		"gap":                func() error { return bs.SaveBlock(chain[2].block, chain[2].parts, chain[2].seen) },
		"same height again":  func() error { return bs.SaveBlock(chain[0].block, chain[0].parts, chain[0].seen) },
		"unpopulated header": func() error { return bs.SaveBlock(unpopulated, chain[1].parts, chain[1].seen) },
	}
	before := dumpDB(t, db)
	for name, save := range cases {
		if err := save(); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
	if after := dumpDB(t, db); after != before || bs.Height() != 1 {
		t.Fatal("rejected saves changed the store")
	}
	// A store may start at any height (state sync); the next block must follow it.
	late, _ := newStore(t)
	if err := late.SaveBlock(chain[2].block, chain[2].parts, chain[2].seen); err != nil {
		t.Fatal(err)
	}
	if late.Base() != 3 || late.Height() != 3 || late.Size() != 1 {
		t.Fatalf("store starting at 3: base %d height %d", late.Base(), late.Height())
	}
}

// dumpDB returns every key and value of db as one string.
func dumpDB(t testing.TB, db dbm.DB) string {
	t.Helper()
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var buf bytes.Buffer
	for ; it.Valid(); it.Next() {
		buf.Write(it.Key())
		buf.WriteByte('=')
		buf.Write(it.Value())
		buf.WriteByte('\n')
	}
	return buf.String()
}

func TestSaveSeenCommit(t *testing.T) {
	chain := testChain(t, 1, noTxs)
	bs, _ := newStore(t)
	if err := bs.SaveSeenCommit(1, chain[0].seen); err != nil {
		t.Fatal(err)
	}
	got, err := bs.LoadSeenCommit(1)
	if err != nil || !sameProto(t, got.ToProto(), chain[0].seen.ToProto()) {
		t.Fatalf("LoadSeenCommit: %v", err)
	}
	if err := bs.SaveSeenCommit(2, nil); err == nil {
		t.Fatal("nil commit saved")
	}
	if !bs.IsEmpty() {
		t.Fatal("a seen commit made the store non-empty")
	}
}

// genesisVector holds the fields of testdata/genesis_vector.json used here (types.md §7.4).
type genesisVector struct {
	ChainID          string `json:"chain_id"`
	ValidatorAddress string `json:"validator_address"`
	ValidatorsHash   string `json:"validators_hash"`
	ConsensusHash    string `json:"consensus_hash"`
	EmptyHash        string `json:"empty_hash"`
	BlockHash        string `json:"block_hash"`
	BlockProto       string `json:"block_proto"`
	PartSetHash      string `json:"part_set_hash"`
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGenesisVectorBlockStored stores the vector's height-1 block and checks what is on disk.
func TestGenesisVectorBlockStored(t *testing.T) {
	raw, err := os.ReadFile("testdata/genesis_vector.json")
	if err != nil {
		t.Fatal(err)
	}
	var v genesisVector
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	block := types.MakeBlock(1, nil, &types.Commit{}, nil)
	block.Populate(tmversion.Consensus{Block: types.BlockProtocol}, v.ChainID, testGenesisTime, types.BlockID{},
		unhex(t, v.ValidatorsHash), unhex(t, v.ValidatorsHash), unhex(t, v.ConsensusHash), nil,
		unhex(t, v.EmptyHash), unhex(t, v.ValidatorAddress))
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		t.Fatal(err)
	}
	id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	key := ed25519.GenPrivKeyFromSecret([]byte("a"))
	set, err := types.NewValidatorSet([]*types.Validator{types.NewValidator(key.PubKey(), 10)})
	if err != nil {
		t.Fatal(err)
	}
	seen := signExtendedCommit(t, set, map[string]ed25519.PrivKey{string(key.PubKey().Address()): key},
		1, id, testGenesisTime.Add(time.Second)).ToCommit()
	bs, _ := newStore(t)
	if err := bs.SaveBlock(block, parts, seen); err != nil {
		t.Fatal(err)
	}
	loadedPart, err := bs.LoadBlockPart(1, 0)
	if err != nil || hex.EncodeToString(loadedPart.Bytes) != v.BlockProto {
		t.Fatalf("stored part bytes are not the vector's block proto: %v", err)
	}
	meta, err := bs.LoadBlockMeta(1)
	if err != nil || hex.EncodeToString(meta.BlockID.Hash) != v.BlockHash || hex.EncodeToString(meta.BlockID.PartSetHeader.Hash) != v.PartSetHash {
		t.Fatalf("meta %v: %v", meta, err)
	}
	if meta.BlockSize != len(v.BlockProto)/2 {
		t.Fatalf("block size %d", meta.BlockSize)
	}
	loaded, err := bs.LoadBlock(1)
	if err != nil || hex.EncodeToString(loaded.Hash()) != v.BlockHash {
		t.Fatalf("LoadBlock: %v", err)
	}
}
