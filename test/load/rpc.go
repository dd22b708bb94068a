package load

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *rpcError) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("rpc error %d: %s: %s", e.Code, e.Message, e.Data)
	}
	return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message)
}

// rpcResponse is one JSON-RPC response; Result stays raw until its route is known.
type rpcResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// broadcastResult is the result of broadcast_tx_async and broadcast_tx_sync.
type broadcastResult struct {
	Code      uint32 `json:"code"`
	Log       string `json:"log"`
	Codespace string `json:"codespace"`
	Hash      string `json:"hash"`
}

// errMalformed is wrapped by decoding errors of node replies.
var errMalformed = errors.New("malformed JSON-RPC reply")

// appendBroadcast appends a JSON-RPC request calling method with tx, with the numeric id seq.
func appendBroadcast(dst []byte, method string, seq int64, tx []byte) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, `,"method":"`...)
	dst = append(dst, method...)
	dst = append(dst, `","params":{"tx":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, tx)
	return append(dst, `"}}`...)
}

// decodeResponses parses a reply body holding one response object or a batch array.
func decodeResponses(body []byte) ([]rpcResponse, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: empty body", errMalformed)
	}
	if body[0] == '[' {
		var rs []rpcResponse
		if err := json.Unmarshal(body, &rs); err != nil {
			return nil, fmt.Errorf("%w: %v", errMalformed, err)
		}
		return rs, nil
	}
	var r rpcResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	return []rpcResponse{r}, nil
}

// id returns the response's numeric id, or false for a missing, null or non-numeric one.
func (r *rpcResponse) id() (int64, bool) {
	if len(r.ID) == 0 || string(r.ID) == "null" {
		return 0, false
	}
	v, err := strconv.ParseInt(string(r.ID), 10, 64)
	return v, err == nil
}

// classify turns a broadcast_tx_* response into an outcome and, for non-accepted outcomes, a
// short reason. Mempool admission errors are JSON-RPC errors (-32603 with the text as data); a
// non-zero CheckTx code is a successful reply with that code.
func classify(r *rpcResponse) (Outcome, string) {
	if r.Error != nil {
		text := r.Error.Data
		if text == "" {
			text = r.Error.Message
		}
		switch {
		case strings.Contains(text, "mempool is full"), strings.Contains(text, "considered as full"):
			return MempoolFull, "mempool is full"
		case strings.Contains(text, "tx already exists in cache"):
			return InCache, "tx already exists in cache"
		}
		return OtherReject, truncate(text, 120)
	}
	if len(r.Result) == 0 || string(r.Result) == "null" {
		return Failed, "reply without result or error"
	}
	var res broadcastResult
	if err := json.Unmarshal(r.Result, &res); err != nil {
		return Failed, truncate("undecodable result: "+err.Error(), 120)
	}
	if res.Code != 0 {
		return CheckTxCode, truncate(fmt.Sprintf("code %d (%s): %s", res.Code, res.Codespace, res.Log), 120)
	}
	return Accepted, ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
