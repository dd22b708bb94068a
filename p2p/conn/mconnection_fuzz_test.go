package conn

import (
	"bytes"
	"context"
	"testing"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

func fuzzFrames(f *testing.F, pkts ...*tmp2p.Packet) []byte {
	var out []byte
	for _, p := range pkts {
		b, err := protoio.MarshalDelimited(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// FuzzMConnectionRecv feeds an arbitrary byte stream to an MConnection's receive routine: it
// must end with an error (or at the stream's end), never panic, and deliver only messages on
// its channels within their capacity.
func FuzzMConnectionRecv(f *testing.F) {
	f.Add([]byte{})
	f.Add(fuzzFrames(f, pingPacket, pongPacket, msgPacket(1, true, []byte("abc"))))
	f.Add(fuzzFrames(f, msgPacket(2, false, bytes.Repeat([]byte{1}, 40)), msgPacket(2, true, []byte("x"))))
	f.Add(fuzzFrames(f, msgPacket(2, false, bytes.Repeat([]byte{1}, 60)), msgPacket(2, true, []byte("x"))))
	f.Add(fuzzFrames(f, msgPacket(9, true, nil)))
	f.Add([]byte{0x8b, 0x08})
	f.Add([]byte{0x00, 0x02, 0x20, 0x01})
	descs := []ChannelDescriptor{
		{ID: 1, RecvMessageCapacity: 1 << 20},
		{ID: 2, RecvMessageCapacity: 64, RecvBufferCapacity: 16},
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		var got []received
		mc, err := NewMConnection(streamConn{bytes.NewReader(stream)}, descs,
			func(ch byte, msg []byte) { got = append(got, received{ch, msg}) },
			func(error) {}, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := mc.recvRoutine(context.Background()); err == nil {
			t.Fatal("receive routine ended without an error")
		}
		total := 0
		for _, r := range got {
			if ch := mc.byID[r.ch]; ch == nil || len(r.msg) > ch.desc.RecvMessageCapacity {
				t.Fatalf("delivered %d bytes on channel %#x", len(r.msg), r.ch)
			}
			total += len(r.msg)
		}
		if total > len(stream) {
			t.Fatalf("delivered %d bytes from a %d-byte stream", total, len(stream))
		}
	})
}
