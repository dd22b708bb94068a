package types

import (
	"fmt"
	"testing"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// benchTxs returns n unique 250-byte kvstore transactions ("<seq>=<padding>"), the standard
// benchmark's shape.
func benchTxs(n int) Txs {
	txs := make(Txs, n)
	for i := range txs {
		tx := make([]byte, 250)
		copy(tx, fmt.Sprintf("bench-%012d=", i))
		for j := 20; j < len(tx); j++ {
			tx[j] = 'a' + byte((i+j)%26)
		}
		txs[i] = tx
	}
	return txs
}

// benchBlock is a block at height 100 holding n benchmark transactions and a 4-validator
// last commit.
func benchBlock(b *testing.B, n int) *Block {
	b.Helper()
	f := newBenchCommitFixture(b, false, []int64{10, 10, 10, 10})
	flags := []BlockIDFlag{BlockIDFlagCommit, BlockIDFlagCommit, BlockIDFlagCommit, BlockIDFlagCommit}
	block := MakeBlock(100, benchTxs(n), f.commit(b, fixtureBlockID("last"), flags...), nil)
	block.ChainID = verifyChainID
	block.Time = fixtureTime
	block.ValidatorsHash = f.set.Hash()
	block.NextValidatorsHash = f.set.Hash()
	block.ProposerAddress = f.set.Validators[0].Address
	return block
}

// blockSizes are blocks of the standard benchmark: ~100 txs at 1000 tx/s with ~100 ms
// heights, 1000 and 5000 at saturation.
var blockSizes = []int{100, 1000, 5000}

// BenchmarkBlockMakePartSet is what a proposer does with its block: proto encoding, splitting
// into 64 KiB parts and the parts' Merkle tree. Bytes are the encoded block's.
func BenchmarkBlockMakePartSet(b *testing.B) {
	for _, n := range blockSizes {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			block := benchBlock(b, n)
			b.SetBytes(int64(block.Size()))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := block.MakePartSet(BlockPartSizeBytes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBlockHash is a fresh block's hash: the transactions' Merkle root (Data.Hash, cached
// by MakeBlock here, so recomputed on a copy) and the header.
func BenchmarkBlockHash(b *testing.B) {
	for _, n := range blockSizes {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			block := benchBlock(b, n)
			b.ReportAllocs()
			for b.Loop() {
				d := Data{Txs: block.Txs}
				if len(d.Hash()) == 0 || len(block.Header.Hash()) == 0 {
					b.Fatal("no hash")
				}
			}
		})
	}
}

// BenchmarkPartSetAddParts is what every other validator does with a proposal: check each
// part's Merkle proof against the header, assemble the parts, and decode the block.
func BenchmarkPartSetAddParts(b *testing.B) {
	for _, n := range blockSizes {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			block := benchBlock(b, n)
			full, err := block.MakePartSet(BlockPartSizeBytes)
			if err != nil {
				b.Fatal(err)
			}
			parts := make([]*Part, full.Total())
			for i := range parts {
				parts[i] = full.GetPart(i)
			}
			b.SetBytes(full.ByteSize())
			b.ReportAllocs()
			for b.Loop() {
				ps, err := NewPartSetFromHeader(full.Header())
				if err != nil {
					b.Fatal(err)
				}
				for _, p := range parts {
					if added, err := ps.AddPart(p); !added || err != nil {
						b.Fatalf("part %d: %v %v", p.Index, added, err)
					}
				}
				if _, err := blockFromPartSet(ps); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// blockFromPartSet decodes a complete part set's block and checks it statelessly, as
// consensus does.
func blockFromPartSet(ps *PartSet) (*Block, error) {
	bz, err := ps.Bytes()
	if err != nil {
		return nil, err
	}
	var pb tmproto.Block
	if err := pb.Unmarshal(bz); err != nil {
		return nil, err
	}
	block, err := BlockFromProto(&pb)
	if err != nil {
		return nil, err
	}
	return block, block.ValidateBasic()
}
