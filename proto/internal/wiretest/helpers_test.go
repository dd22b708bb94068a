package wiretest

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// wireMessage is the part of a gogoproto-generated message the tests use.
type wireMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
	Size() int
}

// pointerTo constrains PT to be *T and a wireMessage, so helpers can allocate
// a fresh message of the wanted type.
type pointerTo[T any] interface {
	*T
	wireMessage
}

// unhex decodes a hex string that may contain spaces, failing the test on
// malformed input.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// roundTrip decodes b into a new T, re-encodes it, and fails unless the
// result is byte-identical to b and Size agrees with the encoding.
func roundTrip[T any, PT pointerTo[T]](t testing.TB, b []byte) PT {
	t.Helper()
	msg := PT(new(T))
	if err := msg.Unmarshal(b); err != nil {
		t.Fatalf("decode %T from %x: %v", msg, b, err)
	}
	got, err := msg.Marshal()
	if err != nil {
		t.Fatalf("re-encode %T: %v", msg, err)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("re-encoded %T differs\n got %x\nwant %x", msg, got, b)
	}
	if n := msg.Size(); n != len(b) {
		t.Fatalf("%T Size() = %d, encoding has %d bytes", msg, n, len(b))
	}
	return msg
}

// encode marshals msg, failing the test on error.
func encode(t testing.TB, msg wireMessage) []byte {
	t.Helper()
	b, err := msg.Marshal()
	if err != nil {
		t.Fatalf("encode %T: %v", msg, err)
	}
	return b
}

// unframe splits a uvarint-length-prefixed frame into its body, failing the
// test unless the frame holds exactly one message.
func unframe(t testing.TB, frame []byte) []byte {
	t.Helper()
	n, k := binary.Uvarint(frame)
	if k <= 0 {
		t.Fatalf("frame %x: bad length prefix", frame)
	}
	body := frame[k:]
	if uint64(len(body)) != n {
		t.Fatalf("frame %x: prefix says %d bytes, body has %d", frame, n, len(body))
	}
	return body
}

// frameOf prefixes body with its uvarint length.
func frameOf(body []byte) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(body))), body...)
}

// filled returns n bytes all equal to v, for placeholder hashes and keys.
func filled(n int, v byte) []byte {
	return bytes.Repeat([]byte{v}, n)
}
