package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// rpcClient makes single JSON-RPC calls (status, block) to any endpoint. Safe for concurrent use.
type rpcClient struct {
	http    *http.Client
	timeout time.Duration
}

// maxReplyBytes bounds a read reply body (a block of 22 MB base64-encoded fits).
const maxReplyBytes = 64 << 20

// post sends body to endpoint's JSON-RPC root and returns the reply body.
func (c *rpcClient) post(ctx context.Context, endpoint string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("request to %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return nil, fmt.Errorf("reading reply of %s: %w", endpoint, err)
	}
	return reply, nil
}

// call invokes method with params (marshalled as the params object) and returns the raw result.
func (c *rpcClient) call(ctx context.Context, endpoint, method string, params any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if params == nil {
		params = struct{}{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("encoding %s request: %w", method, err)
	}
	reply, err := c.post(ctx, endpoint, body)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", method, endpoint, err)
	}
	rs, err := decodeResponses(reply)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", method, endpoint, err)
	}
	if rs[0].Error != nil {
		return nil, fmt.Errorf("%s on %s: %w", method, endpoint, rs[0].Error)
	}
	return rs[0].Result, nil
}

// NodeInfo is what a node says about itself in `status`.
type NodeInfo struct {
	Endpoint string `json:"endpoint"`
	ID       string `json:"id"`
	Moniker  string `json:"moniker"`
	Network  string `json:"network"`
	Version  string `json:"version"`
	Height   int64  `json:"height_at_start"`
}

type statusResult struct {
	NodeInfo struct {
		ID      string `json:"id"`
		Network string `json:"network"`
		Version string `json:"version"`
		Moniker string `json:"moniker"`
	} `json:"node_info"`
	SyncInfo struct {
		LatestBlockHeight string `json:"latest_block_height"`
	} `json:"sync_info"`
}

// status fetches endpoint's node info and latest height.
func (c *rpcClient) status(ctx context.Context, endpoint string) (NodeInfo, error) {
	raw, err := c.call(ctx, endpoint, "status", nil)
	if err != nil {
		return NodeInfo{}, err
	}
	var st statusResult
	if err := json.Unmarshal(raw, &st); err != nil {
		return NodeInfo{}, fmt.Errorf("status on %s: %w: %v", endpoint, errMalformed, err)
	}
	h, err := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	if err != nil {
		return NodeInfo{}, fmt.Errorf("status on %s: %w: latest_block_height %q", endpoint, errMalformed, st.SyncInfo.LatestBlockHeight)
	}
	return NodeInfo{Endpoint: endpoint, ID: st.NodeInfo.ID, Moniker: st.NodeInfo.Moniker,
		Network: st.NodeInfo.Network, Version: st.NodeInfo.Version, Height: h}, nil
}

// block fetches the block at height from endpoint.
func (c *rpcClient) block(ctx context.Context, endpoint string, height int64) (Block, error) {
	raw, err := c.call(ctx, endpoint, "block", map[string]string{"height": strconv.FormatInt(height, 10)})
	if err != nil {
		return Block{}, err
	}
	return decodeBlockResult(raw)
}
