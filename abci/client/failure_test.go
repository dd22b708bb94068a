package client_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// readRequests reads n requests from a fake app's connection.
func readRequests(t *testing.T, r *protoio.Reader, n int) []*abci.Request {
	t.Helper()
	reqs := make([]*abci.Request, n)
	for i := range reqs {
		reqs[i] = &abci.Request{}
		if _, err := r.ReadMsg(reqs[i]); err != nil {
			t.Fatalf("fake app reading request %d: %v", i, err)
		}
	}
	return reqs
}

func writeResponse(t *testing.T, conn net.Conn, res *abci.Response) {
	t.Helper()
	if _, err := protoio.NewDelimitedWriter(conn).WriteMsg(res); err != nil {
		t.Fatalf("fake app writing: %v", err)
	}
}

func flushResponse() *abci.Response {
	return &abci.Response{Value: &abci.Response_Flush{Flush: &abci.ResponseFlush{}}}
}

// expectBroken checks that the client is broken with an error that reads want and matches target,
// that Run returned it, and that later calls fail with it at once.
func expectBroken(t *testing.T, c client.Client, runDone <-chan error, callErr error, target error, want string) {
	t.Helper()
	if callErr == nil || !errors.Is(callErr, target) || callErr.Error() != want {
		t.Fatalf("call error = %v, want %q (matching %v)", callErr, want, target)
	}
	if err := <-runDone; err == nil || err.Error() != want {
		t.Fatalf("Run returned %v, want %q", err, want)
	}
	if err := c.Error(); err == nil || err.Error() != want {
		t.Fatalf("Error() = %v, want %q", err, want)
	}
	if _, err := c.Query(t.Context(), &abci.RequestQuery{}); err == nil || err.Error() != want {
		t.Fatalf("later call: %v, want %q", err, want)
	}
	if _, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{}, func(*abci.ResponseCheckTx, error) {
		t.Error("callback of a request refused by a broken client")
	}); err == nil || err.Error() != want {
		t.Fatalf("later CheckTxAsync: %v, want %q", err, want)
	}
}

