package protoio_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func checkTx(n int) *abci.Request {
	return &abci.Request{Value: &abci.Request_CheckTx{CheckTx: &abci.RequestCheckTx{Tx: bytes.Repeat([]byte{'t'}, n)}}}
}

func TestRoundTripSizes(t *testing.T) {
	// Body sizes straddling the 1-, 2- and 3-byte prefixes and the Reader's chunked growth.
	var stream bytes.Buffer
	w := protoio.NewDelimitedWriter(&stream)
	sizes := []int{0, 1, 120, 124, 125, 16000, 16380, 200_000, 3}
	var want []*abci.Request
	for _, n := range sizes {
		msg := checkTx(n)
		if n == 0 {
			msg = &abci.Request{}
		}
		written, err := w.WriteMsg(msg)
		if err != nil {
			t.Fatal(err)
		}
		frame, _ := protoio.MarshalDelimited(msg)
		if written != len(frame) {
			t.Fatalf("WriteMsg returned %d, frame is %d bytes", written, len(frame))
		}
		want = append(want, msg)
	}
	r := protoio.NewDelimitedReader(&stream, 1<<20)
	for i, msg := range want {
		got := &abci.Request{}
		if _, err := r.ReadMsg(got); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !proto.Equal(got, msg) {
			t.Fatalf("frame %d differs", i)
		}
	}
	if _, err := r.ReadMsg(&abci.Request{}); err != io.EOF {
		t.Fatalf("after the last frame: err = %v, want io.EOF", err)
	}
}

func TestReadMsgResetsMessage(t *testing.T) {
	frame, _ := protoio.MarshalDelimited(&abci.RequestPrepareProposal{Txs: [][]byte{[]byte("b")}})
	msg := &abci.RequestPrepareProposal{Txs: [][]byte{[]byte("a")}, Height: 9}
	if err := protoio.UnmarshalDelimited(frame, msg); err != nil {
		t.Fatal(err)
	}
	if len(msg.Txs) != 1 || string(msg.Txs[0]) != "b" || msg.Height != 0 {
		t.Fatalf("message not reset before decoding: %v", msg)
	}
}

func TestDecodedMessageDoesNotAliasBuffer(t *testing.T) {
	var stream bytes.Buffer
	w := protoio.NewDelimitedWriter(&stream)
	_, _ = w.WriteMsg(checkTx(8))
	_, _ = w.WriteMsg(&abci.Request{Value: &abci.Request_CheckTx{CheckTx: &abci.RequestCheckTx{Tx: []byte("zzzzzzzz")}}})
	r := protoio.NewDelimitedReader(&stream, 100)
	first := &abci.Request{}
	if _, err := r.ReadMsg(first); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadMsg(&abci.Request{}); err != nil {
		t.Fatal(err)
	}
	if got := string(first.GetCheckTx().Tx); got != "tttttttt" {
		t.Fatalf("first message changed by the second read: %q", got)
	}
}

func TestFrameTooLarge(t *testing.T) {
	frame, _ := protoio.MarshalDelimited(checkTx(100)) // body: 42 66 0a 64 <100 bytes> = 104 bytes
	_, err := protoio.NewDelimitedReader(bytes.NewReader(frame), 103).ReadMsg(&abci.Request{})
	if !errors.Is(err, protoio.ErrFrameTooLarge) {
		t.Fatalf("err = %v, want ErrFrameTooLarge", err)
	}
	var tooLarge *protoio.FrameTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Size != 104 || tooLarge.Limit != 103 {
		t.Fatalf("err = %#v", err)
	}
	if want := "frame of 104 bytes exceeds the limit of 103"; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	// Exactly at the limit is fine.
	if _, err := protoio.NewDelimitedReader(bytes.NewReader(frame), 104).ReadMsg(&abci.Request{}); err != nil {
		t.Fatal(err)
	}
}

