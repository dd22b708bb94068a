package appconn_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/abci/appconn"
	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/server"
	"github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/libs/log"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// app answers Query with an exception when the path is "/crash".
type app struct{ types.BaseApplication }

func (app) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	if req.Path == "/crash" {
		return nil, errors.New("boom")
	}
	return &abci.ResponseQuery{Log: req.Path}, nil
}

type recordingLogger struct {
	mtx   *sync.Mutex
	lines *[]string
}

func newRecordingLogger() recordingLogger {
	return recordingLogger{mtx: new(sync.Mutex), lines: new([]string)}
}

func (l recordingLogger) add(level, msg string) {
	l.mtx.Lock()
	defer l.mtx.Unlock()
	*l.lines = append(*l.lines, level+" "+msg)
}
func (l recordingLogger) Debug(msg string, _ ...any) { l.add("DEBUG", msg) }
func (l recordingLogger) Info(msg string, _ ...any)  { l.add("INFO", msg) }
func (l recordingLogger) Error(msg string, _ ...any) { l.add("ERROR", msg) }
func (l recordingLogger) With(...any) log.Logger     { return l }

func (l recordingLogger) has(line string) bool {
	l.mtx.Lock()
	defer l.mtx.Unlock()
	for _, got := range *l.lines {
		if got == line {
			return true
		}
	}
	return false
}

// startConns runs conns until the test ends and waits for all four connections.
func startConns(t *testing.T, conns *appconn.Conns) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		done <- conns.Run(ctx)
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	select {
	case <-conns.Connected():
	case err := <-done:
		t.Fatalf("Run ended before connecting: %v", err)
	}
	return done
}

