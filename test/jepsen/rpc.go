package jepsen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RPC is a client of one node's JSON-RPC (URI requests over HTTP). Safe for concurrent use.
type RPC struct {
	base   string // http://127.0.0.1:port
	client *http.Client
}

// NewRPC returns a client of the node whose RPC listens on addr ("127.0.0.1:port"). Every call
// is bounded by its context only.
func NewRPC(addr string) *RPC {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	return &RPC{base: "http://" + addr, client: &http.Client{Transport: tr}}
}

// RPCError is a JSON-RPC error answer: the node received the request and refused it.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("rpc error %d %s: %s", e.Code, e.Message, e.Data)
}

// ErrBadAnswer means the node's answer is not the JSON-RPC answer the route gives.
var ErrBadAnswer = errors.New("jepsen: malformed RPC answer")

// call sends GET /route?params and decodes the result into out.
func (r *RPC) call(ctx context.Context, route string, params url.Values, out any) error {
	u := r.base + "/" + route
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	return decodeAnswer(body, out)
}

// post sends a JSON-RPC request with POST and decodes the result into out. Unlike a GET, the
// HTTP client never sends a POST twice (a GET on a reused connection that breaks is retried on
// a new one), so a refused connection means the node never saw the request.
func (r *RPC) post(ctx context.Context, method string, params any, out any) error {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.base+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	return decodeAnswer(answer, out)
}

// decodeAnswer decodes a JSON-RPC answer: its error as an *RPCError, or its result into out.
func decodeAnswer(body []byte, out any) error {
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%w: %v", ErrBadAnswer, err)
	}
	if env.Error != nil {
		return env.Error
	}
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return fmt.Errorf("%w: no result", ErrBadAnswer)
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("%w: %v", ErrBadAnswer, err)
	}
	return nil
}

// int64Text is an int64 the RPC writes as a decimal string (or, leniently, a number).
type int64Text int64

func (n *int64Text) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("integer %s: %w", b, err)
	}
	*n = int64Text(v)
	return nil
}

// quote makes a string URI parameter (the RPC wants JSON strings in quotes).
func quote(s string) string { return `"` + s + `"` }

// TxResult is a broadcast_tx_commit answer.
type TxResult struct {
	CheckCode uint32 // CheckTx's code; non-zero: the transaction was refused and never ran
	Code      uint32 // the block's result code
	Data      []byte // the block's result data
	Log       string
	Height    int64 // the commit height; 0 when CheckTx refused the transaction
}

type txCommitJSON struct {
	CheckTx struct {
		Code uint32 `json:"code"`
		Log  string `json:"log"`
	} `json:"check_tx"`
	TxResult struct {
		Code uint32 `json:"code"`
		Data []byte `json:"data"`
		Log  string `json:"log"`
	} `json:"tx_result"`
	Height int64Text `json:"height"`
}

// BroadcastTxCommit submits tx and waits for it to be committed (or for the node's own
// timeout). An error is an *RPCError when the node answered with one, else a transport error;
// the request is sent at most once (see post), so a refused connection means the node never
// saw the transaction.
func (r *RPC) BroadcastTxCommit(ctx context.Context, tx []byte) (TxResult, error) {
	var out txCommitJSON
	if err := r.post(ctx, "broadcast_tx_commit", map[string]any{"tx": tx}, &out); err != nil {
		return TxResult{}, err
	}
	res := TxResult{CheckCode: out.CheckTx.Code, Code: out.TxResult.Code, Data: out.TxResult.Data, Log: out.TxResult.Log, Height: int64(out.Height)}
	if res.CheckCode != 0 {
		res.Log = out.CheckTx.Log
	}
	return res, nil
}

// QueryResult is an abci_query answer of the kvstore.
type QueryResult struct {
	Code   uint32
	Value  []byte
	Exists bool // the log said "exists"
	Height int64
}

// ABCIQuery reads key from the node's application at height (0: the last committed one).
func (r *RPC) ABCIQuery(ctx context.Context, key string, height int64) (QueryResult, error) {
	var out struct {
		Response struct {
			Code   uint32    `json:"code"`
			Log    string    `json:"log"`
			Value  []byte    `json:"value"`
			Height int64Text `json:"height"`
		} `json:"response"`
	}
	params := url.Values{"path": {quote("/key")}, "data": {quote(key)}}
	if height > 0 {
		params.Set("height", strconv.FormatInt(height, 10))
	}
	if err := r.call(ctx, "abci_query", params, &out); err != nil {
		return QueryResult{}, err
	}
	q := out.Response
	return QueryResult{Code: q.Code, Value: q.Value, Exists: q.Log == "exists", Height: int64(q.Height)}, nil
}

