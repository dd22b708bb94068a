package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ballot-bft/ballot/libs/log"
)

// pipeListener is an in-memory listener for tests inside a synctest bubble: Dial makes a
// net.Pipe and queues the server end for Accept (like a kernel backlog).
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn, 16), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

func (l *pipeListener) Dial(context.Context, string, string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// serveInBubble runs Serve on a pipe listener; the returned stop cancels it and checks
// that Serve returned nil.
func serveInBubble(t *testing.T, cfg *Config, wsOpts ...WSOption) (*pipeListener, func()) {
	ln := newPipeListener()
	routes := testRoutes()
	logger := log.NewNop()
	handler := NewHandler(routes, NewWebsocketManager(routes, logger, wsOpts...), logger)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, handler, cfg, logger) }()
	return ln, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
}

func dialPipeWS(t *testing.T, ln *pipeListener) *websocket.Conn {
	dialer := websocket.Dialer{NetDialContext: ln.Dial}
	conn, resp, err := dialer.Dial("ws://pipe/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return conn
}

// TestWebsocketDropsSilentClient: a client that neither sends nor answers pings is dropped
// exactly when the read wait (30 s) runs out.
func TestWebsocketDropsSilentClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		disconnected := make(chan struct{})
		ln, stop := serveInBubble(t, DefaultConfig(), WSOnDisconnect(func(string) { close(disconnected) }))
		defer stop()
		start := time.Now()
		conn := dialPipeWS(t, ln)
		defer conn.Close()
		<-disconnected
		if elapsed := time.Since(start); elapsed != DefaultWSReadWait {
			t.Fatalf("silent client dropped after %v, want %v", elapsed, DefaultWSReadWait)
		}
	})
}

// TestWebsocketKeepalive: the server pings every 27 s and a client that answers stays
// connected indefinitely.
func TestWebsocketKeepalive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		disconnected := make(chan struct{})
		ln, stop := serveInBubble(t, DefaultConfig(), WSOnDisconnect(func(string) { close(disconnected) }))
		defer stop()
		conn := dialPipeWS(t, ln)

		var mu sync.Mutex
		var pings []time.Duration
		start := time.Now()
		conn.SetPingHandler(func(data string) error {
			mu.Lock()
			pings = append(pings, time.Since(start))
			mu.Unlock()
			return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		frames := make(chan string)
		readerDone := make(chan struct{})
		go func() {
			defer close(readerDone)
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return
				}
				frames <- string(data)
			}
		}()

		time.Sleep(100 * time.Second) // fake time: three pings, each answered
		synctest.Wait()
		select {
		case <-disconnected:
			t.Fatal("a client answering pings was dropped")
		default:
		}
		mu.Lock()
		got := append([]time.Duration(nil), pings...)
		mu.Unlock()
		want := []time.Duration{27 * time.Second, 54 * time.Second, 81 * time.Second}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("pings at %v, want %v", got, want)
		}
		if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":1,"method":"health"}`)); err != nil {
			t.Fatal(err)
		}
		if got := <-frames; got != `{"jsonrpc":"2.0","id":1,"result":{}}` {
			t.Fatalf("after 100 s: %s", got)
		}
		conn.Close()
		<-readerDone
		<-disconnected
	})
}

// TestMaxOpenConnections: with a cap of one connection a second client is not served
// until the first one leaves.
func TestMaxOpenConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.MaxOpenConnections = 1
		ln, stop := serveInBubble(t, cfg)
		defer stop()

		first, err := ln.Dial(context.Background(), "", "")
		if err != nil {
			t.Fatal(err)
		}
		if got := rawGet(t, first, "/health"); got != `{"jsonrpc":"2.0","id":-1,"result":{}}` {
			t.Fatalf("first client: %s", got)
		}
		// first stays open (keep-alive), holding the only slot.

		second, err := ln.Dial(context.Background(), "", "")
		if err != nil {
			t.Fatal(err)
		}
		answered := make(chan string, 1)
		go func() { answered <- rawGet(t, second, "/health") }()
		synctest.Wait()
		select {
		case got := <-answered:
			t.Fatalf("second client served while the first held the only connection: %s", got)
		default:
		}

		first.Close()
		if got := <-answered; got != `{"jsonrpc":"2.0","id":-1,"result":{}}` {
			t.Fatalf("second client: %s", got)
		}
		second.Close()
	})
}

// rawGet sends one keep-alive GET on conn and returns the response body.
func rawGet(t *testing.T, conn net.Conn, path string) string {
	req, err := http.NewRequest("GET", "http://pipe"+path, nil)
	if err != nil {
		t.Error(err)
		return ""
	}
	if err := req.Write(conn); err != nil {
		t.Error(err)
		return ""
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Error(err)
	}
	return string(body)
}
