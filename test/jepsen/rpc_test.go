package jepsen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Answers in the shapes of rpc.md §5 (captured from CometBFT v0.38.26 there).
const (
	answerTxCommit = `{"jsonrpc":"2.0","id":-1,"result":{
 "check_tx":{"code":0,"data":null,"log":"","info":"","gas_wanted":"1","gas_used":"0","events":[],"codespace":""},
 "tx_result":{"code":20,"data":"YQ==","log":"cas: mismatch","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},
 "hash":"697D1BC6C73A3C6761A85836AA4557D1272F6D251759A885671E94119E8C6F82","height":"15"}}`
	answerCheckTxRefused = `{"jsonrpc":"2.0","id":-1,"result":{"check_tx":{"code":2,"data":null,"log":"bad","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},
 "tx_result":{"code":0,"data":null,"log":"","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":""},
 "hash":"ED9F6FB288783721CB8BB24BD6A2A8F3BC1FB7FDC7ED7F3674C32805F058F667","height":"0"}}`
	answerTimeout = `{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"timed out waiting for tx to be included in a block"}}`
	answerQuery   = `{"jsonrpc":"2.0","id":-1,"result":{"response":{"code":0,"log":"exists","info":"","index":"0","key":"YWJj","value":"ZGVm","proofOps":null,"height":"23","codespace":""}}}`
	answerStatus  = `{"jsonrpc":"2.0","id":-1,"result":{"node_info":{"id":"03f997765efe563cca533fe3f2b3ba5f7c96aadb"},"sync_info":{"latest_block_height":"9","catching_up":false}}}`
	answerMetas   = `{"jsonrpc":"2.0","id":-1,"result":{"last_height":"3","block_metas":[
 {"block_id":{"hash":"CC","parts":{"total":1,"hash":"00"}},"block_size":"1","header":{"height":"3","last_block_id":{"hash":"BB"},"app_hash":"03"},"num_txs":"2"},
 {"block_id":{"hash":"BB","parts":{"total":1,"hash":"00"}},"block_size":"1","header":{"height":"2","last_block_id":{"hash":"AA"},"app_hash":"02"},"num_txs":"0"}]}}`
	answerBlock   = `{"jsonrpc":"2.0","id":-1,"result":{"block_id":{"hash":"57"},"block":{"header":{"height":"15"},"data":{"txs":["YT1i","YWJjPWRlZg=="]}}}}`
	answerResults = `{"jsonrpc":"2.0","id":-1,"result":{"height":"3","txs_results":[{"code":0,"data":null},{"code":20,"data":"dg=="}],"finalize_block_events":null}}`
	answerPool    = `{"jsonrpc":"2.0","id":-1,"result":{"n_txs":"2","total":"3","total_bytes":"9","txs":null}}`
)

// fakeNode serves one fixed answer per route on a loopback port and records the requests
// ("METHOD /path?query body").
func fakeNode(t *testing.T, answers map[string]string) (*RPC, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		route := strings.TrimPrefix(r.URL.Path, "/")
		if r.Method == http.MethodPost {
			var req struct{ Method string }
			_ = json.Unmarshal(body, &req)
			route = req.Method
		}
		mu.Lock()
		seen = append(seen, strings.TrimSpace(fmt.Sprintf("%s %s %s", r.Method, r.URL.RequestURI(), body)))
		mu.Unlock()
		fmt.Fprint(w, answers[route])
	}))
	t.Cleanup(srv.Close)
	return NewRPC(strings.TrimPrefix(srv.URL, "http://")), &seen
}

