package crash

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The answers of broadcast_tx_commit are rpc.md §5.6's observed examples (events trimmed).
func TestParseTxCommit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		height int64
		ok     bool
	}{
		{"committed", `{"jsonrpc":"2.0","id":-1,"result":{
 "check_tx":{"code":0,"data":null,"log":"","info":"","gas_wanted":"1","gas_used":"0","events":[],"codespace":""},
 "tx_result":{"code":0,"data":null,"log":"","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},
 "hash":"697D1BC6C73A3C6761A85836AA4557D1272F6D251759A885671E94119E8C6F82","height":"15"}}`, 15, true},
		{"CheckTx refused", `{"jsonrpc":"2.0","id":-1,"result":{"check_tx":{"code":2,"data":null,"log":"","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},
 "tx_result":{"code":0,"data":null,"log":"","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},
 "hash":"ED9F6FB288783721CB8BB24BD6A2A8F3BC1FB7FDC7ED7F3674C32805F058F667","height":"0"}}`, 0, true},
		{"failed in the block", `{"jsonrpc":"2.0","id":-1,"result":{"check_tx":{"code":0},"tx_result":{"code":1},"hash":"AA","height":"4"}}`, 0, true},
		{"timed out", `{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"timed out waiting for tx to be included in a block"}}`, 0, true},
		{"mempool full", `{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"error on broadcastTxCommit: mempool is full"}}`, 0, true},
		{"not JSON", `<html>502</html>`, 0, false},
		{"bad height", `{"result":{"check_tx":{"code":0},"tx_result":{"code":0},"height":"x"}}`, 0, false},
	} {
		h, err := parseTxCommit([]byte(tc.body))
		if h != tc.height || (err == nil) != tc.ok {
			t.Errorf("%s: parseTxCommit = %d, %v; want %d, ok=%v", tc.name, h, err, tc.height, tc.ok)
		}
	}
}

// TestTxLoadRecordsAcknowledgedTxs runs the load against a fake RPC that commits every other
// transaction at height 7 and refuses the rest, then against a closed port, where workers wait
// for the next committed block instead of spinning.
func TestTxLoadRecordsAcknowledgedTxs(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	enough := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/broadcast_tx_commit" {
			http.NotFound(rw, r)
			return
		}
		tx, err := hex.DecodeString(strings.TrimPrefix(r.URL.Query().Get("tx"), "0x"))
		if err != nil {
			t.Errorf("tx parameter %q is not 0x-hex", r.URL.Query().Get("tx"))
		}
		mu.Lock()
		seen = append(seen, string(tx))
		n := len(seen)
		mu.Unlock()
		if n == 20 {
			close(enough)
		}
		code := n % 2
		fmt.Fprintf(rw, `{"jsonrpc":"2.0","id":-1,"result":{"check_tx":{"code":%d},"tx_result":{"code":0},"hash":"AA","height":"%d"}}`, code, 7*(1-code))
	}))
	defer srv.Close()

	load := newTxLoad("tcp://"+strings.TrimPrefix(srv.URL, "http://"), "k", 3)
	w := &logWatcher{commit: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		load.run(ctx, w)
	}()
	<-enough
	cancel()
	<-done

	acked, answered, failed := load.take()
	mu.Lock()
	sent := slices.Clone(seen)
	mu.Unlock()
	if answered > len(sent) || len(sent) > answered+failed {
		t.Errorf("answered %d, failed %d, server saw %d", answered, failed, len(sent))
	}
	if len(acked) == 0 || len(acked) > (len(sent)+1)/2 {
		t.Fatalf("%d acknowledged of %d sent", len(acked), len(sent))
	}
	if n := load.ackCount(); n != len(acked) {
		t.Errorf("ackCount %d, but %d were acknowledged", n, len(acked))
	}
	select {
	case <-load.acks():
	default:
		t.Error("no acknowledgement was signalled")
	}
	for _, a := range acked {
		if a.Height != 7 || !slices.Contains(sent, a.Tx()) || a.Value != "v"+strings.TrimPrefix(a.Key, "k-") {
			t.Errorf("acknowledged %+v is not what was sent", a)
		}
	}

	// A broken RPC: every worker fails and then waits for a committed block; run returns when
	// canceled.
	failing := make(chan struct{}, 100)
	broken := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(rw, "<html>502</html>")
		failing <- struct{}{}
	}))
	defer broken.Close()
	load.url = broken.URL
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	done = make(chan struct{})
	go func() {
		defer close(done)
		load.run(ctx, w)
	}()
	for range 3 {
		<-failing
	}
	cancel()
	<-done
	if _, _, failedNow := load.take(); failedNow < failed+3 {
		t.Errorf("failed requests %d → %d; want every worker to have failed at least once", failed, failedNow)
	}
	if n := load.ackCount(); n != len(acked) {
		t.Errorf("ackCount went from %d to %d without an acknowledgement", len(acked), n)
	}
}
