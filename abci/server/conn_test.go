package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func frames(t testing.TB, msgs ...proto.Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := protoio.NewDelimitedWriter(&buf)
	for _, m := range msgs {
		if _, err := w.WriteMsg(m); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func readResponses(t *testing.T, data []byte) []*abci.Response {
	t.Helper()
	r := protoio.NewDelimitedReader(bytes.NewReader(data), 1<<20)
	var out []*abci.Response
	for {
		res := &abci.Response{}
		if _, err := r.ReadMsg(res); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("reading responses: %v", err)
		}
		out = append(out, res)
	}
}

// writeRecorder records each Write call separately.
type writeRecorder struct{ writes [][]byte }

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

var (
	reqFlush   = &abci.Request{Value: &abci.Request_Flush{Flush: &abci.RequestFlush{}}}
	reqCheckTx = &abci.Request{Value: &abci.Request_CheckTx{CheckTx: &abci.RequestCheckTx{Tx: []byte("tx")}}}
	reqEcho    = &abci.Request{Value: &abci.Request_Echo{Echo: &abci.RequestEcho{Message: "hi"}}}
)

// TestResponsesFlushedOnFlush: answers are buffered until a Flush is answered.
func TestResponsesFlushedOnFlush(t *testing.T) {
	in := frames(t, reqCheckTx, reqEcho, reqFlush, reqCheckTx)
	var out writeRecorder
	if err := serveStream(t.Context(), types.BaseApplication{}, bytes.NewReader(in), &out); err != nil {
		t.Fatalf("serveStream: %v", err)
	}
	if len(out.writes) != 1 {
		t.Fatalf("%d writes to the socket, want 1 (at the Flush)", len(out.writes))
	}
	res := readResponses(t, out.writes[0])
	if len(res) != 3 || res[0].GetCheckTx() == nil || res[1].GetEcho().GetMessage() != "hi" || res[2].GetFlush() == nil {
		t.Fatalf("flushed responses: %v", res)
	}
}

type failingApp struct{ types.BaseApplication }

func (failingApp) Query(context.Context, *abci.RequestQuery) (*abci.ResponseQuery, error) {
	return nil, errors.New("boom: no such store")
}

func (failingApp) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	return nil, nil
}

// TestExceptions: each failing request is answered (after the responses before it) with an
// exception, and nothing after it is read.
func TestExceptions(t *testing.T) {
	query := &abci.Request{Value: &abci.Request_Query{Query: &abci.RequestQuery{}}}
	commit := &abci.Request{Value: &abci.Request_Commit{Commit: &abci.RequestCommit{}}}
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"app error", frames(t, reqEcho, query, reqFlush), "boom: no such store"},
		{"nil response", frames(t, reqEcho, commit, reqFlush), "app returned a nil response"},
		{"empty request", append(frames(t, reqEcho), 0x00), "empty request (no value set)"},
		{"reserved field (DeliverTx)", append(frames(t, reqEcho), 0x02, 0x4a, 0x00), "empty request (no value set)"},
		{"malformed request", append(frames(t, reqEcho), 0x03, 0xff, 0xff, 0xff), "malformed request: protoio: malformed message"},
		{"malformed length", append(frames(t, reqEcho), bytes.Repeat([]byte{0x80}, 10)...),
			"malformed request: protoio: length prefix longer than 10 bytes: malformed frame length prefix"},
		{"oversized frame", append(frames(t, reqEcho), 0x80, 0x80, 0x80, 0x80, 0x08),
			"malformed request: frame of 2147483648 bytes exceeds the limit of 2147483647"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := append(tc.in, frames(t, reqEcho, reqFlush)...) // never read
			var out bytes.Buffer
			err := serveStream(t.Context(), failingApp{}, bytes.NewReader(in), &out)
			if !errors.Is(err, errRequestFailed) {
				t.Fatalf("serveStream: %v", err)
			}
			res := readResponses(t, out.Bytes())
			if len(res) != 2 || res[0].GetEcho() == nil {
				t.Fatalf("responses %v, want Echo then exception", res)
			}
			got := res[1].GetException().GetError()
			if !strings.HasPrefix(got, tc.want) {
				t.Fatalf("exception %q, want prefix %q", got, tc.want)
			}
		})
	}
}

func TestTruncatedRequestClosesQuietly(t *testing.T) {
	in := frames(t, reqEcho, reqFlush)
	in = append(in, frames(t, reqCheckTx)[:3]...)
	var out bytes.Buffer
	err := serveStream(t.Context(), types.BaseApplication{}, bytes.NewReader(in), &out)
	if err == nil || errors.Is(err, errRequestFailed) || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("serveStream: %v", err)
	}
	if res := readResponses(t, out.Bytes()); len(res) != 2 {
		t.Fatalf("responses %v, want Echo and Flush only", res)
	}
}

// FuzzServeStream feeds arbitrary bytes to a connection's request loop: it must never panic,
// must stop at the end of the input, and whatever it writes must be well-formed responses.
func FuzzServeStream(f *testing.F) {
	f.Add(frames(f, reqEcho, reqCheckTx, reqFlush))
	f.Add([]byte{0x02, 0x12, 0x00, 0x07, 0x42, 0x05, 0x0a, 0x03, 0x61, 0x3d, 0x62, 0x02, 0x12, 0x00})
	f.Add([]byte{0x16, 0x1a, 0x14, 0x0a, 0x07, 0x30, 0x2e, 0x33, 0x38, 0x2e, 0x32, 0x36, 0x10, 0x0b, 0x18, 0x08, 0x22, 0x05, 0x32, 0x2e, 0x30, 0x2e, 0x30})
	f.Add([]byte{0x03, 0xff, 0xff, 0xff})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x07})
	f.Add([]byte{0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		_ = serveStream(context.Background(), types.BaseApplication{}, bytes.NewReader(data), &out)
		r := protoio.NewDelimitedReader(&out, 1<<20)
		for {
			res := &abci.Response{}
			if _, err := r.ReadMsg(res); err != nil {
				if out.Len() != 0 {
					t.Fatalf("server wrote a malformed response stream: %v", err)
				}
				return
			}
			if res.Value == nil {
				t.Fatal("server wrote an empty response")
			}
		}
	})
}
