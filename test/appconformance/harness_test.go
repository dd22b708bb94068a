package appconformance

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/abci/server"
	"github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// served is an application behind an in-process socket server on a loopback port, which can
// be restarted on the same address. The listening socket stays open across restarts: were it
// closed, a connection of a test running in parallel could take its port meanwhile.
type served struct {
	t    *testing.T
	ln   *net.TCPListener
	addr string // host:port
	open func() types.Application
	app  types.Application

	cancel context.CancelFunc
	done   chan error
}

// serve starts open()'s application on a fresh loopback port; it stops when the test ends.
func serve(t *testing.T, open func() types.Application) *served {
	t.Helper()
	ln, err := server.Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tcp, ok := ln.(*net.TCPListener)
	if !ok {
		t.Fatalf("listener %T, want TCP", ln)
	}
	s := &served{t: t, ln: tcp, addr: ln.Addr().String(), open: open}
	t.Cleanup(func() { s.stop(); tcp.Close() })
	s.start()
	return s
}

// keptListener hands a server the shared socket; the server's Close ends its Accept (through
// a past deadline) and leaves the socket open.
type keptListener struct{ *net.TCPListener }

func (l keptListener) Close() error { return l.SetDeadline(time.Unix(1, 0)) }

func (s *served) start() {
	s.t.Helper()
	s.app = s.open()
	srv, err := server.NewSocketServer("tcp://"+s.addr, s.app, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.ln.SetDeadline(time.Time{}); err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan error, 1)
	go func() { s.done <- srv.Serve(ctx, keptListener{s.ln}) }()
}

func (s *served) stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	if err := <-s.done; err != nil {
		s.t.Errorf("server: %v", err)
	}
	s.cancel = nil
	if c, ok := s.app.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			s.t.Errorf("closing the app: %v", err)
		}
	}
}

// restart stops the server and the app and starts both again on the same socket.
func (s *served) restart(context.Context) error {
	s.stop()
	s.start()
	return nil
}

func (s *served) url() string { return "tcp://" + s.addr }

func persistentKVStore(t *testing.T) func() types.Application {
	dir := t.TempDir()
	return func() types.Application {
		app, err := kvstore.NewPersistentApplication(dir, kvstore.Options{SnapshotInterval: 10, SnapshotChunkSize: 256})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
}

func TestBallotKVStoreConforms(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		apps := []*served{serve(t, persistentKVStore(t)), serve(t, persistentKVStore(t))}
		var log strings.Builder
		rep, err := Run(context.Background(), Config{
			Apps:      []string{apps[0].url(), apps[1].url()},
			Heights:   40,
			Seed:      seed,
			BallotOps: true,
			Strict:    true,
			Restart:   func(ctx context.Context, i int) error { return apps[i].restart(ctx) },
			Log:       &log,
		})
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, log.String())
		}
		if rep.Heights != 40 || !rep.Restarted || rep.Replayed != 0 || rep.Txs == 0 || rep.Rejected == 0 ||
			rep.Snapshots != 2 || rep.VoteExtended != 40 || len(rep.AppHash) != 8 {
			t.Errorf("seed %d: report %+v", seed, rep)
		}
		if !strings.Contains(log.String(), "PASS seed=") {
			t.Errorf("seed %d: no summary line in the log", seed)
		}
	}
}

