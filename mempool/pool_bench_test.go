package mempool

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/config"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// The standard benchmark's mempool: unique 250-byte kvstore transactions, the default [mempool]
// config (5000 txs, recheck on) unless a benchmark says otherwise.

// benchTx returns the i-th unique 250-byte kvstore transaction.
func benchTx(i int) types.Tx {
	tx := make([]byte, 250)
	copy(tx, fmt.Sprintf("bench-%012d=", i))
	for j := 20; j < len(tx); j++ {
		tx[j] = 'a' + byte((i+j)%26)
	}
	return tx
}

// defaultBenchPool returns a pool with the default config (recheck as given) of size txs.
func defaultBenchPool(b *testing.B, size int, recheck bool) *Pool {
	b.Helper()
	cfg := config.DefaultMempoolConfig()
	cfg.Size = size
	cfg.CacheSize = 2 * size
	cfg.Recheck = recheck
	p, err := NewPool(cfg, client.NewLocalClient(nil, kvstore.NewInMemoryApplication(kvstore.Options{})), 1)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkCheckTxAsync250 is the broadcast_tx_async path: admission and the queued CheckTx,
// 250-byte transactions, waiting for every answer at the end. ns/op is per transaction.
func BenchmarkCheckTxAsync250(b *testing.B) {
	p := defaultBenchPool(b, b.N+1, false)
	txs := make([]types.Tx, b.N)
	for i := range txs {
		txs[i] = benchTx(i)
	}
	var wg sync.WaitGroup
	wg.Add(b.N)
	answered := func(res *abci.ResponseCheckTx, err error) {
		if err != nil || res.Code != 0 {
			b.Errorf("CheckTx: %v %v", res, err)
		}
		wg.Done()
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for _, tx := range txs {
		if err := p.CheckTxAsync(ctx, tx, "", answered); err != nil {
			b.Fatal(err)
		}
	}
	wg.Wait()
}

// BenchmarkCheckTxDuplicate is a transaction the cache already holds, as gossip from every
// peer delivers it again.
func BenchmarkCheckTxDuplicate(b *testing.B) {
	p := defaultBenchPool(b, 10, false)
	tx := benchTx(0)
	ctx := context.Background()
	if _, err := p.CheckTx(ctx, tx, ""); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.CheckTx(ctx, tx, "peer"); err == nil {
			b.Fatal("duplicate admitted")
		}
	}
}

// BenchmarkReapBlock reaps a 1000-tx block (by the bytes limit) from a full default-size pool.
func BenchmarkReapBlock(b *testing.B) {
	p := defaultBenchPool(b, 5000, false)
	ctx := context.Background()
	for i := range 5000 {
		if _, err := p.CheckTx(ctx, benchTx(i), ""); err != nil {
			b.Fatal(err)
		}
	}
	maxBytes := int64(1000 * (250 + 3)) // 250 bytes plus the proto overhead of each tx
	b.ReportAllocs()
	for b.Loop() {
		if txs := p.ReapMaxBytesMaxGas(maxBytes, -1); len(txs) != 1000 {
			b.Fatalf("reaped %d", len(txs))
		}
	}
}

// BenchmarkUpdate commits a block of `block` transactions from a pool holding `pool`: what
// the executor does after each block (Lock, Update, Unlock), with and without the recheck of
// the remaining transactions (recheck is on by default). Refilling the pool is not timed.
// ns/op is per block.
func BenchmarkUpdate(b *testing.B) {
	for _, recheck := range []bool{false, true} {
		for _, sz := range []struct{ block, pool int }{{100, 1000}, {1000, 5000}} {
			b.Run(fmt.Sprintf("recheck=%v/block=%d/pool=%d", recheck, sz.block, sz.pool), func(b *testing.B) {
				p := defaultBenchPool(b, sz.pool, recheck)
				ctx := context.Background()
				next := 0
				fill := func() {
					for p.Size() < sz.pool {
						if _, err := p.CheckTx(ctx, benchTx(next), ""); err != nil {
							b.Fatal(err)
						}
						next++
					}
				}
				results := make([]*abci.ExecTxResult, sz.block)
				for i := range results {
					results[i] = &abci.ExecTxResult{}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for h := range b.N {
					b.StopTimer()
					fill()
					block := p.ReapMaxTxs(sz.block)
					b.StartTimer()
					p.Lock()
					if err := p.Update(int64(h+2), block, results, nil, nil); err != nil {
						b.Fatal(err)
					}
					p.Unlock()
				}
				b.StopTimer()
				if p.Size() != sz.pool-sz.block {
					b.Fatalf("pool holds %d after the update, want %d", p.Size(), sz.pool-sz.block)
				}
			})
		}
	}
}