func serveApp(t *testing.T) string {
	t.Helper()
	srv, err := server.NewSocketServer("tcp://127.0.0.1:0", app{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case <-srv.Ready():
	case err := <-done:
		t.Fatalf("server: %v", err)
	}
	return "tcp://" + srv.ListenAddr().String()
}

// useAll makes one call on each connection.
func useAll(t *testing.T, conns *appconn.Conns) {
	t.Helper()
	ctx := t.Context()
	if res, err := conns.Query().Query(ctx, &abci.RequestQuery{Path: "/p"}); err != nil || res.Log != "/p" {
		t.Fatalf("Query: %v, %v", res, err)
	}
	if _, err := conns.Snapshot().ListSnapshots(ctx, &abci.RequestListSnapshots{}); err != nil {
		t.Fatalf("ListSnapshots: %v", err)
	}
	rr, err := conns.Mempool().CheckTxAsync(ctx, &abci.RequestCheckTx{Tx: []byte("t")}, nil)
	if err != nil {
		t.Fatalf("CheckTxAsync: %v", err)
	}
	if err := conns.Mempool().Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if res, err := rr.Response(); err != nil || res.GetCheckTx() == nil {
		t.Fatalf("CheckTx after Flush: %v, %v", res, err)
	}
	if _, err := conns.Consensus().Commit(ctx, &abci.RequestCommit{}); err != nil {
		t.Fatalf("Commit: %v", err)
	}
}

func TestCreators(t *testing.T) {
	creators := map[string]func(t *testing.T) appconn.ClientCreator{
		"local":          func(*testing.T) appconn.ClientCreator { return appconn.NewLocalCreator(app{}) },
		"local connsync": func(*testing.T) appconn.ClientCreator { return appconn.NewConnSyncLocalCreator(app{}) },
		"socket": func(t *testing.T) appconn.ClientCreator {
			return appconn.NewRemoteCreator(serveApp(t), client.TransportSocket, true)
		},
	}
	for name, creator := range creators {
		t.Run(name, func(t *testing.T) {
			conns, err := appconn.NewConns(creator(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			startConns(t, conns)
			useAll(t, conns)
			if err := conns.Error(); err != nil {
				t.Fatalf("Error() = %v", err)
			}
		})
	}
}

func TestGRPCNotSupported(t *testing.T) {
	_, err := appconn.NewConns(appconn.NewRemoteCreator("tcp://127.0.0.1:1", client.TransportGRPC, true), nil)
	if err == nil || !strings.Contains(err.Error(), "query connection's client") {
		t.Fatalf("NewConns: %v", err)
	}
}

func TestExceptionStopsAllConnections(t *testing.T) {
	for _, name := range []string{"local", "socket"} {
		t.Run(name, func(t *testing.T) {
			creator := appconn.NewLocalCreator(app{})
			if name == "socket" {
				creator = appconn.NewRemoteCreator(serveApp(t), client.TransportSocket, true)
			}
			logger := newRecordingLogger()
			conns, err := appconn.NewConns(creator, logger)
			if err != nil {
				t.Fatal(err)
			}
			done := startConns(t, conns)
			_, err = conns.Query().Query(t.Context(), &abci.RequestQuery{Path: "/crash"})
			const want = "query connection: app returned exception: boom"
			if err == nil || err.Error() != want {
				t.Fatalf("Query: %v", err)
			}
			if err := <-done; err == nil || err.Error() != want {
				t.Fatalf("Run: %v, want %q", err, want)
			}
			if err := conns.Error(); err == nil || err.Error() != want {
				t.Fatalf("Error(): %v", err)
			}
			if !logger.has("ERROR query connection terminated. Did the application crash? Please restart ballot") {
				t.Fatalf("log lines %q", *logger.lines)
			}
			// The other connections were stopped with the node.
			if _, err := conns.Consensus().Commit(t.Context(), &abci.RequestCommit{}); !errors.Is(err, client.ErrClientClosed) {
				t.Fatalf("consensus after the failure: %v", err)
			}
			if err := conns.Mempool().Error(); err == nil || err.Error() != "mempool connection: abci client closed" {
				t.Fatalf("mempool Error(): %v", err)
			}
		})
	}
}

func TestMustConnectFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "tcp://" + ln.Addr().String()
	_ = ln.Close()
	conns, err := appconn.NewConns(appconn.NewRemoteCreator(addr, client.TransportSocket, true), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = conns.Run(t.Context())
	if err == nil || !strings.HasPrefix(err.Error(), "query connection: dialing "+addr) {
		t.Fatalf("Run: %v", err)
	}
	if err := conns.Run(t.Context()); !errors.Is(err, client.ErrAlreadyStarted) {
		t.Fatalf("second Run: %v", err)
	}
}

// orderCreator makes socket clients whose dials are recorded with their connection's name; the
// query connection's app comes up only after 5 s.
type orderCreator struct {
	mtx   sync.Mutex
	dials []string
	ln    *pipeListener
}

func (o *orderCreator) NewClient(conn string) (client.Client, error) {
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		o.mtx.Lock()
		o.dials = append(o.dials, fmt.Sprintf("%s@%v", conn, time.Duration(time.Now().Unix()-946684800)*time.Second))
		o.mtx.Unlock()
		if conn == appconn.ConnQuery && time.Now().Unix()-946684800 < 5 {
			return nil, syscall.ECONNREFUSED
		}
		return o.ln.dial(ctx)
	}
	return client.NewSocketClient("tcp://app:26658", false, client.WithConnName(conn),
		client.WithDialer(dial), client.WithRetryInterval(3*time.Second))
}

// TestConnectOrder: connections are dialed query → snapshot → mempool → consensus, each only once
// the previous one is connected.
func TestConnectOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The bubble's clock starts at 2000-01-01 00:00:00 UTC (Unix 946684800).
		ln := newPipeListener()
		srv, err := server.NewSocketServer("tcp://app:26658", app{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		srvCtx, srvCancel := context.WithCancel(t.Context())
		srvDone := make(chan error, 1)
		go func() { srvDone <- srv.Serve(srvCtx, ln) }()

		creator := &orderCreator{ln: ln}
		conns, err := appconn.NewConns(creator, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- conns.Run(ctx) }()
		<-conns.Connected()
		want := "[query@0s query@3s query@6s snapshot@6s mempool@6s consensus@6s]"
		if got := fmt.Sprint(creator.dials); got != want {
			t.Fatalf("dials %s, want %s", got, want)
		}
		useAll(t, conns)
		cancel() // the node stops first; the app keeps running
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		srvCancel()
		if err := <-srvDone; err != nil {
			t.Fatalf("Serve: %v", err)
		}
	})
}