func TestSameSeedSameChain(t *testing.T) {
	run := func() *Report {
		app := serve(t, func() types.Application { return kvstore.NewInMemoryApplication(kvstore.Options{}) })
		rep, err := Run(context.Background(), Config{Apps: []string{app.url()}, Heights: 25, Seed: 99, RestartAt: -1, BallotOps: true})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	a, b := run(), run()
	if a.String() != b.String() {
		t.Fatalf("seed 99 ran two different chains:\n%s\n%s", a, b)
	}
}

func TestAppThatForgetsIsReplayed(t *testing.T) {
	// An in-memory kvstore loses everything when restarted; the harness re-initializes and
	// replays it like a node's handshake, and the replay must reproduce every answer.
	app := serve(t, func() types.Application { return kvstore.NewInMemoryApplication(kvstore.Options{}) })
	rep, err := Run(context.Background(), Config{Apps: []string{app.url()}, Heights: 20, Seed: 5, RestartAt: 12,
		Restart: func(ctx context.Context, _ int) error { return app.restart(ctx) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replayed != 12 {
		t.Errorf("replayed %d blocks, want 12", rep.Replayed)
	}
}

// faulty wraps the kvstore and misbehaves from height `from` on.
type faulty struct {
	*kvstore.Application
	from   int64
	fault  string
	height atomic.Int64
}

func (f *faulty) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	f.height.Store(req.Height)
	res, err := f.Application.FinalizeBlock(ctx, req)
	if err != nil || req.Height < f.from {
		return res, err
	}
	switch f.fault {
	case "app hash":
		res.AppHash = append([]byte{0xff}, res.AppHash[1:]...)
	case "results":
		res.TxResults = res.TxResults[:len(res.TxResults)/2]
	case "result code":
		for _, r := range res.TxResults {
			r.Code = 99
		}
	}
	return res, nil
}

func (f *faulty) Info(ctx context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	res, err := f.Application.Info(ctx, req)
	if err == nil && f.fault == "info" && f.height.Load() >= f.from {
		res.LastBlockHeight--
	}
	return res, err
}

func (f *faulty) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	res, err := f.Application.CheckTx(ctx, req)
	if err == nil && f.fault == "check tx" {
		res.GasWanted = 2
	}
	return res, err
}

func TestDetectsFaults(t *testing.T) {
	for _, c := range []struct {
		fault string
		rule  string
	}{
		{"app hash", "app hashes differ"},
		{"results", "tx results for"},
		{"result code", "tx result 0: code"},
		{"info", "Info reports height"},
		{"check tx", "gas_wanted 1 vs 2"},
	} {
		t.Run(c.fault, func(t *testing.T) {
			good := serve(t, func() types.Application { return kvstore.NewInMemoryApplication(kvstore.Options{}) })
			bad := serve(t, func() types.Application {
				return &faulty{Application: kvstore.NewInMemoryApplication(kvstore.Options{}), from: 7, fault: c.fault}
			})
			_, err := Run(context.Background(), Config{Apps: []string{good.url(), bad.url()}, Heights: 20, Seed: 11, MaxTxsPerBlock: 20})
			var f *Failure
			if !errors.As(err, &f) {
				t.Fatalf("want a *Failure, got %v", err)
			}
			if f.Seed != 11 || !strings.Contains(err.Error(), "seed 11") || !strings.Contains(f.Rule, c.rule) {
				t.Fatalf("failure %q: want seed 11 and %q", err, c.rule)
			}
			if c.fault != "check tx" && f.Height != 7 {
				t.Errorf("failure at height %d, want 7: %v", f.Height, err)
			}
		})
	}
}

func TestRefusesAppWithState(t *testing.T) {
	app := serve(t, func() types.Application { return kvstore.NewInMemoryApplication(kvstore.Options{}) })
	if _, err := Run(context.Background(), Config{Apps: []string{app.url()}, Heights: 3, Seed: 1, RestartAt: -1}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Config{Apps: []string{app.url()}, Heights: 3, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "needs apps without state") {
		t.Fatalf("second run on the same app: %v", err)
	}
}

func TestUnreachableApp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Run(context.Background(), Config{Apps: []string{"tcp://" + addr}, ConnectTimeout: time.Nanosecond})
	if err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("unreachable app: %v", err)
	}
}

func TestReportOfARun(t *testing.T) {
	apps := []*served{serve(t, persistentKVStore(t)), serve(t, persistentKVStore(t))}
	var log strings.Builder
	rep, err := Run(context.Background(), Config{Apps: []string{apps[0].url(), apps[1].url()}, Heights: 30, Seed: 4, BallotOps: true, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if n := strings.Count(log.String(), "\nheight ") + 1; n != 30 {
		t.Errorf("%d progress lines, want 30", n)
	}
	if !strings.Contains(log.String(), "restarted after height 15 (replayed 0 blocks)") {
		t.Errorf("no restart line:\n%s", log.String())
	}
}
