package server

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

func TestWebsocketRequests(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	conn := dialWS(t, s)
	for _, tc := range []struct {
		name  string
		frame string
		want  string
	}{
		{"string id", `{"jsonrpc":"2.0","id":"a","method":"echo","params":{"arg":"x"}}`,
			`{"jsonrpc":"2.0","id":"a","result":{"value":"x"}}`},
		{"int id", `{"jsonrpc":"2.0","id":3,"method":"echo_int","params":["7"]}`,
			`{"jsonrpc":"2.0","id":3,"result":{"value":"7"}}`},
		{"websocket-only route", `{"jsonrpc":"2.0","id":4,"method":"ws_only"}`,
			`{"jsonrpc":"2.0","id":4,"result":{"value":"ws"}}`},
		{"params error is internal over websocket", `{"jsonrpc":"2.0","id":5,"method":"echo_int","params":{"arg":5}}`,
			`{"jsonrpc":"2.0","id":5,"error":{"code":-32603,"message":"Internal error","data":"error converting json params to arguments: invalid 64-bit integer encoding \"5\", expected string"}}`},
		{"method not found", `{"jsonrpc":"2.0","id":6,"method":"nope"}`,
			`{"jsonrpc":"2.0","id":6,"error":{"code":-32601,"message":"Method not found"}}`},
		{"handler error", `{"jsonrpc":"2.0","id":7,"method":"fail","params":["1"]}`,
			`{"jsonrpc":"2.0","id":7,"error":{"code":-32603,"message":"Internal error","data":"height 1 must be less than or equal to the current blockchain height 76"}}`},
		{"parse error", `{"jsonrpc":`,
			`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error. Invalid JSON","data":"error unmarshaling request: unexpected end of JSON input"}}`},
		{"batches are not accepted", `[{"jsonrpc":"2.0","id":1,"method":"health"}]`,
			`{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error. Invalid JSON","data":"error unmarshaling request: json: cannot unmarshal array into Go value of type types.RPCRequest"}}`},
		{"panic", `{"jsonrpc":"2.0","id":8,"method":"panic"}`,
			`{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"route exploded"}}`},
		{"remote address", `{"jsonrpc":"2.0","id":9,"method":"remote"}`,
			`{"jsonrpc":"2.0","id":9,"result":{"value":"` + conn.LocalAddr().String() + `"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wsCall(t, conn, tc.frame); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// A notification gets no response: the next frame answers the next request.
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","method":"health"}`)); err != nil {
		t.Fatal(err)
	}
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":10,"method":"health"}`); got != `{"jsonrpc":"2.0","id":10,"result":{}}` {
		t.Fatalf("after a notification got %s", got)
	}
}

func TestWebsocketReadLimit(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig(), WSReadLimit(100))
	conn := dialWS(t, s)
	if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":1,"method":"echo","params":["`+strings.Repeat("x", 200)+`"]}`)); err != nil {
		t.Fatal(err)
	}
	_, _, err := conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("oversized message: %v, want close 1009", err)
	}
}

func TestWebsocketUpgradeRequired(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	r := do(t, "GET", s.url+"/websocket", "")
	if r.status != 400 || r.body != "Bad Request\n" {
		t.Fatalf("plain GET /websocket: HTTP %d %s", r.status, r.body)
	}
}

// newBlockEvent is a registered event payload for the subscription tests.
type newBlockEvent struct {
	Height int64 `json:"height"`
}

func init() { cmtjson.RegisterType(newBlockEvent{}, "test/event/NewBlock") }

// resultEvent is what subscribers receive, as in rpc.md §6.1.
type resultEvent struct {
	Query  string              `json:"query"`
	Data   any                 `json:"data"`
	Events map[string][]string `json:"events"`
}