func TestHugeDeclaredLengthDoesNotAllocate(t *testing.T) {
	// A prefix announcing math.MaxInt32 bytes (the ABCI limit), followed by 10 bytes only.
	data := binary.AppendUvarint(nil, math.MaxInt32)
	data = append(data, make([]byte, 10)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := protoio.NewDelimitedReader(bytes.NewReader(data), math.MaxInt32).ReadMsg(&abci.Request{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "truncated frame: got 10 of 2147483647 bytes") {
		t.Fatalf("err = %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("reading a 10-byte body of a huge frame allocated %d bytes", grew)
	}
}

func TestTruncatedAndMalformed(t *testing.T) {
	full, _ := protoio.MarshalDelimited(checkTx(200)) // prefix ce 01, body 42 cb 01 0a c8 01 <200 bytes> = 206 bytes
	cases := []struct {
		name    string
		data    []byte
		wantErr error
		wantMsg string
	}{
		{"empty stream", nil, io.EOF, "EOF"},
		{"inside prefix", full[:1], io.ErrUnexpectedEOF, "reading length prefix"},
		{"inside body", full[:50], io.ErrUnexpectedEOF, "truncated frame: got 48 of 206 bytes"},
		{"eleven-byte varint", bytes.Repeat([]byte{0x80}, 11), protoio.ErrMalformedLength, "longer than 10 bytes"},
		{"64-bit overflow", append(bytes.Repeat([]byte{0xff}, 9), 0x02), protoio.ErrMalformedLength, "overflows 64 bits"},
		{"max uint64 is over any limit", append(bytes.Repeat([]byte{0xff}, 9), 0x01), protoio.ErrFrameTooLarge, "frame of 18446744073709551615 bytes"},
		{"garbage body", []byte{0x03, 0xff, 0xff, 0xff}, protoio.ErrMalformedMessage, "malformed message"},
		{"wrong wire type", []byte{0x02, 0x42, 0x00 | 0x05}, protoio.ErrMalformedMessage, "malformed message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := protoio.NewDelimitedReader(bytes.NewReader(c.data), 1<<20).ReadMsg(&abci.Request{})
			if !errors.Is(err, c.wantErr) || !strings.Contains(err.Error(), c.wantMsg) {
				t.Fatalf("err = %v, want %v containing %q", err, c.wantErr, c.wantMsg)
			}
		})
	}
}

func TestMalformedMessageKeepsStreamAligned(t *testing.T) {
	good, _ := protoio.MarshalDelimited(checkTx(3))
	data := append([]byte{0x03, 0xff, 0xff, 0xff}, good...)
	r := protoio.NewDelimitedReader(bytes.NewReader(data), 100)
	if _, err := r.ReadMsg(&abci.Request{}); !errors.Is(err, protoio.ErrMalformedMessage) {
		t.Fatalf("err = %v", err)
	}
	got := &abci.Request{}
	if _, err := r.ReadMsg(got); err != nil || string(got.GetCheckTx().Tx) != "ttt" {
		t.Fatalf("next frame: %v, %v", got, err)
	}
}

// oneByteAtATime is an io.Reader that is not an io.ByteReader and returns one byte per call.
type oneByteAtATime struct{ r *bytes.Reader }

func (o *oneByteAtATime) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

func TestNoReadAheadWithoutByteReader(t *testing.T) {
	frame, _ := protoio.MarshalDelimited(checkTx(5))
	rest := []byte("not a frame")
	src := &oneByteAtATime{bytes.NewReader(append(frame, rest...))}
	if _, err := protoio.NewDelimitedReader(src, 100).ReadMsg(&abci.Request{}); err != nil {
		t.Fatal(err)
	}
	left, _ := io.ReadAll(src)
	if !bytes.Equal(left, rest) {
		t.Fatalf("reader consumed past its frame: %q left", left)
	}
}

func TestUnmarshalDelimitedExactlyOneFrame(t *testing.T) {
	frame, _ := protoio.MarshalDelimited(checkTx(4))
	if err := protoio.UnmarshalDelimited(append(frame, 0x00), &abci.Request{}); !errors.Is(err, protoio.ErrMalformedMessage) ||
		!strings.Contains(err.Error(), "1 trailing bytes") {
		t.Fatalf("trailing byte: err = %v", err)
	}
	if err := protoio.UnmarshalDelimited(frame[:len(frame)-1], &abci.Request{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short frame: err = %v", err)
	}
	if err := protoio.UnmarshalDelimited(nil, &abci.Request{}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("empty input: err = %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteError(t *testing.T) {
	_, err := protoio.NewDelimitedWriter(failingWriter{}).WriteMsg(checkTx(1))
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("err = %v", err)
	}
}

func TestNegativeLimitAcceptsOnlyEmptyFrames(t *testing.T) {
	r := protoio.NewDelimitedReader(bytes.NewReader([]byte{0x00, 0x01, 0x00}), -5)
	if _, err := r.ReadMsg(&abci.Request{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadMsg(&abci.Request{}); !errors.Is(err, protoio.ErrFrameTooLarge) {
		t.Fatalf("err = %v", err)
	}
}