func TestExceptionBreaksClient(t *testing.T) {
	app := &recordingApp{fail: map[string]error{"Query": errBoom}}
	c := dialSocket(t, serve(t, "tcp", app), client.WithConnName("query"))
	done := run(t, c)
	if _, err := c.Info(t.Context(), &abci.RequestInfo{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Query(t.Context(), &abci.RequestQuery{Path: "/x"})
	var ex *client.ExceptionError
	if !errors.As(err, &ex) || ex.Message != errBoom.Error() {
		t.Fatalf("err = %#v, want an ExceptionError carrying %q", err, errBoom)
	}
	expectBroken(t, c, done, err, ex, "query connection: app returned exception: boom: the app fell over")
}

func TestPendingRequestsFailWithTheError(t *testing.T) {
	// The app fails the first CheckTx of a pipelined batch: every callback gets the error.
	app := &recordingApp{fail: map[string]error{"CheckTx": errBoom}}
	c := dialSocket(t, serve(t, "tcp", app), client.WithConnName("mempool"))
	done := run(t, c)
	var errs []error
	var rrs []*client.ReqRes
	for range 20 {
		rr, err := c.CheckTxAsync(t.Context(), &abci.RequestCheckTx{Tx: []byte("t")}, func(_ *abci.ResponseCheckTx, err error) {
			errs = append(errs, err) // callbacks run one at a time, in order
		})
		if err != nil {
			break // the client may already be broken
		}
		rrs = append(rrs, rr)
	}
	for _, rr := range rrs {
		if _, err := rr.Wait(t.Context()); err == nil {
			t.Fatal("a request completed without error after the exception")
		}
	}
	want := "mempool connection: app returned exception: boom: the app fell over"
	for i, err := range errs {
		if err.Error() != want {
			t.Fatalf("callback %d: %v", i, err)
		}
	}
	if len(errs) != len(rrs) {
		t.Fatalf("%d callbacks for %d requests", len(errs), len(rrs))
	}
	if err := <-done; err == nil || err.Error() != want {
		t.Fatalf("Run: %v", err)
	}
}

func TestMismatchedResponseBreaksClient(t *testing.T) {
	addr, accept := fakeApp(t)
	c := dialSocket(t, addr, client.WithConnName("mempool"))
	done := run(t, c)
	conn := accept()
	go func() {
		readRequests(t, protoio.NewDelimitedReader(bufio.NewReader(conn), 1<<20), 2) // CheckTx, Flush
		writeResponse(t, conn, &abci.Response{Value: &abci.Response_Info{Info: &abci.ResponseInfo{}}})
	}()
	_, err := c.CheckTx(t.Context(), &abci.RequestCheckTx{Tx: []byte("a")})
	expectBroken(t, c, done, err, client.ErrUnexpectedResponse, "mempool connection: unexpected response Info for request CheckTx")
}

func TestUnsolicitedResponseBreaksClient(t *testing.T) {
	addr, accept := fakeApp(t)
	c := dialSocket(t, addr, client.WithConnName("snapshot"))
	done := run(t, c)
	writeResponse(t, accept(), flushResponse())
	err := <-done
	want := "snapshot connection: unexpected response Flush with no request outstanding"
	if !errors.Is(err, client.ErrUnexpectedResponse) || err.Error() != want {
		t.Fatalf("Run: %v, want %q", err, want)
	}
	if _, err := c.ListSnapshots(t.Context(), &abci.RequestListSnapshots{}); err == nil || err.Error() != want {
		t.Fatalf("later call: %v", err)
	}
}

// TestStreamFailures makes the fake app answer a synchronous Info with broken bytes.
func TestStreamFailures(t *testing.T) {
	info, err := protoio.MarshalDelimited(&abci.Response{Value: &abci.Response_Info{Info: &abci.ResponseInfo{Data: "some data"}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		bytes  []byte
		target error
		want   string
	}{
		{"EOF between frames", nil, io.EOF,
			"consensus connection: reading response: app closed the connection: EOF"},
		{"EOF mid-frame", info[:6], io.ErrUnexpectedEOF,
			"consensus connection: reading response: protoio: truncated frame: got 5 of 13 bytes: unexpected EOF"},
		{"EOF mid-prefix", []byte{0x80}, io.ErrUnexpectedEOF,
			"consensus connection: reading response: protoio: reading length prefix: unexpected EOF"},
		{"oversized frame", binary.AppendUvarint(nil, math.MaxInt32+1), protoio.ErrFrameTooLarge,
			"consensus connection: reading response: frame of 2147483648 bytes exceeds the limit of 2147483647"},
		{"malformed varint", bytes.Repeat([]byte{0xff}, 11), protoio.ErrMalformedLength,
			"consensus connection: reading response: protoio: length prefix longer than 10 bytes: malformed frame length prefix"},
		{"malformed message", []byte{0x03, 0xff, 0xff, 0xff}, protoio.ErrMalformedMessage, ""},
		{"empty response", []byte{0x00}, client.ErrUnexpectedResponse,
			"consensus connection: unexpected response empty for request Info"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, accept := fakeApp(t)
			c := dialSocket(t, addr, client.WithConnName("consensus"))
			done := run(t, c)
			conn := accept()
			go func() {
				readRequests(t, protoio.NewDelimitedReader(bufio.NewReader(conn), 1<<20), 2) // Info, Flush
				if _, err := conn.Write(tc.bytes); err != nil {
					t.Errorf("fake app: %v", err)
				}
				if tc.target == io.EOF || tc.target == io.ErrUnexpectedEOF {
					_ = conn.Close()
				}
			}()
			_, err := c.Info(t.Context(), &abci.RequestInfo{})
			want := tc.want
			if want == "" { // the decoder's own text is not ours to pin down
				if err == nil || !strings.HasPrefix(err.Error(), "consensus connection: reading response: protoio: malformed message") {
					t.Fatalf("err = %v", err)
				}
				want = err.Error()
			}
			expectBroken(t, c, done, err, tc.target, want)
		})
	}
}

// TestSyncCallWireBytes checks the exact bytes of a synchronous call: the request, then a Flush.
func TestSyncCallWireBytes(t *testing.T) {
	addr, accept := fakeApp(t)
	c := dialSocket(t, addr)
	run(t, c)
	conn := accept()
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 6)
		if _, err := io.ReadFull(conn, buf); err != nil {
			t.Errorf("fake app: %v", err)
		}
		got <- buf
		writeResponse(t, conn, &abci.Response{Value: &abci.Response_Commit{Commit: &abci.ResponseCommit{RetainHeight: 4}}})
		writeResponse(t, conn, flushResponse())
	}()
	res, err := c.Commit(t.Context(), &abci.RequestCommit{})
	if err != nil || res.RetainHeight != 4 {
		t.Fatalf("Commit: %v, %v", res, err)
	}
	if want := []byte{0x02, 0x5a, 0x00, 0x02, 0x12, 0x00}; !bytes.Equal(<-got, want) {
		t.Fatalf("wire bytes differ from %x", want)
	}
}

func TestRunLifecycle(t *testing.T) {
	c := dialSocket(t, serve(t, "tcp", &recordingApp{}), client.WithConnName("query"))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	<-c.Connected()
	if err := c.Run(ctx); !errors.Is(err, client.ErrAlreadyStarted) {
		t.Fatalf("second Run: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancellation returned %v, want nil", err)
	}
	_, err := c.Info(t.Context(), &abci.RequestInfo{})
	if !errors.Is(err, client.ErrClientClosed) || err.Error() != "query connection: abci client closed" {
		t.Fatalf("call after close: %v", err)
	}
}

func TestMustConnectFailsAtOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String() // bare host:port is tcp
	_ = ln.Close()
	c, err := client.NewSocketClient(addr, true, client.WithConnName("consensus"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Run(t.Context())
	if err == nil || !strings.HasPrefix(err.Error(), "consensus connection: dialing "+addr+": ") {
		t.Fatalf("Run: %v", err)
	}
	if _, err := c.Commit(t.Context(), &abci.RequestCommit{}); err == nil {
		t.Fatal("call on a client that never connected succeeded")
	}
}

func TestCallBeforeRunWaitsForConnection(t *testing.T) {
	c := dialSocket(t, serve(t, "tcp", &recordingApp{}))
	res := make(chan error, 1)
	go func() {
		_, err := c.Echo(t.Context(), "early")
		res <- err
	}()
	run(t, c)
	if err := <-res; err != nil {
		t.Fatal(err)
	}
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct{ addr, network, address string }{
		{"tcp://127.0.0.1:26658", "tcp", "127.0.0.1:26658"},
		{"unix:///tmp/app.sock", "unix", "/tmp/app.sock"},
		{"localhost:26658", "tcp", "localhost:26658"},
	} {
		network, address, err := client.ParseAddr(tc.addr)
		if err != nil || network != tc.network || address != tc.address {
			t.Errorf("ParseAddr(%q) = %q, %q, %v", tc.addr, network, address, err)
		}
	}
	for _, bad := range []string{"", "http://x:1", "tcp://", "unix://"} {
		if _, err := client.NewSocketClient(bad, false); err == nil {
			t.Errorf("address %q accepted", bad)
		}
	}
	if _, err := client.NewClient("tcp://x:1", "grpc", false); err == nil {
		t.Error("grpc transport accepted")
	}
	if _, err := client.NewClient("tcp://x:1", "carrier-pigeon", false); err == nil {
		t.Error("unknown transport accepted")
	}
	if c, err := client.NewClient("tcp://x:1", "socket", false); err != nil || c == nil {
		t.Errorf("socket transport: %v", err)
	}
}

var _ = proto.Equal