// subscriptionRoutes implements subscribe/unsubscribe on libs/pubsub the way the node's
// routes are meant to, plus a route that publishes while it subscribes.
func subscriptionRoutes(bus *pubsub.Server) map[string]*RPCFunc {
	routes := testRoutes()
	subscribe := func(ctx *types.Context, q string, publishFirst bool) (*resultEmpty, error) {
		parsed, err := query.Parse(q)
		if err != nil {
			return nil, err
		}
		sub, err := bus.Subscribe(ctx.Context(), ctx.RemoteAddr(), parsed, 100)
		if err != nil {
			return nil, err
		}
		ForwardEvents(ctx.WSConn, ctx.JSONReq.ID, sub, func(msg pubsub.Message) any {
			return &resultEvent{Query: q, Data: msg.Data(), Events: msg.Events()}
		}, false)
		if publishFirst {
			// Published before the reply is queued: it must still arrive after it.
			_ = bus.PublishWithEvents(context.Background(), newBlockEvent{Height: 1}, map[string][]string{"tm.event": {"NewBlock"}})
		}
		return &resultEmpty{}, nil
	}
	routes["subscribe"] = NewWSRPCFunc(func(ctx *types.Context, q string) (*resultEmpty, error) {
		return subscribe(ctx, q, false)
	}, "query")
	routes["subscribe_publish"] = NewWSRPCFunc(func(ctx *types.Context, q string) (*resultEmpty, error) {
		return subscribe(ctx, q, true)
	}, "query")
	routes["unsubscribe"] = NewWSRPCFunc(func(ctx *types.Context, q string) (*resultEmpty, error) {
		parsed, err := query.Parse(q)
		if err != nil {
			return nil, err
		}
		if err := bus.Unsubscribe(ctx.Context(), ctx.RemoteAddr(), parsed); err != nil {
			return nil, err
		}
		return &resultEmpty{}, nil
	}, "query")
	return routes
}

func TestWebsocketSubscriptions(t *testing.T) {
	bus := pubsub.NewServer()
	busCtx, stopBus := context.WithCancel(context.Background())
	busDone := make(chan error, 1)
	go func() { busDone <- bus.Run(busCtx) }()
	defer func() { stopBus(); <-busDone }()

	disconnected := make(chan string, 1)
	s := startServer(t, subscriptionRoutes(bus), DefaultConfig(), WSOnDisconnect(func(addr string) {
		_ = bus.UnsubscribeAll(context.Background(), addr)
		disconnected <- addr
	}))
	conn := dialWS(t, s)
	publish := func(h int64) {
		t.Helper()
		if err := bus.PublishWithEvents(context.Background(), newBlockEvent{Height: h}, map[string][]string{"tm.event": {"NewBlock"}}); err != nil {
			t.Fatal(err)
		}
	}
	event := func(id string, h string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"result":{"query":"tm.event='NewBlock'","data":{"type":"test/event/NewBlock","value":{"height":"` + h + `"}},"events":{"tm.event":["NewBlock"]}}}`
	}

	// The reply to subscribe comes first even when an event is published before it.
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":"nb","method":"subscribe_publish","params":{"query":"tm.event='NewBlock'"}}`); got != `{"jsonrpc":"2.0","id":"nb","result":{}}` {
		t.Fatalf("subscribe reply: %s", got)
	}
	if got := wsRead(t, conn); got != event(`"nb"`, "1") {
		t.Fatalf("first event: %s", got)
	}
	publish(2)
	if got := wsRead(t, conn); got != event(`"nb"`, "2") {
		t.Fatalf("second event: %s", got)
	}

	// After unsubscribe nothing more arrives: the next frame is the next reply.
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":1,"method":"unsubscribe","params":["tm.event='NewBlock'"]}`); got != `{"jsonrpc":"2.0","id":1,"result":{}}` {
		t.Fatalf("unsubscribe reply: %s", got)
	}
	publish(3)
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":2,"method":"health"}`); got != `{"jsonrpc":"2.0","id":2,"result":{}}` {
		t.Fatalf("after unsubscribe: %s", got)
	}

	// Same query twice from one client: the route's error comes back as -32603.
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":3,"method":"subscribe","params":["tm.event='NewBlock'"]}`); got != `{"jsonrpc":"2.0","id":3,"result":{}}` {
		t.Fatalf("resubscribe: %s", got)
	}
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":4,"method":"subscribe","params":["tm.event='NewBlock'"]}`); got != `{"jsonrpc":"2.0","id":4,"error":{"code":-32603,"message":"Internal error","data":"already subscribed"}}` {
		t.Fatalf("duplicate subscribe: %s", got)
	}

	// The event bus stopping cancels the subscription with CometBFT's reason.
	stopBus()
	if err := <-busDone; err != nil {
		t.Fatal(err)
	}
	busDone <- nil
	if got := wsRead(t, conn); got != `{"jsonrpc":"2.0","id":3,"error":{"code":-32000,"message":"Server error","data":"subscription was canceled (reason: CometBFT exited)"}}` {
		t.Fatalf("cancellation notice: %s", got)
	}

	// Closing the connection runs the disconnect hook with the client's address.
	local := conn.LocalAddr().String()
	conn.Close()
	if addr := <-disconnected; addr != local {
		t.Fatalf("OnDisconnect(%q), want %q", addr, local)
	}
}

