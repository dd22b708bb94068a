package client

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/server"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

type heightResult struct {
	Height int64  `json:"height"`
	Hash   []byte `json:"hash"`
}

type emptyResult struct{}

type eventResult struct {
	Query string `json:"query"`
	Data  any    `json:"data"`
}

type tick struct {
	N int64 `json:"n"`
}

func init() { cmtjson.RegisterType(tick{}, "test/client/Tick") }

// startServer serves a few routes, subscriptions on bus included, on laddr.
func startServer(t *testing.T, laddr string, bus *pubsub.Server) string {
	t.Helper()
	routes := map[string]*server.RPCFunc{
		"block": server.NewRPCFunc(func(_ *types.Context, height int64, hash []byte) (*heightResult, error) {
			return &heightResult{height, hash}, nil
		}, "height,hash"),
		"fail": server.NewRPCFunc(func(*types.Context) (*emptyResult, error) {
			return nil, errors.New("no such block")
		}, ""),
		"subscribe": server.NewWSRPCFunc(func(ctx *types.Context, q string) (*emptyResult, error) {
			parsed, err := query.Parse(q)
			if err != nil {
				return nil, err
			}
			sub, err := bus.Subscribe(ctx.Context(), ctx.RemoteAddr(), parsed, 10)
			if err != nil {
				return nil, err
			}
			server.ForwardEvents(ctx.WSConn, ctx.JSONReq.ID, sub, func(m pubsub.Message) any {
				return &eventResult{Query: q, Data: m.Data()}
			}, false)
			return &emptyResult{}, nil
		}, "query"),
	}
	logger := log.NewNop()
	srv := server.NewServer(server.NewHandler(routes, server.NewWebsocketManager(routes, logger), logger), server.DefaultConfig(), logger)
	addr, err := srv.Listen(laddr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	if addr.Network() == "unix" {
		return "unix://" + addr.String()
	}
	return "tcp://" + addr.String()
}

func TestHTTPClient(t *testing.T) {
	remote := startServer(t, "tcp://127.0.0.1:0", pubsub.NewServer())
	c, err := New(remote)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	var got heightResult
	if err := c.Call(context.Background(), "block", map[string]any{"height": int64(42), "hash": []byte{1, 2}}, &got); err != nil {
		t.Fatal(err)
	}
	if got.Height != 42 || string(got.Hash) != "\x01\x02" {
		t.Fatalf("result %+v", got)
	}
	var rpcErr *types.RPCError
	if err := c.Call(context.Background(), "fail", nil, nil); !errors.As(err, &rpcErr) ||
		rpcErr.Code != types.CodeInternalError || rpcErr.Data != "no such block" {
		t.Fatalf("fail: %v", err)
	}
	if err := c.Call(context.Background(), "nope", nil, nil); !errors.As(err, &rpcErr) || rpcErr.Code != types.CodeMethodNotFound {
		t.Fatalf("unknown method: %v", err)
	}
	if err := c.Call(context.Background(), "block", map[string]any{"height": make(chan int)}, nil); err == nil {
		t.Fatal("unencodable params accepted")
	}
}

func TestHTTPClientUnixSocket(t *testing.T) {
	remote := startServer(t, "unix://"+filepath.Join(t.TempDir(), "rpc.sock"), pubsub.NewServer())
	c, err := New(remote)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	var got heightResult
	if err := c.Call(context.Background(), "block", map[string]any{"height": int64(1)}, &got); err != nil || got.Height != 1 {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestBadRemotes(t *testing.T) {
	for _, remote := range []string{"127.0.0.1:26657", "ftp://x"} {
		if _, err := New(remote); err == nil {
			t.Fatalf("New(%q) succeeded", remote)
		}
		if _, err := DialWS(context.Background(), remote); err == nil {
			t.Fatalf("DialWS(%q) succeeded", remote)
		}
	}
}

func TestWSClient(t *testing.T) {
	bus := pubsub.NewServer()
	remote := startServer(t, "tcp://127.0.0.1:0", bus)
	ctx := context.Background()
	c, err := DialWS(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	var got heightResult
	if err := c.Call(ctx, "block", map[string]any{"height": int64(7)}, &got); err != nil || got.Height != 7 {
		t.Fatalf("%+v %v", got, err)
	}
	var rpcErr *types.RPCError
	if err := c.Call(ctx, "fail", nil, nil); !errors.As(err, &rpcErr) || rpcErr.Data != "no such block" {
		t.Fatalf("fail: %v", err)
	}

	events, err := c.Subscribe(ctx, "tm.event='Tick'", 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, "tm.event='Tick'", 4); !errors.As(err, &rpcErr) || rpcErr.Data != "already subscribed" {
		t.Fatalf("duplicate subscription: %v", err)
	}
	if _, err := c.Subscribe(ctx, "tm.event=", 4); !errors.As(err, &rpcErr) {
		t.Fatalf("bad query: %v", err)
	}
	for n := int64(1); n <= 2; n++ {
		if err := bus.PublishWithEvents(ctx, tick{N: n}, map[string][]string{"tm.event": {"Tick"}}); err != nil {
			t.Fatal(err)
		}
		resp := <-events
		var ev eventResult
		if resp.Error != nil {
			t.Fatal(resp.Error)
		}
		if err := cmtjson.Unmarshal(resp.Result, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Query != "tm.event='Tick'" || ev.Data != (tick{N: n}) {
			t.Fatalf("event %d: %+v", n, ev)
		}
	}

	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-events; open {
		t.Fatal("events channel still open after Close")
	}
	if err := c.Call(ctx, "block", nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}
