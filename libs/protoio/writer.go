package protoio

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cosmos/gogoproto/proto"
)

// sizedMarshaler is the fast path every gogoproto-generated message provides.
type sizedMarshaler interface {
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
}

// Writer writes length-delimited protobuf frames to an io.Writer. It is not safe for concurrent
// use; one goroutine owns it.
type Writer struct {
	w   io.Writer
	buf []byte // reused between frames
}

// NewDelimitedWriter returns a Writer framing messages onto w. Buffering is the caller's choice:
// wrap w in a bufio.Writer and flush it when the peer must see the bytes.
func NewDelimitedWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// WriteMsg writes msg as one frame (uvarint length, then the message bytes) in a single Write
// call and returns the number of bytes written. msg is only read.
func (w *Writer) WriteMsg(msg proto.Message) (int, error) {
	frame, err := appendDelimited(w.buf[:0], msg)
	if err != nil {
		return 0, err
	}
	if cap(frame) <= maxRetainedBuffer {
		w.buf = frame
	}
	n, err := w.w.Write(frame)
	if err != nil {
		return n, fmt.Errorf("protoio: writing %d-byte frame: %w", len(frame), err)
	}
	return n, nil
}

// maxRetainedBuffer bounds the buffer a Writer or Reader keeps between frames, so one huge
// message does not pin its memory for the lifetime of the connection.
const maxRetainedBuffer = 1 << 20

// appendDelimited appends the frame of msg to dst.
func appendDelimited(dst []byte, msg proto.Message) ([]byte, error) {
	if m, ok := msg.(sizedMarshaler); ok {
		size := m.Size()
		dst = binary.AppendUvarint(dst, uint64(size))
		start := len(dst)
		dst = append(dst, make([]byte, size)...)
		n, err := m.MarshalToSizedBuffer(dst[start:])
		if err != nil {
			return nil, fmt.Errorf("protoio: marshal %T: %w", msg, err)
		}
		if n != size {
			return nil, fmt.Errorf("protoio: marshal %T: wrote %d bytes, Size said %d", msg, n, size)
		}
		return dst, nil
	}
	body, err := proto.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("protoio: marshal %T: %w", msg, err)
	}
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...), nil
}

// MarshalDelimited returns the frame of msg: its uvarint length followed by its bytes.
func MarshalDelimited(msg proto.Message) ([]byte, error) {
	return appendDelimited(nil, msg)
}
