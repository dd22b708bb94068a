package protoio_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// FuzzReader feeds arbitrary bytes to a Reader: it must never panic, must account for every byte
// it consumes, and every frame it accepts must survive a re-encode/decode round trip.
func FuzzReader(f *testing.F) {
	for _, seed := range [][]byte{
		{0x02, 0x12, 0x00},
		{0x07, 0x42, 0x05, 0x0a, 0x03, 0x61, 0x3d, 0x62, 0x02, 0x12, 0x00},
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0x07, 0x00},
		{0x03, 0xff, 0xff, 0xff},
		{0x00},
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := protoio.NewDelimitedReader(bytes.NewReader(data), 4096)
		total := 0
		for {
			msg := &abci.Request{}
			n, err := r.ReadMsg(msg)
			total += n
			if total > len(data) {
				t.Fatalf("consumed %d of %d bytes", total, len(data))
			}
			if err != nil {
				if errors.Is(err, io.EOF) && total != len(data) {
					t.Fatalf("clean EOF after %d of %d bytes", total, len(data))
				}
				if errors.Is(err, protoio.ErrMalformedMessage) {
					continue // the stream is still aligned
				}
				return
			}
			frame, err := protoio.MarshalDelimited(msg)
			if err != nil {
				t.Fatalf("re-encoding an accepted message: %v", err)
			}
			again := &abci.Request{}
			if err := protoio.UnmarshalDelimited(frame, again); err != nil {
				t.Fatalf("decoding a re-encoded message: %v", err)
			}
		}
	})
}
