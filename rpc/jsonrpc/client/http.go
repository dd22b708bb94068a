package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// maxResponseBytes bounds a response body read by the client.
const maxResponseBytes = 64 << 20

// Client sends JSON-RPC requests over HTTP POST.
type Client struct {
	url    string
	http   *http.Client
	nextID atomic.Int64
}

// New returns a client for remote: "tcp://host:port" or "http://host:port" (plain HTTP),
// "https://host:port", or "unix:///path/to.sock".
func New(remote string) (*Client, error) {
	url, dial, err := parseRemote(remote, "http", "https")
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if dial != nil {
		transport.DialContext = dial
	}
	return &Client{url: url, http: &http.Client{Transport: transport}}, nil
}

// Call invokes method with params (by name; nil for none) and decodes the result into
// result (a pointer; nil to discard it). It returns a *types.RPCError when the server
// answered with an error.
func (c *Client) Call(ctx context.Context, method string, params map[string]any, result any) error {
	id := types.IntID(c.nextID.Add(1))
	req, err := types.MapToRequest(id, method, params)
	if err != nil {
		return fmt.Errorf("%s: encode params: %w", method, err)
	}
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", method, err)
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	httpReq.Header.Set("Content-Type", "application/json")
	httpResp, err := c.http.Do(httpReq)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer httpResp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", method, err)
	}
	var resp types.RPCResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return fmt.Errorf("%s: HTTP %d, not a JSON-RPC response: %w", method, httpResp.StatusCode, err)
	}
	return decodeResponse(method, id, resp, result)
}

// CloseIdleConnections closes idle keep-alive connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// decodeResponse checks resp against the request id and decodes its result.
func decodeResponse(method string, id types.ID, resp types.RPCResponse, result any) error {
	if resp.Error != nil {
		return resp.Error
	}
	if resp.ID != id {
		return fmt.Errorf("%s: response id %s does not match request id %s", method, resp.ID, id)
	}
	if result == nil {
		return nil
	}
	if err := cmtjson.Unmarshal(resp.Result, result); err != nil {
		return fmt.Errorf("%s: decode result: %w", method, err)
	}
	return nil
}

// parseRemote turns a remote address into a URL with one of the two schemes (plain,
// secure) and, for unix sockets, a dialer.
func parseRemote(remote, plain, secure string) (string, func(context.Context, string, string) (net.Conn, error), error) {
	scheme, rest, ok := strings.Cut(remote, "://")
	if !ok {
		return "", nil, fmt.Errorf("invalid remote address %q (want tcp://, %s://, %s:// or unix://)", remote, plain, secure)
	}
	switch scheme {
	case "tcp", plain:
		return plain + "://" + rest, nil, nil
	case secure:
		return secure + "://" + rest, nil, nil
	case "unix":
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", rest)
		}
		return plain + "://unix", dial, nil
	default:
		return "", nil, fmt.Errorf("invalid remote address %q: unknown scheme %q", remote, scheme)
	}
}
