package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/server"
	"github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// serve runs a SocketServer of app on a fresh loopback address of the given network ("tcp" or
// "unix") until the test ends, and returns the address to dial.
func serve(t *testing.T, network string, app types.Application) string {
	t.Helper()
	addr := "tcp://127.0.0.1:0"
	if network == "unix" {
		addr = "unix://" + filepath.Join(t.TempDir(), "app.sock")
	}
	ln, err := server.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewSocketServer(addr, app, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	return network + "://" + ln.Addr().String()
}

// run starts c.Run until the test ends and waits for the connection; it returns a channel that
// receives Run's result.
func run(t *testing.T, c client.Client) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		done <- c.Run(ctx)
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		<-exited
	})
	select {
	case <-c.Connected():
	case err := <-done:
		t.Fatalf("client stopped before connecting: %v", err)
	}
	return done
}

func dialSocket(t *testing.T, addr string, opts ...client.Option) *client.SocketClient {
	t.Helper()
	c, err := client.NewSocketClient(addr, true, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recordingApp records every request it receives, in order, and answers with canned responses;
// methods listed in fail return that error instead.
type recordingApp struct {
	types.BaseApplication
	mtx      sync.Mutex
	requests []proto.Message
	fail     map[string]error
}

func (a *recordingApp) record(method string, req proto.Message) error {
	a.mtx.Lock()
	defer a.mtx.Unlock()
	a.requests = append(a.requests, req)
	return a.fail[method]
}

func (a *recordingApp) seen() []proto.Message {
	a.mtx.Lock()
	defer a.mtx.Unlock()
	return append([]proto.Message(nil), a.requests...)
}

func answer[Res any](err error, res *Res) (*Res, error) {
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (a *recordingApp) Info(_ context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	return answer(a.record("Info", req), &abci.ResponseInfo{Data: "info:" + req.Version, LastBlockHeight: 7})
}

func (a *recordingApp) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	return answer(a.record("Query", req), &abci.ResponseQuery{Value: req.Data, Height: req.Height, Log: req.Path})
}

func (a *recordingApp) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	return answer(a.record("CheckTx", req), &abci.ResponseCheckTx{Data: req.Tx, GasWanted: int64(len(req.Tx))})
}

func (a *recordingApp) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	return answer(a.record("InitChain", req), &abci.ResponseInitChain{AppHash: []byte(req.ChainId)})
}

func (a *recordingApp) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	return answer(a.record("PrepareProposal", req), &abci.ResponsePrepareProposal{Txs: req.Txs})
}

func (a *recordingApp) ProcessProposal(_ context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	return answer(a.record("ProcessProposal", req), &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT})
}

func (a *recordingApp) ExtendVote(_ context.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	return answer(a.record("ExtendVote", req), &abci.ResponseExtendVote{VoteExtension: []byte(fmt.Sprintf("ext-%d", req.Height))})
}

func (a *recordingApp) VerifyVoteExtension(_ context.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	return answer(a.record("VerifyVoteExtension", req), &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT})
}

func (a *recordingApp) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	return answer(a.record("FinalizeBlock", req), &abci.ResponseFinalizeBlock{AppHash: req.Hash, TxResults: []*abci.ExecTxResult{{Code: 3}}})
}

func (a *recordingApp) Commit(_ context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	return answer(a.record("Commit", req), &abci.ResponseCommit{RetainHeight: 5})
}

func (a *recordingApp) ListSnapshots(_ context.Context, req *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	return answer(a.record("ListSnapshots", req), &abci.ResponseListSnapshots{Snapshots: []*abci.Snapshot{{Height: 9, Chunks: 2}}})
}

func (a *recordingApp) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	return answer(a.record("OfferSnapshot", req), &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ACCEPT})
}

func (a *recordingApp) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	return answer(a.record("LoadSnapshotChunk", req), &abci.ResponseLoadSnapshotChunk{Chunk: []byte{byte(req.Chunk)}})
}

func (a *recordingApp) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	return answer(a.record("ApplySnapshotChunk", req), &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{1, 2}})
}

// errBoom is what failing apps return.
var errBoom = errors.New("boom: the app fell over")

// fakeApp listens on a loopback port for a fake app the test plays by hand: accept returns the
// next connection, from which the test reads requests and to which it writes whatever it likes.
func fakeApp(t *testing.T) (addr string, accept func() net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return "tcp://" + ln.Addr().String(), func() net.Conn {
		t.Helper()
		conn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	}
}
