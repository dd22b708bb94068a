package core

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/server"
)

// benchHandler returns the JSON-RPC HTTP handler of an environment whose mempool is a real
// pool (default config, room for size txs) over the in-memory kvstore.
func benchHandler(b *testing.B, size int) http.Handler {
	b.Helper()
	cfg := config.DefaultMempoolConfig()
	cfg.Size, cfg.CacheSize = size, size
	pool, err := mempool.NewPool(cfg, client.NewLocalClient(nil, kvstore.NewInMemoryApplication(kvstore.Options{})), 1)
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv(b)
	env.Mempool = pool
	routes, err := env.Routes()
	if err != nil {
		b.Fatal(err)
	}
	return server.NewHandler(routes, nil, log.NewNop())
}

// benchTxParam returns the i-th unique 250-byte kvstore transaction, base64 as a JSON-RPC
// "tx" parameter carries it.
func benchTxParam(i int) string {
	tx := make([]byte, 250)
	copy(tx, fmt.Sprintf("bench-%012d=", i))
	for j := 20; j < len(tx); j++ {
		tx[j] = 'a' + byte((i+j)%26)
	}
	return base64.StdEncoding.EncodeToString(tx)
}

// post serves one JSON-RPC POST and checks the answer is a 200 without errors.
func post(b *testing.B, h http.Handler, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"error"`) {
		b.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

// BenchmarkBroadcastTxSync is one broadcast_tx_sync JSON-RPC request through the HTTP handler:
// request decoding, the route's argument conversion, CheckTx on the kvstore through the pool,
// the response's encoding (the server's limits, CORS and panic recovery are not included).
func BenchmarkBroadcastTxSync(b *testing.B) {
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"broadcast_tx_sync","params":{"tx":"%s"}}`, i, benchTxParam(i))
	}
	h := benchHandler(b, b.N+1)
	b.ReportAllocs()
	b.ResetTimer()
	for _, body := range bodies {
		post(b, h, body)
	}
}

// BenchmarkBroadcastTxAsyncBatch10 is the standard benchmark's request: a JSON-RPC batch of 10
// broadcast_tx_async calls. ns/op is per batch; ns/tx per transaction.
func BenchmarkBroadcastTxAsyncBatch10(b *testing.B) {
	const batch = 10
	bodies := make([][]byte, b.N)
	for i := range bodies {
		var sb strings.Builder
		sb.WriteByte('[')
		for j := range batch {
			if j > 0 {
				sb.WriteByte(',')
			}
			n := i*batch + j
			fmt.Fprintf(&sb, `{"jsonrpc":"2.0","id":%d,"method":"broadcast_tx_async","params":{"tx":"%s"}}`, n, benchTxParam(n))
		}
		sb.WriteByte(']')
		bodies[i] = []byte(sb.String())
	}
	h := benchHandler(b, b.N*batch+1)
	b.ReportAllocs()
	b.ResetTimer()
	for _, body := range bodies {
		post(b, h, body)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/tx")
}
