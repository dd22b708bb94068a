package mempool

import (
	"context"
	"fmt"
	"testing"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/types"
)

// benchPool returns a pool over an in-process kvstore with room for n txs.
func benchPool(b *testing.B, n int) *Pool {
	b.Helper()
	cfg := config.DefaultMempoolConfig()
	cfg.Size = n
	cfg.CacheSize = n
	cfg.Recheck = false
	p, err := NewPool(cfg, client.NewLocalClient(nil, kvstore.NewInMemoryApplication(kvstore.Options{})), 1)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkCheckTx measures admission through the whole path: checks, cache, the app's CheckTx,
// the answer, the store.
func BenchmarkCheckTx(b *testing.B) {
	txs := make(types.Txs, b.N)
	for i := range txs {
		txs[i] = types.Tx(kvstore.NewTx(fmt.Sprintf("key-%08d", i), "value"))
	}
	p := benchPool(b, b.N+1)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for _, tx := range txs {
		if _, err := p.CheckTx(ctx, tx, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckTxParallel is BenchmarkCheckTx from GOMAXPROCS goroutines.
func BenchmarkCheckTxParallel(b *testing.B) {
	p := benchPool(b, b.N+1)
	ctx := context.Background()
	var next atomicCounter
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tx := types.Tx(kvstore.NewTx(fmt.Sprintf("key-%08d", next.add()), "value"))
			if _, err := p.CheckTx(ctx, tx, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReap10k reaps a pool of 10,000 txs by bytes and gas.
func BenchmarkReap10k(b *testing.B) {
	p := benchPool(b, 10000)
	ctx := context.Background()
	for i := range 10000 {
		if _, err := p.CheckTx(ctx, types.Tx(kvstore.NewTx(fmt.Sprintf("key-%08d", i), "value")), ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if txs := p.ReapMaxBytesMaxGas(22016007, -1); len(txs) != 10000 {
			b.Fatalf("reaped %d", len(txs))
		}
	}
}
