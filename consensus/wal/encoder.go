package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

const (
	// MaxMessageSize is CometBFT's bound on a consensus message inside a WAL record (1 MiB).
	MaxMessageSize = 1024 * 1024
	// MaxDataSize is the largest data length a record may have: MaxMessageSize plus 24 bytes
	// of TimedWALMessage overhead. Decoders treat a longer length field as corruption.
	MaxDataSize = MaxMessageSize + 24
	// HeaderSize is the size of the fixed record header: checksum and length, 4 bytes each.
	HeaderSize = 8
)

// castagnoli is the CRC32-C table used for record checksums.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encoder writes records to an io.Writer, one Write call per record. It is not safe for
// concurrent use.
type Encoder struct {
	w   io.Writer
	buf []byte
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes msg as one record and returns the number of bytes written. A message without a
// WALMessage, or whose WALMessage holds nothing, is refused (it would read back as corrupted); a
// message over MaxDataSize is refused with an error wrapping ErrTooLarge. In both cases nothing
// is written. Other errors come from the writer.
func (e *Encoder) Encode(msg *consensuspb.TimedWALMessage) (int, error) {
	frame, err := e.frame(msg)
	if err != nil {
		return 0, err
	}
	return e.w.Write(frame)
}

// frame returns msg's record in e.buf, valid until the next call.
func (e *Encoder) frame(msg *consensuspb.TimedWALMessage) ([]byte, error) {
	if msg == nil || msg.Msg == nil || msg.Msg.Sum == nil {
		return nil, fmt.Errorf("wal: refusing to write a record without a message")
	}
	size := msg.Size()
	if size > MaxDataSize {
		return nil, fmt.Errorf("wal: %s record of %d bytes: %w (%d bytes)", KindOf(msg.Msg), size, ErrTooLarge, MaxDataSize)
	}
	total := HeaderSize + size
	if cap(e.buf) < total {
		e.buf = make([]byte, total)
	}
	frame := e.buf[:total]
	if _, err := msg.MarshalToSizedBuffer(frame[HeaderSize:]); err != nil {
		return nil, fmt.Errorf("wal: encoding %s record: %w", KindOf(msg.Msg), err)
	}
	binary.BigEndian.PutUint32(frame[0:4], crc32.Checksum(frame[HeaderSize:], castagnoli))
	binary.BigEndian.PutUint32(frame[4:8], uint32(size))
	return frame, nil
}
