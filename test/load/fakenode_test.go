package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pipeNet is an in-memory network: Dial hands the server end of a net.Pipe to Accept. Inside
// a synctest bubble every wait on it is durable, so time is virtual and runs are exact.
type pipeNet struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeNet() *pipeNet { return &pipeNet{conns: make(chan net.Conn), closed: make(chan struct{})} }

func (p *pipeNet) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

func (p *pipeNet) Close() error   { p.once.Do(func() { close(p.closed) }); return nil }
func (p *pipeNet) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 26657} }

func (p *pipeNet) Dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case p.conns <- server:
		return client, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.closed:
		return nil, net.ErrClosed
	}
}

// fakeNode answers the JSON-RPC routes ballot-load uses (status, block, broadcast_tx_async/
// sync over HTTP and websocket, subscribe to NewBlock) and commits its mempool on commit().
type fakeNode struct {
	// policy decides the answer to the n-th broadcast (0-based): "" accepts, "full" and
	// "cache" reject like CometBFT's mempool, "code" is a CheckTx code 1.
	policy      func(n int) string
	maxPerBlock int // 0 = unlimited
	maxBatch    int // like rpc.max_request_batch_size; 0 = unlimited
	// stall, when set, holds every broadcast until it is closed.
	stall chan struct{}

	mu        sync.Mutex
	received  int
	mempool   [][]byte
	height    int64
	blockJSON map[int64]json.RawMessage
	subs      map[*fakeWS]json.RawMessage // subscribed connections → subscribe id
	conns     map[*fakeWS]bool
}

type fakeWS struct {
	mu   sync.Mutex
	conn *websocket.Conn
}

func (c *fakeWS) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

func newFakeNode() *fakeNode {
	return &fakeNode{height: 1, blockJSON: map[int64]json.RawMessage{}, subs: map[*fakeWS]json.RawMessage{}, conns: map[*fakeWS]bool{}}
}

type fakeRequest struct {
	ID     json.RawMessage            `json:"id"`
	Method string                     `json:"method"`
	Params map[string]json.RawMessage `json:"params"`
}

