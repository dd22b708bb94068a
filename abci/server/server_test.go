package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/abci/server"
	"github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// rawConn is a hand-driven ABCI client connection.
type rawConn struct {
	conn net.Conn
	r    *protoio.Reader
	w    *protoio.Writer
}

func dial(t *testing.T, network, address string) *rawConn {
	t.Helper()
	conn, err := net.Dial(network, address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &rawConn{conn: conn, r: protoio.NewDelimitedReader(bufio.NewReader(conn), 1<<20), w: protoio.NewDelimitedWriter(conn)}
}

func (c *rawConn) send(t *testing.T, reqs ...*abci.Request) {
	t.Helper()
	for _, req := range reqs {
		if _, err := c.w.WriteMsg(req); err != nil {
			t.Fatal(err)
		}
	}
}

func (c *rawConn) recv(t *testing.T) *abci.Response {
	t.Helper()
	res := &abci.Response{}
	if _, err := c.r.ReadMsg(res); err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return res
}

var (
	flush = &abci.Request{Value: &abci.Request_Flush{Flush: &abci.RequestFlush{}}}
	info  = &abci.Request{Value: &abci.Request_Info{Info: &abci.RequestInfo{Version: "0.38.26"}}}
	query = &abci.Request{Value: &abci.Request_Query{Query: &abci.RequestQuery{Path: "/fail"}}}
)

type app struct{ types.BaseApplication }

func (app) Info(_ context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	return &abci.ResponseInfo{Data: "hello " + req.Version}, nil
}

func (app) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if req.Path == "/fail" {
		return nil, errors.New("boom")
	}
	return &abci.ResponseQuery{Log: req.Path}, nil
}

// start serves app on addr until the test ends; it returns the listener's address.
func start(t *testing.T, addr string) net.Addr {
	t.Helper()
	srv, err := server.NewSocketServer(addr, app{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := server.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr()
}

func TestManyConnectionsAndExceptionClosesOnlyItsOwn(t *testing.T) {
	addr := start(t, "tcp://127.0.0.1:0")
	conns := make([]*rawConn, 4)
	for i := range conns {
		conns[i] = dial(t, "tcp", addr.String())
	}
	// Pipelined requests on every connection.
	for _, c := range conns {
		c.send(t, info, info, flush)
	}
	for _, c := range conns {
		for range 2 {
			if got := c.recv(t).GetInfo().GetData(); got != "hello 0.38.26" {
				t.Fatalf("Info data %q", got)
			}
		}
		if c.recv(t).GetFlush() == nil {
			t.Fatal("want a Flush response")
		}
	}
	// An app error on one connection: exception, then the server closes it.
	conns[0].send(t, query, flush)
	if got := conns[0].recv(t).GetException().GetError(); got != "boom" {
		t.Fatalf("exception %q", got)
	}
	if _, err := conns[0].r.ReadMsg(&abci.Response{}); err != io.EOF {
		t.Fatalf("after the exception: %v, want EOF", err)
	}
	// The others still work.
	conns[1].send(t, info, flush)
	if conns[1].recv(t).GetInfo() == nil || conns[1].recv(t).GetFlush() == nil {
		t.Fatal("other connection broken")
	}
}

func TestShutdownClosesConnections(t *testing.T) {
	srv, err := server.NewSocketServer("tcp://127.0.0.1:0", app{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := server.Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	c := dial(t, "tcp", ln.Addr().String())
	c.send(t, info, flush)
	c.recv(t)
	c.recv(t)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := c.r.ReadMsg(&abci.Response{}); err == nil {
		t.Fatal("connection still open after shutdown")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("listener still open after shutdown")
	}
}

func TestUnixSocketRunAndStaleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.sock")
	// A stale socket file: bound by a listener that is gone but left the file behind.
	stale, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = stale.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("stale socket file missing: %v", err)
	}

	srv, err := server.NewSocketServer("unix://"+path, app{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	if got := srv.ListenAddr().String(); got != path {
		t.Fatalf("ListenAddr = %q, want %q", got, path)
	}
	c := dial(t, "unix", path)
	c.send(t, info, flush)
	if c.recv(t).GetInfo() == nil {
		t.Fatal("no Info response")
	}
	// A second server refuses to steal a live socket.
	if _, err := server.Listen("unix://" + path); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("Listen on a live socket: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket file left behind: %v", err)
	}
}

func TestListenRefusesRegularFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not-a-socket")
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Listen("unix://" + path); err == nil || !strings.Contains(err.Error(), "is not a unix socket") {
		t.Fatalf("Listen: %v", err)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "data" {
		t.Fatal("regular file was touched")
	}
}

func TestBadAddresses(t *testing.T) {
	for _, addr := range []string{"", "udp://127.0.0.1:1", "tcp://", "unix://"} {
		if _, err := server.NewSocketServer(addr, app{}, nil); err == nil {
			t.Errorf("NewSocketServer(%q) accepted", addr)
		}
		if _, err := server.Listen(addr); err == nil {
			t.Errorf("Listen(%q) accepted", addr)
		}
	}
	if _, err := server.NewSocketServer("tcp://127.0.0.1:0", nil, nil); err == nil {
		t.Error("nil app accepted")
	}
}
