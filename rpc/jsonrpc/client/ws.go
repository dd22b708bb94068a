package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// ErrClosed is returned by calls on a WSClient whose connection has ended.
var ErrClosed = errors.New("websocket client closed")

// WSClient is a JSON-RPC client over one websocket connection. One goroutine reads
// frames and routes each response to the call waiting for its id, or to the subscription
// that owns the id.
type WSClient struct {
	conn    *websocket.Conn
	writeMu sync.Mutex
	nextID  atomic.Int64

	mu      sync.Mutex
	pending map[types.ID]chan types.RPCResponse
	subs    map[types.ID]chan types.RPCResponse
	err     error         // why the connection ended
	done    chan struct{} // closed when the reader exits
}

// DialWS connects to remote's "/websocket": remote is "tcp://host:port",
// "ws://host:port", "wss://host:port" or "unix:///path/to.sock".
func DialWS(ctx context.Context, remote string) (*WSClient, error) {
	url, dial, err := parseRemote(remote, "ws", "wss")
	if err != nil {
		return nil, err
	}
	dialer := websocket.Dialer{NetDialContext: dial}
	conn, resp, err := dialer.DialContext(ctx, url+"/websocket", nil)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", remote, err)
	}
	resp.Body.Close()
	c := &WSClient{
		conn:    conn,
		pending: make(map[types.ID]chan types.RPCResponse),
		subs:    make(map[types.ID]chan types.RPCResponse),
		done:    make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// Call invokes method with params (by name; nil for none) and decodes the result into
// result (nil to discard). It returns a *types.RPCError when the server answered with
// an error, ErrClosed (wrapped) when the connection ended first, or ctx's error.
func (c *WSClient) Call(ctx context.Context, method string, params map[string]any, result any) error {
	id := types.IntID(c.nextID.Add(1))
	resp, err := c.roundTrip(ctx, id, method, params, nil)
	if err != nil {
		return err
	}
	return decodeResponse(method, id, resp, result)
}

// Subscribe sends "subscribe" for query and returns the channel of the responses that
// follow it: events (decode Result with libs/json) and, when the server cancels the
// subscription, a final -32000 error response. The channel is closed when the
// connection ends. Read it promptly: while it is full the client reads nothing else.
func (c *WSClient) Subscribe(ctx context.Context, query string, capacity int) (<-chan types.RPCResponse, error) {
	id := types.StringID("sub-" + strconv.FormatInt(c.nextID.Add(1), 10))
	events := make(chan types.RPCResponse, capacity)
	resp, err := c.roundTrip(ctx, id, "subscribe", map[string]any{"query": query}, events)
	if err != nil {
		return nil, err
	}
	if resp.Error != nil {
		c.mu.Lock()
		delete(c.subs, id)
		c.mu.Unlock()
		return nil, resp.Error
	}
	return events, nil
}

// Close closes the connection and waits for the reader to stop.
func (c *WSClient) Close() error {
	err := c.conn.Close()
	<-c.done
	return err
}

// roundTrip sends one request and waits for the response with its id. When events is
// not nil, later responses with the same id are delivered to it.
func (c *WSClient) roundTrip(ctx context.Context, id types.ID, method string, params map[string]any, events chan types.RPCResponse) (types.RPCResponse, error) {
	req, err := types.MapToRequest(id, method, params)
	if err != nil {
		return types.RPCResponse{}, fmt.Errorf("%s: encode params: %w", method, err)
	}
	frame, err := json.Marshal(req)
	if err != nil {
		return types.RPCResponse{}, fmt.Errorf("%s: encode request: %w", method, err)
	}
	reply := make(chan types.RPCResponse, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return types.RPCResponse{}, c.err
	}
	c.pending[id] = reply
	if events != nil {
		c.subs[id] = events
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()

	c.writeMu.Lock()
	err = c.conn.WriteMessage(websocket.TextMessage, frame)
	c.writeMu.Unlock()
	if err != nil {
		return types.RPCResponse{}, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case resp := <-reply:
		return resp, nil
	case <-c.done:
		c.mu.Lock()
		defer c.mu.Unlock()
		return types.RPCResponse{}, c.err
	case <-ctx.Done():
		return types.RPCResponse{}, ctx.Err()
	}
}

func (c *WSClient) readLoop() {
	var err error
	defer func() {
		c.mu.Lock()
		c.err = fmt.Errorf("%w: %v", ErrClosed, err)
		for id, ch := range c.subs {
			close(ch)
			delete(c.subs, id)
		}
		c.mu.Unlock()
		close(c.done)
	}()
	for {
		var data []byte
		if _, data, err = c.conn.ReadMessage(); err != nil {
			return
		}
		var resp types.RPCResponse
		if json.Unmarshal(data, &resp) != nil {
			continue // not a response: ignore
		}
		c.mu.Lock()
		reply, isReply := c.pending[resp.ID]
		if isReply {
			delete(c.pending, resp.ID)
		}
		events := c.subs[resp.ID]
		c.mu.Unlock()
		switch {
		case isReply:
			reply <- resp // buffered, one response per request
		case events != nil:
			events <- resp
		}
	}
}
