package blockstore

import (
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
	"github.com/ballot-bft/ballot/types"
)

const testChainID = "test-chain"

var testGenesisTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// chainBlock is one block of a test chain with what the store needs to save it.
type chainBlock struct {
	block *types.Block
	parts *types.PartSet
	id    types.BlockID
	// seen is the commit of this block (all validators, at the block time + 1 s); extended is
	// the same commit with signed vote extensions.
	seen     *types.Commit
	extended *types.ExtendedCommit
}

// testChain builds blocks 1..n of a chain of validators a(10) and b(20). txBytes(h) gives the
// total transaction bytes of block h (split into 8 KiB txs), so a test can make multi-part
// blocks. Blocks are one second apart; each carries the previous block's commit.
func testChain(t testing.TB, n int, txBytes func(h int64) int) []chainBlock {
	t.Helper()
	keys := map[string]ed25519.PrivKey{}
	var vals []*types.Validator
	for i, secret := range []string{"a", "b"} {
		k := ed25519.GenPrivKeyFromSecret([]byte(secret))
		keys[string(k.PubKey().Address())] = k
		vals = append(vals, types.NewValidator(k.PubKey(), int64(10*(i+1))))
	}
	set, err := types.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	var chain []chainBlock
	lastCommit := &types.Commit{}
	lastID := types.BlockID{}
	for h := int64(1); h <= int64(n); h++ {
		block := types.MakeBlock(h, makeTxs(h, txBytes(h)), lastCommit, nil)
		block.Populate(
			tmversion.Consensus{Block: types.BlockProtocol}, testChainID,
			testGenesisTime.Add(time.Duration(h-1)*time.Second), lastID,
			set.Hash(), set.Hash(), types.DefaultConsensusParams().Hash(), []byte("app"), nil,
			set.GetProposer().Address,
		)
		parts, err := block.MakePartSet(types.BlockPartSizeBytes)
		if err != nil {
			t.Fatal(err)
		}
		id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
		ext := signExtendedCommit(t, set, keys, h, id, block.Time.Add(time.Second))
		chain = append(chain, chainBlock{block: block, parts: parts, id: id, seen: ext.ToCommit(), extended: ext})
		lastCommit, lastID = ext.ToCommit(), id
	}
	return chain
}

// makeTxs returns txs of 8 KiB (the last one shorter) with total size n, distinct per height.
func makeTxs(h int64, n int) []types.Tx {
	var txs []types.Tx
	for i := 0; n > 0; i++ {
		size := min(n, 8<<10)
		tx := make(types.Tx, size)
		for j := range tx {
			tx[j] = byte(int64(j) + h + int64(i))
		}
		txs = append(txs, tx)
		n -= size
	}
	return txs
}

func noTxs(int64) int { return 0 }

// signExtendedCommit returns the precommits of every validator of vals for id at height, with
// extension "ext-<height>" signed.
func signExtendedCommit(t testing.TB, vals *types.ValidatorSet, keys map[string]ed25519.PrivKey,
	height int64, id types.BlockID, ts time.Time,
) *types.ExtendedCommit {
	t.Helper()
	ec := &types.ExtendedCommit{Height: height, BlockID: id}
	for i, v := range vals.Validators {
		vote := &types.Vote{
			Type: types.PrecommitType, Height: height, BlockID: id, Timestamp: ts,
			ValidatorAddress: v.Address, ValidatorIndex: int32(i), Extension: []byte("ext")}
		key := keys[string(v.Address)]
		var err error
		if vote.Signature, err = key.Sign(vote.SignBytes(testChainID)); err != nil {
			t.Fatal(err)
		}
		if vote.ExtensionSignature, err = key.Sign(vote.ExtensionSignBytes(testChainID)); err != nil {
			t.Fatal(err)
		}
		ec.ExtendedSignatures = append(ec.ExtendedSignatures, vote.ExtendedCommitSig())
	}
	return ec
}

// newStore returns an empty store on a memdb.
func newStore(t testing.TB) (*BlockStore, dbm.DB) {
	t.Helper()
	db := dbm.NewMemDB()
	bs, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	return bs, db
}

// saveAll saves the chain's blocks with their seen commits.
func saveAll(t testing.TB, bs *BlockStore, chain []chainBlock) {
	t.Helper()
	for _, b := range chain {
		if err := bs.SaveBlock(b.block, b.parts, b.seen); err != nil {
			t.Fatal(err)
		}
	}
}

type marshalerT interface{ Marshal() ([]byte, error) }

// sameProto reports whether two messages encode identically.
func sameProto(t testing.TB, a, b marshalerT) bool {
	t.Helper()
	ba, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	bb, err := b.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(ba) == string(bb)
}
