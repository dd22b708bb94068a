package state

import (
	"context"
	"fmt"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// benchChain is a 4-validator chain on the node's default storage (goleveldb in a temporary
// directory) and the in-memory kvstore app, as in the standard benchmark, without the
// recording wrappers of the executor tests.
type benchChain struct {
	b       *testing.B
	exec    *BlockExecutor
	blocks  *blockstore.BlockStore
	st      State
	keys    map[string]ed25519.PrivKey // by address
	lastExt *types.ExtendedCommit
	nextTx  int
}

func newBenchChain(b *testing.B) *benchChain {
	b.Helper()
	dir := b.TempDir()
	open := func(name string) dbm.DB {
		db, err := dbm.NewDB(name, dbm.GoLevelDBBackend, dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	}
	cfg := chainConfig{validators: []string{"a", "b", "c", "d"}}
	genDoc := cfg.genesis(b)
	c := &benchChain{b: b, keys: map[string]ed25519.PrivKey{}}
	for _, name := range cfg.validators {
		k := execKey(name)
		c.keys[string(k.PubKey().Address())] = k
	}
	store := NewStore(open("state"), StoreOptions{})
	bs, err := blockstore.New(open("blockstore"))
	if err != nil {
		b.Fatal(err)
	}
	c.blocks = bs
	conns, err := appconn.NewConns(appconn.NewLocalCreator(kvstore.NewInMemoryApplication(kvstore.Options{})), nil)
	if err != nil {
		b.Fatal(err)
	}
	c.exec = NewBlockExecutor(store, nil, conns.Consensus(), nil, nil, bs)
	st, err := MakeGenesisState(genDoc)
	if err != nil {
		b.Fatal(err)
	}
	if c.st, err = NewHandshaker(store, st, bs, genDoc, nil, nil).Handshake(context.Background(), conns); err != nil {
		b.Fatal(err)
	}
	return c
}

// txs returns n new unique 250-byte kvstore transactions.
func (c *benchChain) txs(n int) types.Txs {
	out := make(types.Txs, n)
	for i := range out {
		tx := make([]byte, 250)
		copy(tx, fmt.Sprintf("bench-%012d=", c.nextTx))
		for j := 20; j < len(tx); j++ {
			tx[j] = 'a' + byte((c.nextTx+j)%26)
		}
		c.nextTx++
		out[i] = tx
	}
	return out
}

// decided is a block ready to commit: built, split and signed by every validator.
type decided struct {
	block  *types.Block
	parts  *types.PartSet
	id     types.BlockID
	commit *types.ExtendedCommit
}

// next builds the next block with n transactions and its commit.
func (c *benchChain) next(n int) decided {
	b := c.b
	height := c.st.nextHeight()
	lastCommit := &types.Commit{}
	if c.lastExt != nil {
		lastCommit = c.lastExt.ToCommit()
	}
	block := c.st.MakeBlock(height, c.txs(n), lastCommit, nil, c.st.Validators.GetProposer().Address)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		b.Fatal(err)
	}
	d := decided{block: block, parts: parts, id: types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}}
	d.commit = &types.ExtendedCommit{Height: height, BlockID: d.id}
	for i, v := range c.st.Validators.Validators {
		vote := &types.Vote{Type: types.PrecommitType, Height: height, BlockID: d.id,
			Timestamp: execGenesisTime.Add(time.Duration(height) * time.Second), ValidatorAddress: v.Address, ValidatorIndex: int32(i)}
		if vote.Signature, err = c.keys[string(v.Address)].Sign(vote.SignBytes(execChainID)); err != nil {
			b.Fatal(err)
		}
		d.commit.ExtendedSignatures = append(d.commit.ExtendedSignatures, vote.ExtendedCommitSig())
	}
	return d
}

// commit saves the block with its commit and executes it: what a node does at the commit
// step once +2/3 precommits are in.
func (c *benchChain) commit(d decided) {
	if err := c.blocks.SaveBlock(d.block, d.parts, d.commit.ToCommit()); err != nil {
		c.b.Fatal(err)
	}
	next, err := c.exec.ApplyVerifiedBlock(context.Background(), c.st, d.id, d.block)
	if err != nil {
		c.b.Fatal(err)
	}
	c.st, c.lastExt = next, d.commit
}

// BenchmarkCommitBlock saves and executes blocks of the standard benchmark's sizes: the block
// store write, FinalizeBlock on the kvstore, the saved responses, Commit and the saved state
// (each save synced). The block building and signing is not timed.
func BenchmarkCommitBlock(b *testing.B) {
	for _, n := range []int{0, 100, 1000, 5000} {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			c := newBenchChain(b)
			c.commit(c.next(n)) // the first block differs (no last commit)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				d := c.next(n)
				b.StartTimer()
				c.commit(d)
			}
			if n > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/tx")
			}
		})
	}
}

// BenchmarkValidateBlock is the check every validator runs on a proposal before prevoting.
func BenchmarkValidateBlock(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			c := newBenchChain(b)
			c.commit(c.next(0))
			d := c.next(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.exec.ValidateBlock(c.st, d.block); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