// fakeSource is an EventSource the test feeds by hand.
type fakeSource struct {
	out      chan pubsub.Message
	canceled chan struct{}
	err      error
}

func (f *fakeSource) Out() <-chan pubsub.Message { return f.out }
func (f *fakeSource) Canceled() <-chan struct{}  { return f.canceled }
func (f *fakeSource) Err() error                 { return f.err }

// smallBufferListener shrinks the kernel send buffer of accepted connections so that a
// client that stops reading blocks the server's writer after a few messages.
type smallBufferListener struct{ net.Listener }

func (l smallBufferListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetWriteBuffer(4096)
	}
	return c, err
}

// TestSlowWebsocketClient: a client that stops reading fills its send queue and is
// disconnected; the publisher side never blocks and other clients keep being served.
func TestSlowWebsocketClient(t *testing.T) {
	src := &fakeSource{out: make(chan pubsub.Message), canceled: make(chan struct{})}
	conns := make(chan types.WSConn, 1)
	routes := testRoutes()
	routes["feed"] = NewWSRPCFunc(func(ctx *types.Context) (*resultEmpty, error) {
		conns <- ctx.WSConn
		ForwardEvents(ctx.WSConn, ctx.JSONReq.ID, src, func(pubsub.Message) any {
			return &resultBytes{make([]byte, 256<<10)}
		}, true)
		return &resultEmpty{}, nil
	}, "")
	ln, err := Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := serveOn(t, smallBufferListener{ln}, routes, DefaultConfig(), WSWriteQueueSize(2))

	fast := dialWS(t, s)
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tcp, ok := c.(*net.TCPConn); ok {
			_ = tcp.SetReadBuffer(4096)
		}
		return c, err
	}}
	slow, resp, err := dialer.Dial("ws://"+s.addr+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	defer slow.Close()
	if got := wsCall(t, slow, `{"jsonrpc":"2.0","id":"feed","method":"feed"}`); got != `{"jsonrpc":"2.0","id":"feed","result":{}}` {
		t.Fatalf("feed reply: %s", got)
	}
	server := <-conns

	// The slow client reads nothing more. Publish until the server gives up on it; every
	// send is taken at once by the forwarder, which never waits on the socket.
	sent := 0
	for dropped := false; !dropped; {
		if sent == 1000 {
			t.Fatal("slow client never dropped after 1000 events")
		}
		select {
		case src.out <- pubsub.Message{}:
			sent++
		case <-server.Context().Done():
			dropped = true
		}
	}
	t.Logf("slow client dropped after %d events", sent)

	// Other clients are unaffected.
	if got := wsCall(t, fast, `{"jsonrpc":"2.0","id":1,"method":"health"}`); got != `{"jsonrpc":"2.0","id":1,"result":{}}` {
		t.Fatalf("fast client: %s", got)
	}
	do(t, "GET", s.url+"/health", "").expect(t, 200, `{"jsonrpc":"2.0","id":-1,"result":{}}`)

	// The slow client finds its connection dropped (no close frame) once it drains what
	// was sent.
	for {
		if _, _, err := slow.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, websocket.CloseAbnormalClosure) {
				t.Fatalf("slow client: %v, want an abnormal closure", err)
			}
			break
		}
	}
}

// TestWebsocketShutdown: stopping the server sends "going away" to websocket clients and
// Serve returns nil.
func TestWebsocketShutdown(t *testing.T) {
	s := startServer(t, testRoutes(), DefaultConfig())
	conn := dialWS(t, s)
	if got := wsCall(t, conn, `{"jsonrpc":"2.0","id":1,"method":"health"}`); got != `{"jsonrpc":"2.0","id":1,"result":{}}` {
		t.Fatal(got)
	}
	s.stop()
	_, _, err := conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("after shutdown: %v, want close 1001", err)
	}
}