// NodeStatus is the part of /status the harness reads.
type NodeStatus struct {
	ID         string
	Height     int64
	CatchingUp bool
}

// Status asks the node for its latest height.
func (r *RPC) Status(ctx context.Context) (NodeStatus, error) {
	var out struct {
		NodeInfo struct {
			ID string `json:"id"`
		} `json:"node_info"`
		SyncInfo struct {
			Height     int64Text `json:"latest_block_height"`
			CatchingUp bool      `json:"catching_up"`
		} `json:"sync_info"`
	}
	if err := r.call(ctx, "status", nil, &out); err != nil {
		return NodeStatus{}, err
	}
	return NodeStatus{ID: out.NodeInfo.ID, Height: int64(out.SyncInfo.Height), CatchingUp: out.SyncInfo.CatchingUp}, nil
}

// BlockMeta is what the harness compares of one stored block.
type BlockMeta struct {
	Height        int64
	Hash          string
	LastBlockHash string
	AppHash       string // the app hash after the previous block
	NumTxs        int64
}

type blockIDJSON struct {
	Hash string `json:"hash"`
}

type headerJSON struct {
	Height      int64Text   `json:"height"`
	LastBlockID blockIDJSON `json:"last_block_id"`
	AppHash     string      `json:"app_hash"`
}

// BlockMetas returns the metas of heights min..max (at most 20, as /blockchain), lowest first.
func (r *RPC) BlockMetas(ctx context.Context, minHeight, maxHeight int64) ([]BlockMeta, error) {
	var out struct {
		BlockMetas []struct {
			BlockID blockIDJSON `json:"block_id"`
			Header  headerJSON  `json:"header"`
			NumTxs  int64Text   `json:"num_txs"`
		} `json:"block_metas"`
	}
	params := url.Values{"minHeight": {strconv.FormatInt(minHeight, 10)}, "maxHeight": {strconv.FormatInt(maxHeight, 10)}}
	if err := r.call(ctx, "blockchain", params, &out); err != nil {
		return nil, err
	}
	metas := make([]BlockMeta, len(out.BlockMetas))
	for i, m := range out.BlockMetas {
		metas[len(metas)-1-i] = BlockMeta{
			Height: int64(m.Header.Height), Hash: m.BlockID.Hash, LastBlockHash: m.Header.LastBlockID.Hash,
			AppHash: m.Header.AppHash, NumTxs: int64(m.NumTxs),
		}
	}
	return metas, nil
}

// Block is a stored block's hash and transactions.
type Block struct {
	Hash string
	Txs  [][]byte
}

// Block returns the block at height.
func (r *RPC) Block(ctx context.Context, height int64) (Block, error) {
	var out struct {
		BlockID blockIDJSON `json:"block_id"`
		Block   *struct {
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := r.call(ctx, "block", url.Values{"height": {strconv.FormatInt(height, 10)}}, &out); err != nil {
		return Block{}, err
	}
	if out.Block == nil {
		return Block{}, fmt.Errorf("%w: no block at height %d", ErrBadAnswer, height)
	}
	return Block{Hash: out.BlockID.Hash, Txs: out.Block.Data.Txs}, nil
}

// ExecResult is one transaction's result in /block_results.
type ExecResult struct {
	Code uint32 `json:"code"`
	Data []byte `json:"data"`
}

// BlockResults returns the results of the transactions of the block at height, in block order.
func (r *RPC) BlockResults(ctx context.Context, height int64) ([]ExecResult, error) {
	var out struct {
		TxsResults []ExecResult `json:"txs_results"`
	}
	if err := r.call(ctx, "block_results", url.Values{"height": {strconv.FormatInt(height, 10)}}, &out); err != nil {
		return nil, err
	}
	return out.TxsResults, nil
}

// NumUnconfirmedTxs returns how many transactions the node's mempool holds.
func (r *RPC) NumUnconfirmedTxs(ctx context.Context) (int, error) {
	var out struct {
		Total int64Text `json:"total"`
	}
	if err := r.call(ctx, "num_unconfirmed_txs", nil, &out); err != nil {
		return 0, err
	}
	return int(out.Total), nil
}
