package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/server"
	"github.com/ballot-bft/ballot/libs/log"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// recordingLogger keeps every line's level and message.
type recordingLogger struct {
	mtx   sync.Mutex
	lines *[]string
}

func newRecordingLogger() *recordingLogger { return &recordingLogger{lines: new([]string)} }

func (l *recordingLogger) add(level, msg string) {
	l.mtx.Lock()
	defer l.mtx.Unlock()
	*l.lines = append(*l.lines, level+" "+msg)
}

func (l *recordingLogger) Debug(msg string, _ ...any) { l.add("DEBUG", msg) }
func (l *recordingLogger) Info(msg string, _ ...any)  { l.add("INFO", msg) }
func (l *recordingLogger) Error(msg string, _ ...any) { l.add("ERROR", msg) }
func (l *recordingLogger) With(...any) log.Logger     { return l }

func (l *recordingLogger) count(line string) int {
	l.mtx.Lock()
	defer l.mtx.Unlock()
	n := 0
	for _, got := range *l.lines {
		if got == line {
			n++
		}
	}
	return n
}

// pipeListener is a net.Listener whose connections are in-memory pipes, so a server can run
// inside a synctest bubble.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case conn := <-l.conns:
		return conn, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial connects a new pipe to the listener.
func (l *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	clientEnd, serverEnd := net.Pipe()
	select {
	case l.conns <- serverEnd:
		return clientEnd, nil
	case <-l.closed:
		return nil, syscall.ECONNREFUSED
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// TestRetriesUntilAppIsUp: the app appears 10 s after the client starts; the client dials every
// 3 s, logs each failure once at INFO, connects at 12 s and then works.
func TestRetriesUntilAppIsUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		ln := newPipeListener()
		var mtx sync.Mutex
		var attempts []time.Duration
		up := false
		dial := func(ctx context.Context, network, address string) (net.Conn, error) {
			mtx.Lock()
			attempts = append(attempts, time.Since(start))
			isUp := up
			mtx.Unlock()
			if network != "tcp" || address != "127.0.0.1:26658" {
				return nil, fmt.Errorf("dialed %s %s", network, address)
			}
			if !isUp {
				return nil, syscall.ECONNREFUSED
			}
			return ln.dial(ctx)
		}
		logger := newRecordingLogger()
		c, err := client.NewSocketClient("tcp://127.0.0.1:26658", false,
			client.WithDialer(dial), client.WithLogger(logger), client.WithConnName("query"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		runDone := make(chan error, 1)
		go func() { runDone <- c.Run(ctx) }()

		time.Sleep(10 * time.Second) // virtual time: four attempts fail meanwhile
		synctest.Wait()
		select {
		case <-c.Connected():
			t.Fatal("connected while the app was down")
		default:
		}
		srv, err := server.NewSocketServer("tcp://127.0.0.1:26658", &recordingApp{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		srvCtx, srvCancel := context.WithCancel(t.Context())
		srvDone := make(chan error, 1)
		go func() { srvDone <- srv.Serve(srvCtx, ln) }()
		mtx.Lock()
		up = true
		mtx.Unlock()

		<-c.Connected()
		if got := time.Since(start); got != 12*time.Second {
			t.Fatalf("connected after %v, want 12s", got)
		}
		mtx.Lock()
		want := []time.Duration{0, 3 * time.Second, 6 * time.Second, 9 * time.Second, 12 * time.Second}
		if fmt.Sprint(attempts) != fmt.Sprint(want) {
			t.Fatalf("dial attempts at %v, want %v", attempts, want)
		}
		mtx.Unlock()
		if n := logger.count("INFO abci application not reachable, retrying"); n != 4 {
			t.Fatalf("%d INFO retry lines, want 4 (one per failed dial)", n)
		}
		res, err := c.Info(ctx, &abci.RequestInfo{Version: "v"})
		if err != nil || res.Data != "info:v" {
			t.Fatalf("Info: %v, %v", res, err)
		}
		cancel() // the client stops first; the app keeps running
		if err := <-runDone; err != nil {
			t.Fatalf("Run: %v", err)
		}
		srvCancel()
		if err := <-srvDone; err != nil {
			t.Fatalf("Serve: %v", err)
		}
	})
}

// TestRetryLogIsThrottled: with a 1 s retry interval, failures are logged at INFO at most once
// every 3 s; the rest go to DEBUG.
func TestRetryLogIsThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logger := newRecordingLogger()
		c, err := client.NewSocketClient("unix:///nonexistent/app.sock", false,
			client.WithRetryInterval(time.Second), client.WithLogger(logger),
			client.WithDialer(func(context.Context, string, string) (net.Conn, error) { return nil, syscall.ENOENT }))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 9500*time.Millisecond) // attempts at 0…9 s
		defer cancel()
		if err := c.Run(ctx); err != nil {
			t.Fatalf("Run ended by its context returned %v", err)
		}
		const line = "abci application not reachable, retrying"
		if info, debug := logger.count("INFO "+line), logger.count("DEBUG "+line); info != 4 || debug != 6 {
			t.Fatalf("%d INFO and %d DEBUG lines, want 4 (at 0, 3, 6, 9 s) and 6", info, debug)
		}
		if !errors.Is(c.Error(), client.ErrClientClosed) {
			t.Fatalf("Error() = %v", c.Error())
		}
	})
}

// TestCancelWhileRetrying: cancelling during the wait between dials stops Run at once and fails
// the calls waiting for the connection.
func TestCancelWhileRetrying(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := client.NewSocketClient("tcp://127.0.0.1:1", false, client.WithConnName("consensus"),
			client.WithDialer(func(context.Context, string, string) (net.Conn, error) { return nil, syscall.ECONNREFUSED }))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		runDone := make(chan error, 1)
		go func() { runDone <- c.Run(ctx) }()
		callDone := make(chan error, 1)
		go func() {
			_, err := c.FinalizeBlock(t.Context(), &abci.RequestFinalizeBlock{Height: 1})
			callDone <- err
		}()
		time.Sleep(time.Second)
		synctest.Wait()
		start := time.Now()
		cancel()
		if err := <-runDone; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if err := <-callDone; !errors.Is(err, client.ErrClientClosed) {
			t.Fatalf("waiting call: %v", err)
		}
		if waited := time.Since(start); waited != 0 {
			t.Fatalf("Run took %v to notice the cancellation", waited)
		}
	})
}

// TestCallTimeout: a call to an app that never answers ends exactly at its deadline, and the
// client stays usable.
func TestCallTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln := newPipeListener()
		c, err := client.NewSocketClient("tcp://app:26658", true,
			client.WithDialer(func(ctx context.Context, _, _ string) (net.Conn, error) { return ln.dial(ctx) }))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go func() { _ = c.Run(ctx) }()
		appConn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		go func() { // a silent app that reads and never answers
			buf := make([]byte, 512)
			for {
				if _, err := appConn.Read(buf); err != nil {
					return
				}
			}
		}()
		start := time.Now()
		callCtx, callCancel := context.WithTimeout(ctx, 5*time.Second)
		defer callCancel()
		_, err = c.Query(callCtx, &abci.RequestQuery{})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 5*time.Second {
			t.Fatalf("after %v: %v", time.Since(start), err)
		}
		if err := c.Error(); err != nil {
			t.Fatalf("a timed-out call broke the client: %v", err)
		}
		cancel()
		_ = appConn.Close()
	})
}
