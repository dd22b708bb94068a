package protoio_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

type capturedFrame struct {
	kind, what string
	frame      []byte
}

func loadFrames(t *testing.T) []capturedFrame {
	t.Helper()
	f, err := os.Open("testdata/abci_frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var frames []capturedFrame
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(parts[2]), " ", ""))
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		frames = append(frames, capturedFrame{strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), b})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(frames) != 14 {
		t.Fatalf("loaded %d frames, want 14", len(frames))
	}
	return frames
}

func newEnvelope(kind string) proto.Message {
	if kind == "request" {
		return &abci.Request{}
	}
	return &abci.Response{}
}

// TestCapturedFramesRoundTrip decodes every captured frame through a Reader and re-encodes it
// through both MarshalDelimited and a Writer: the bytes must come back identical.
func TestCapturedFramesRoundTrip(t *testing.T) {
	for _, f := range loadFrames(t) {
		t.Run(f.kind+" "+f.what, func(t *testing.T) {
			msg := newEnvelope(f.kind)
			n, err := protoio.NewDelimitedReader(bytes.NewReader(f.frame), 1<<20).ReadMsg(msg)
			if err != nil {
				t.Fatalf("ReadMsg: %v", err)
			}
			if n != len(f.frame) {
				t.Fatalf("ReadMsg consumed %d bytes, frame is %d", n, len(f.frame))
			}
			got, err := protoio.MarshalDelimited(msg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, f.frame) {
				t.Fatalf("MarshalDelimited:\n got %x\nwant %x", got, f.frame)
			}
			var buf bytes.Buffer
			if _, err := protoio.NewDelimitedWriter(&buf).WriteMsg(msg); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), f.frame) {
				t.Fatalf("WriteMsg:\n got %x\nwant %x", buf.Bytes(), f.frame)
			}
			again := newEnvelope(f.kind)
			if err := protoio.UnmarshalDelimited(f.frame, again); err != nil {
				t.Fatalf("UnmarshalDelimited: %v", err)
			}
			if !proto.Equal(again, msg) {
				t.Fatalf("UnmarshalDelimited = %v, ReadMsg = %v", again, msg)
			}
		})
	}
}

// TestCapturedFramesContent checks that the frames decode to the messages the sheet describes,
// and that messages built by hand encode to the captured bytes.
func TestCapturedFramesContent(t *testing.T) {
	frames := loadFrames(t)
	byWhat := map[string][]byte{}
	for _, f := range frames {
		byWhat[f.kind+" "+f.what] = f.frame
	}
	ts := time.Unix(1700000000, 500000000).UTC()
	seq := func(from byte, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = from + byte(i)
		}
		return b
	}
	cases := []struct {
		what string // kind and what, as in the testdata
		msg  proto.Message
	}{
		{"request flush", &abci.Request{Value: &abci.Request_Flush{Flush: &abci.RequestFlush{}}}},
		{"request info", &abci.Request{Value: &abci.Request_Info{Info: &abci.RequestInfo{
			Version: "0.38.26", BlockVersion: 11, P2PVersion: 8, AbciVersion: "2.0.0"}}}},
		{"request check_tx a=b", &abci.Request{Value: &abci.Request_CheckTx{CheckTx: &abci.RequestCheckTx{Tx: []byte("a=b")}}}},
		{"response check_tx code 2", &abci.Response{Value: &abci.Response_CheckTx{CheckTx: &abci.ResponseCheckTx{Code: 2}}}},
		{"response exception", &abci.Response{Value: &abci.Response_Exception{Exception: &abci.ResponseException{
			Error: "boom: " + strings.Repeat("x", 24)}}}},
		{"request prepare_proposal height 1", &abci.Request{Value: &abci.Request_PrepareProposal{PrepareProposal: &abci.RequestPrepareProposal{
			MaxTxBytes: 22016007, Height: 1, Time: ts,
			NextValidatorsHash: seq(0x40, 32), ProposerAddress: seq(0xa0, 20)}}}},
		{"request process_proposal height 2", &abci.Request{Value: &abci.Request_ProcessProposal{ProcessProposal: &abci.RequestProcessProposal{
			ProposedLastCommit: abci.CommitInfo{Votes: []abci.VoteInfo{{
				Validator: abci.Validator{Address: seq(0xa0, 20), Power: 10}, BlockIdFlag: 2}}},
			Hash: seq(0x20, 32), Height: 2, Time: ts,
			NextValidatorsHash: seq(0x40, 32), ProposerAddress: seq(0xa0, 20)}}}},
	}
	for _, c := range cases {
		want, ok := byWhat[c.what]
		if !ok {
			t.Fatalf("no captured frame %q", c.what)
		}
		got, err := protoio.MarshalDelimited(c.msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %x\nwant %x", c.what, got, want)
		}
	}
	// The process_proposal frame is the sheet's example of a two-byte length prefix.
	if f := byWhat["request process_proposal height 2"]; len(f) != 2+142 || f[0] != 0x8e || f[1] != 0x01 {
		t.Fatalf("process_proposal frame: %d bytes, prefix %x", len(f), f[:2])
	}
}
