package protoio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/cosmos/gogoproto/proto"
)

// maxVarintLen is the longest valid uvarint encoding of a uint64.
const maxVarintLen = 10

// firstChunk is how much of a large body a Reader allocates before any of it has arrived; the
// buffer then at most doubles per chunk read, so memory tracks the bytes actually received.
const firstChunk = 64 << 10

// Reader reads length-delimited protobuf frames from an io.Reader. It is not safe for concurrent
// use; one goroutine owns it.
type Reader struct {
	r       io.Reader
	br      io.ByteReader
	maxSize int
	buf     []byte // reused between frames
}

// NewDelimitedReader returns a Reader of frames whose body is at most maxSize bytes (maxSize < 0 is
// treated as 0). If r is an io.ByteReader (a bufio.Reader, a bytes.Reader) the length prefix is
// read through it; otherwise the prefix is read one byte per Read call, so the Reader never
// consumes bytes beyond the frame it returns — wrap a network connection in a bufio.Reader for
// speed when nothing else reads from it.
func NewDelimitedReader(r io.Reader, maxSize int) *Reader {
	br, ok := r.(io.ByteReader)
	if !ok {
		br = &singleByteReader{r: r}
	}
	return &Reader{r: r, br: br, maxSize: max(maxSize, 0)}
}

// ReadMsg reads one frame and decodes it into msg (which is reset first). It returns the number of
// bytes consumed from the stream, prefix included. The decoded msg does not alias the Reader's
// buffer. Errors: io.EOF if the stream ended cleanly before a frame; otherwise see the package
// documentation (ErrFrameTooLarge, ErrMalformedLength, ErrMalformedMessage, io.ErrUnexpectedEOF,
// or the underlying reader's error).
func (r *Reader) ReadMsg(msg proto.Message) (int, error) {
	body, n, err := r.ReadFrame()
	if err != nil {
		return n, err
	}
	if err := unmarshal(body, msg); err != nil {
		return n, err
	}
	return n, nil
}

// ReadFrame reads one frame and returns its body and the number of bytes consumed, prefix
// included. The body aliases the Reader's buffer and is valid only until the next read. Errors are
// those of ReadMsg except ErrMalformedMessage.
func (r *Reader) ReadFrame() ([]byte, int, error) {
	size, n, err := r.readLength()
	if err != nil {
		return nil, n, err
	}
	if size > uint64(r.maxSize) {
		return nil, n, &FrameTooLargeError{Size: size, Limit: r.maxSize}
	}
	body, got, err := r.readBody(int(size))
	n += got
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, n, fmt.Errorf("protoio: truncated frame: got %d of %d bytes: %w", got, size, err)
	}
	return body, n, nil
}

// readLength decodes the uvarint length prefix, returning it and the bytes consumed.
func (r *Reader) readLength() (uint64, int, error) {
	var x uint64
	for i := range maxVarintLen {
		b, err := r.br.ReadByte()
		if err != nil {
			if i > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			if i > 0 || !errors.Is(err, io.EOF) {
				err = fmt.Errorf("protoio: reading length prefix: %w", err)
			}
			return 0, i, err
		}
		if i == maxVarintLen-1 {
			if b >= 0x80 {
				return 0, i + 1, fmt.Errorf("protoio: length prefix longer than %d bytes: %w", maxVarintLen, ErrMalformedLength)
			}
			if b > 1 {
				return 0, i + 1, fmt.Errorf("protoio: length prefix overflows 64 bits: %w", ErrMalformedLength)
			}
		}
		x |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return x, i + 1, nil
		}
	}
	panic("unreachable: the tenth byte of a length prefix always ends it")
}

// readBody reads exactly size bytes, growing the buffer only as bytes arrive. It returns the
// body and how many body bytes were read.
func (r *Reader) readBody(size int) ([]byte, int, error) {
	if size <= cap(r.buf) || size <= firstChunk {
		buf := r.buf
		if size > cap(buf) {
			buf = make([]byte, size)
			r.buf = buf
		}
		buf = buf[:size]
		got, err := io.ReadFull(r.r, buf)
		return buf, got, err
	}
	buf := r.buf[:0]
	for len(buf) < size {
		chunk := min(size-len(buf), max(len(buf), firstChunk))
		buf = slices.Grow(buf, chunk)
		got, err := io.ReadFull(r.r, buf[len(buf):len(buf)+chunk])
		buf = buf[:len(buf)+got]
		if err != nil {
			return nil, len(buf), err
		}
	}
	if cap(buf) <= maxRetainedBuffer {
		r.buf = buf
	}
	return buf, size, nil
}

// unmarshal resets msg and decodes data into it; msg does not alias data.
func unmarshal(data []byte, msg proto.Message) error {
	var err error
	if u, ok := msg.(interface{ Unmarshal([]byte) error }); ok {
		msg.Reset()
		err = u.Unmarshal(data)
	} else {
		err = proto.Unmarshal(data, msg)
	}
	if err != nil {
		return fmt.Errorf("protoio: %w: %T: %v", ErrMalformedMessage, msg, err)
	}
	return nil
}

// UnmarshalDelimited decodes data, which must hold exactly one frame, into msg. Trailing bytes
// after the frame are an error (ErrMalformedMessage), as is a frame longer than data.
func UnmarshalDelimited(data []byte, msg proto.Message) error {
	r := NewDelimitedReader(bytes.NewReader(data), len(data))
	body, n, err := r.ReadFrame()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("protoio: empty input: %w", io.ErrUnexpectedEOF)
		}
		return err
	}
	if n != len(data) {
		return fmt.Errorf("protoio: %w: %d trailing bytes after the frame", ErrMalformedMessage, len(data)-n)
	}
	return unmarshal(body, msg)
}

// singleByteReader reads one byte per Read call, so nothing past the length prefix is consumed.
type singleByteReader struct {
	r   io.Reader
	one [1]byte
}

func (s *singleByteReader) ReadByte() (byte, error) {
	for {
		n, err := s.r.Read(s.one[:])
		if n == 1 {
			return s.one[0], nil
		}
		if err != nil {
			return 0, err
		}
	}
}
