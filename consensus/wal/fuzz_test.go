package wal

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzDecoder feeds arbitrary bytes to the decoder: it must not panic, must end with io.EOF or a
// *CorruptionError at a sane position, and every record it accepts must convert, format and
// encode again without trouble.
func FuzzDecoder(f *testing.F) {
	stream, offsets := encodeAll(f, everyMessage(f, 2))
	f.Add(stream)
	f.Add(stream[:offsets[3]+5])
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3})
	f.Add(frameOf([]byte{0x12, 0x02, 0x22, 0x00}))
	flipped := bytes.Clone(stream)
	flipped[offsets[2]+12] ^= 0x20
	f.Add(flipped)

	f.Fuzz(func(t *testing.T, data []byte) {
		dec := NewDecoder(bytes.NewReader(data))
		var last int64
		for range len(data)/HeaderSize + 2 {
			msg, err := dec.Decode()
			if dec.Offset() < last || dec.Offset() > int64(len(data)) {
				t.Fatalf("offset went from %d to %d in %d bytes", last, dec.Offset(), len(data))
			}
			last = dec.Offset()
			if err == io.EOF {
				return
			}
			var ce *CorruptionError
			if errors.As(err, &ce) {
				if ce.Record < 1 || ce.Offset < 0 || ce.Offset > int64(len(data)) || ce.Error() == "" {
					t.Fatalf("implausible corruption: %+v", ce)
				}
				if ce.Skippable() {
					continue
				}
				if _, again := dec.Decode(); again != err {
					t.Fatalf("framing lost but the next Decode gave %v", again)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			_, _ = InputFromMessage(msg.Msg)
			_ = FormatRecord(msg)
			_ = Filter{Height: 1, Kinds: []Kind{KindVote}}.Match(msg.Msg)
			var buf bytes.Buffer
			if _, err := NewEncoder(&buf).Encode(msg); err != nil {
				if errors.Is(err, ErrTooLarge) {
					continue // unknown fields dropped, but re-encoding can still grow varints
				}
				t.Fatalf("a decoded record does not encode: %v", err)
			}
			again, err := NewDecoder(&buf).Decode()
			if err != nil {
				t.Fatalf("a re-encoded record does not decode: %v", err)
			}
			if !bytes.Equal(marshal(t, again), marshal(t, msg)) {
				t.Fatal("a record changed when encoded again")
			}
		}
		t.Fatalf("more Decode calls than %d bytes allow", len(data))
	})
}
