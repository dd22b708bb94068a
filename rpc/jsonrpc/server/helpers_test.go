package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// Results of the test routes.
type (
	resultString struct {
		Value string `json:"value"`
	}
	resultInt struct {
		Value int64 `json:"value"`
	}
	resultBytes struct {
		Value []byte `json:"value"`
	}
	resultHex struct {
		Value crypto.HexBytes `json:"value"`
	}
	resultAll struct {
		S  string   `json:"s"`
		I  int64    `json:"i"`
		U  uint     `json:"u"`
		N  int32    `json:"n"`
		B  bool     `json:"b"`
		BZ []byte   `json:"bz"`
		SS []string `json:"ss"`
		P  *int64   `json:"p"`
	}
	resultHeight struct {
		Height *int64 `json:"height"`
	}
	resultEmpty struct{}
)

// testRoutes are the routes most tests serve. extra routes may be added per test.
func testRoutes() map[string]*RPCFunc {
	return map[string]*RPCFunc{
		"health": NewRPCFunc(func(*types.Context) (*resultEmpty, error) { return &resultEmpty{}, nil }, ""),
		"echo": NewRPCFunc(func(_ *types.Context, arg string) (*resultString, error) {
			return &resultString{arg}, nil
		}, "arg"),
		"echo_int": NewRPCFunc(func(_ *types.Context, arg int64) (*resultInt, error) {
			return &resultInt{arg}, nil
		}, "arg"),
		"echo_bytes": NewRPCFunc(func(_ *types.Context, arg []byte) (*resultBytes, error) {
			return &resultBytes{arg}, nil
		}, "arg"),
		"echo_hex": NewRPCFunc(func(_ *types.Context, arg crypto.HexBytes) (*resultHex, error) {
			return &resultHex{arg}, nil
		}, "arg"),
		"all": NewRPCFunc(func(_ *types.Context, s string, i int64, u uint, n int32, b bool, bz []byte, ss []string, p *int64) (*resultAll, error) {
			return &resultAll{s, i, u, n, b, bz, ss, p}, nil
		}, "s,i,u,n,b,bz,ss,p"),
		"block": NewRPCFunc(func(_ *types.Context, height *int64) (*resultHeight, error) {
			return &resultHeight{height}, nil
		}, "height", Cacheable("height")),
		"genesis": NewRPCFunc(func(*types.Context) (*resultEmpty, error) { return &resultEmpty{}, nil }, "", Cacheable()),
		"fail": NewRPCFunc(func(_ *types.Context, height int64) (*resultEmpty, error) {
			return nil, fmt.Errorf("height %d must be less than or equal to the current blockchain height 76", height)
		}, "height", Cacheable()),
		"panic": NewRPCFunc(func(*types.Context) (*resultEmpty, error) { panic("route exploded") }, ""),
		"remote": NewRPCFunc(func(ctx *types.Context) (*resultString, error) {
			return &resultString{ctx.RemoteAddr()}, nil
		}, ""),
		"ws_only": NewWSRPCFunc(func(ctx *types.Context) (*resultString, error) {
			if ctx.WSConn == nil {
				return nil, errors.New("no websocket")
			}
			return &resultString{"ws"}, nil
		}, ""),
	}
}

// testServer is a running server on a loopback port.
type testServer struct {
	url  string // http://127.0.0.1:port
	addr string // 127.0.0.1:port
	stop func() // cancels and waits for Serve to return nil
}

func startServer(t *testing.T, routes map[string]*RPCFunc, cfg *Config, wsOpts ...WSOption) *testServer {
	t.Helper()
	ln, err := Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln, routes, cfg, wsOpts...)
}

func serveOn(t *testing.T, ln net.Listener, routes map[string]*RPCFunc, cfg *Config, wsOpts ...WSOption) *testServer {
	t.Helper()
	logger := log.NewNop()
	handler := NewHandler(routes, NewWebsocketManager(routes, logger, wsOpts...), logger)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, handler, cfg, logger) }()
	var stopped bool
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve returned %v", err)
		}
	}
	t.Cleanup(stop)
	addr := ln.Addr().String()
	return &testServer{url: "http://" + addr, addr: addr, stop: stop}
}

// httpResult is what a test inspects of an HTTP response.
type httpResult struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url, body string) httpResult {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpResult{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (r httpResult) expect(t *testing.T, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Fatalf("got HTTP %d %s\nwant HTTP %d %s", r.status, r.body, status, body)
	}
}

// dialWS opens a websocket to the server.
func dialWS(t *testing.T, s *testServer) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	return conn
}

// wsCall sends one frame and returns the next frame received.
func wsCall(t *testing.T, conn *websocket.Conn, frame string) string {
	t.Helper()
	if err := conn.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
		t.Fatal(err)
	}
	return wsRead(t, conn)
}

func wsRead(t *testing.T, conn *websocket.Conn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil { // a hang guard, not a wait
		t.Fatal(err)
	}
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func httpPostForm(url string, body io.Reader) (string, error) {
	resp, err := http.Post(url, "application/x-www-form-urlencoded", body)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