type fakeReply struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Result  any             `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
}

// handle answers one request; ws says it came over the websocket c.
func (f *fakeNode) handle(req fakeRequest, c *fakeWS) fakeReply {
	if f.stall != nil && req.Method != "subscribe" && req.Method != "status" && req.Method != "block" {
		<-f.stall
	}
	reply := fakeReply{JSONRPC: "2.0", ID: req.ID}
	internal := func(data string) fakeReply {
		reply.Error = &rpcError{Code: -32603, Message: "Internal error", Data: data}
		return reply
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch req.Method {
	case "status":
		reply.Result = map[string]any{
			"node_info": map[string]any{"id": "0123456789abcdef0123456789abcdef01234567", "network": "fake-chain",
				"version": "0.38.26", "moniker": "fake0"},
			"sync_info": map[string]any{"latest_block_height": strconv.FormatInt(f.height, 10), "catching_up": false},
		}
	case "block":
		var hs string
		_ = json.Unmarshal(req.Params["height"], &hs)
		h, _ := strconv.ParseInt(hs, 10, 64)
		b, ok := f.blockJSON[h]
		if !ok {
			return internal(fmt.Sprintf("height %d must be less than or equal to the current blockchain height %d", h, f.height))
		}
		reply.Result = json.RawMessage(`{"block_id":{"hash":"","parts":{"total":0,"hash":""}},"block":` + string(b) + `}`)
	case "subscribe":
		if c == nil {
			reply.Error = &rpcError{Code: -32601, Message: "Method not found"}
			return reply
		}
		f.subs[c] = req.ID
		reply.Result = struct{}{}
	case "broadcast_tx_async", "broadcast_tx_sync":
		var tx []byte
		if err := json.Unmarshal(req.Params["tx"], &tx); err != nil {
			reply.Error = &rpcError{Code: -32602, Message: "Invalid params", Data: err.Error()}
			return reply
		}
		n := f.received
		f.received++
		verdict := ""
		if f.policy != nil {
			verdict = f.policy(n)
		}
		switch verdict {
		case "full":
			return internal(fmt.Sprintf("mempool is full: number of txs %d (max: %d), total txs bytes 1 (max: 1073741824)", len(f.mempool), len(f.mempool)))
		case "cache":
			return internal("tx already exists in cache")
		case "code":
			reply.Result = map[string]any{"code": 1, "data": "", "log": "bad tx", "codespace": "test", "hash": "AB"}
			return reply
		}
		f.mempool = append(f.mempool, tx)
		reply.Result = map[string]any{"code": 0, "data": "", "log": "", "codespace": "", "hash": "AB"}
	default:
		reply.Error = &rpcError{Code: -32601, Message: "Method not found"}
	}
	return reply
}

func (f *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/websocket" {
		f.serveWS(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if len(body) > 0 && body[0] == '[' {
		var reqs []fakeRequest
		if err := json.Unmarshal(body, &reqs); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if f.maxBatch > 0 && len(reqs) > f.maxBatch {
			_ = json.NewEncoder(w).Encode(fakeReply{JSONRPC: "2.0", Error: &rpcError{Code: -32600, Message: "Invalid Request",
				Data: fmt.Sprintf("batch request exceeds maximum (%d) allowed number of requests", f.maxBatch)}})
			return
		}
		replies := make([]fakeReply, 0, len(reqs))
		for _, req := range reqs {
			replies = append(replies, f.handle(req, nil))
		}
		_ = json.NewEncoder(w).Encode(replies)
		return
	}
	var req fakeRequest
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(f.handle(req, nil))
}

func (f *fakeNode) serveWS(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &fakeWS{conn: conn}
	f.mu.Lock()
	f.conns[c] = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.subs, c)
		delete(f.conns, c)
		f.mu.Unlock()
		conn.Close()
	}()
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var req fakeRequest
		if err := json.Unmarshal(msg, &req); err != nil {
			return
		}
		if req.Method == "subscribe" {
			if err := c.write(f.handle(req, c)); err != nil {
				return
			}
			continue
		}
		go func() { _ = c.write(f.handle(req, c)) }() // answers may overtake each other, as ids allow

	}
}

// commit makes a block of the mempool (at most maxPerBlock txs) at time now and sends it to
// the subscribers.
func (f *fakeNode) commit(now time.Time) {
	f.mu.Lock()
	n := len(f.mempool)
	if f.maxPerBlock > 0 {
		n = min(n, f.maxPerBlock)
	}
	txs := f.mempool[:n:n]
	f.mempool = f.mempool[n:]
	f.height++
	h := f.height
	block := map[string]any{
		"header": map[string]any{"version": map[string]string{"block": "11"}, "chain_id": "fake-chain",
			"height": strconv.FormatInt(h, 10), "time": now.UTC().Format(time.RFC3339Nano)},
		"data": map[string]any{"txs": txs},
	}
	raw, _ := json.Marshal(block)
	f.blockJSON[h] = raw
	type sub struct {
		c  *fakeWS
		id json.RawMessage
	}
	var subs []sub
	for c, id := range f.subs {
		subs = append(subs, sub{c, id})
	}
	f.mu.Unlock()
	for _, s := range subs {
		_ = s.c.write(fakeReply{JSONRPC: "2.0", ID: s.id, Result: map[string]any{
			"query":  newBlockQuery,
			"data":   map[string]any{"type": newBlockType, "value": map[string]any{"block": json.RawMessage(raw)}},
			"events": map[string][]string{"tm.event": {"NewBlock"}},
		}})
	}
}

// closeConns closes every websocket the node holds (the HTTP server does not track them).
func (f *fakeNode) closeConns() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.conn.Close()
	}
}

// startFake serves f on a pipe network, commits a block every interval, and returns the
// dialer and a stop function. Call inside the test's synctest bubble.
func startFake(t *testing.T, f *fakeNode, interval time.Duration) (func(context.Context, string, string) (net.Conn, error), func()) {
	t.Helper()
	pn := newPipeNet()
	srv := &http.Server{Handler: f}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(pn)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	committed := make(chan struct{})
	go func() {
		defer close(committed)
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-ticker.C:
				f.commit(now)
			}
		}
	}()
	return pn.Dial, func() {
		cancel()
		<-committed
		_ = srv.Close()
		<-served
		f.closeConns()
	}
}