func TestRPCDecodesTheRoutesItUses(t *testing.T) {
	ctx := context.Background()
	r, seen := fakeNode(t, map[string]string{
		"broadcast_tx_commit": answerTxCommit, "abci_query": answerQuery, "status": answerStatus,
		"blockchain": answerMetas, "block": answerBlock, "block_results": answerResults, "num_unconfirmed_txs": answerPool,
	})
	tx, err := r.BroadcastTxCommit(ctx, []byte("cas:k:x:y:1"))
	if err != nil || tx.Code != 20 || string(tx.Data) != "a" || tx.Height != 15 || tx.CheckCode != 0 {
		t.Errorf("broadcast_tx_commit: %+v, %v", tx, err)
	}
	q, err := r.ABCIQuery(ctx, "abc", 0)
	if err != nil || !q.Exists || string(q.Value) != "def" || q.Height != 23 {
		t.Errorf("abci_query: %+v, %v", q, err)
	}
	st, err := r.Status(ctx)
	if err != nil || st.Height != 9 || st.ID != "03f997765efe563cca533fe3f2b3ba5f7c96aadb" {
		t.Errorf("status: %+v, %v", st, err)
	}
	metas, err := r.BlockMetas(ctx, 2, 3)
	if err != nil || len(metas) != 2 || metas[0].Height != 2 || metas[1].LastBlockHash != "BB" || metas[1].NumTxs != 2 || metas[0].AppHash != "02" {
		t.Errorf("blockchain: %+v, %v", metas, err)
	}
	b, err := r.Block(ctx, 15)
	if err != nil || b.Hash != "57" || len(b.Txs) != 2 || string(b.Txs[1]) != "abc=def" {
		t.Errorf("block: %+v, %v", b, err)
	}
	res, err := r.BlockResults(ctx, 3)
	if err != nil || len(res) != 2 || res[1].Code != 20 || string(res[1].Data) != "v" {
		t.Errorf("block_results: %+v, %v", res, err)
	}
	if n, err := r.NumUnconfirmedTxs(ctx); err != nil || n != 3 {
		t.Errorf("num_unconfirmed_txs: %d, %v", n, err)
	}
	joined := strings.Join(*seen, "\n")
	for _, want := range []string{`POST / {"id":1,"jsonrpc":"2.0","method":"broadcast_tx_commit","params":{"tx":"Y2FzOms6eDp5OjE="}}`,
		`GET /abci_query?data=%22abc%22&path=%22%2Fkey%22`, `GET /blockchain?maxHeight=3&minHeight=2`} {
		if !strings.Contains(joined, want) {
			t.Errorf("no request %s among\n%s", want, joined)
		}
	}
}

func TestClassifyTxError(t *testing.T) {
	ctx := context.Background()
	r, _ := fakeNode(t, map[string]string{"broadcast_tx_commit": answerTimeout})
	_, err := r.BroadcastTxCommit(ctx, []byte("k=v"))
	if st, msg := classifyTxError(err); st != StatusInfo || !strings.Contains(msg, "timed out") {
		t.Errorf("a commit timeout is %s (%s), want info", st, msg)
	}
	full := &RPCError{Code: -32603, Data: "error on broadcastTxCommit: mempool is full: number of txs 1 (max: 1)"}
	if st, _ := classifyTxError(full); st != StatusFail {
		t.Errorf("a full mempool is %s, want fail", st)
	}
	refused := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}
	if st, _ := classifyTxError(refused); st != StatusFail {
		t.Errorf("a refused connection is %s, want fail", st)
	}
	if st, _ := classifyTxError(fmt.Errorf("read: %w", syscall.ECONNRESET)); st != StatusInfo {
		t.Errorf("a reset connection is %s, want info", st)
	}
	if st, _ := classifyTxError(context.DeadlineExceeded); st != StatusInfo {
		t.Errorf("a client timeout is %s, want info", st)
	}

	refusedNode, _ := fakeNode(t, map[string]string{"broadcast_tx_commit": answerCheckTxRefused})
	res, err := refusedNode.BroadcastTxCommit(ctx, []byte("bad"))
	if err != nil || res.CheckCode != 2 || res.Height != 0 || res.Log != "bad" {
		t.Errorf("a CheckTx refusal: %+v, %v", res, err)
	}
}

func TestDecodeAnswerErrors(t *testing.T) {
	var out struct{}
	var re *RPCError
	if err := decodeAnswer([]byte(answerTimeout), &out); !errors.As(err, &re) || re.Code != -32603 {
		t.Errorf("an error answer decoded as %v", err)
	}
	for _, bad := range []string{``, `{`, `{"result":null}`, `[]`, `{"result":"x"}`} {
		var v struct{ A int }
		if err := decodeAnswer([]byte(bad), &v); !errors.Is(err, ErrBadAnswer) {
			t.Errorf("%q decoded with %v, want ErrBadAnswer", bad, err)
		}
	}
}

// FuzzDecodeAnswer feeds arbitrary node answers to every decoder the harness uses: none may
// panic, and a decoded answer re-decodes the same way.
func FuzzDecodeAnswer(f *testing.F) {
	for _, a := range []string{answerTxCommit, answerCheckTxRefused, answerTimeout, answerQuery, answerStatus, answerMetas, answerBlock, answerResults, answerPool, `{"result":{"height":"x"}}`} {
		f.Add([]byte(a))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []func() any{
			func() any { return new(txCommitJSON) },
			func() any {
				return new(struct {
					BlockMetas []struct {
						Header headerJSON `json:"header"`
					} `json:"block_metas"`
				})
			},
			func() any { return new(struct{ TxsResults []ExecResult }) },
			func() any { return new(struct{ Total int64Text }) },
		}
		for _, mk := range targets {
			a, b := mk(), mk()
			errA, errB := decodeAnswer(body, a), decodeAnswer(bytes.Clone(body), b)
			if (errA == nil) != (errB == nil) || fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("decoding is not deterministic: %v / %v", errA, errB)
			}
		}
	})
}
