package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// readChunk is how much of a record's data Decoder reads at a time, so that a length field
// claiming more bytes than the input holds costs no more memory than the bytes really present
// (and never more than MaxDataSize).
const readChunk = 64 << 10

// Decoder reads records from an io.Reader. It is not safe for concurrent use.
//
// Decode returns io.EOF when the input ends exactly between two records, and a *CorruptionError
// for a damaged record. After a skippable corruption (see CorruptionError.Skippable) the next
// Decode reads the following record; after any other error every later Decode returns the same
// error.
type Decoder struct {
	r      io.Reader
	offset int64 // bytes consumed: the end of the last record read
	record int   // records consumed, intact or skipped
	buf    []byte
	err    error // sticky error: framing lost or the reader failed
}

// NewDecoder returns a Decoder reading records from r, which should be buffered if reads are
// expensive (Decoder reads the 8-byte header, then the data).
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// newDecoderAt returns a Decoder for r positioned at byte offset of a file, after record
// records, so that its errors name positions in the whole file.
func newDecoderAt(r io.Reader, offset int64, record int) *Decoder {
	return &Decoder{r: r, offset: offset, record: record}
}

// Offset returns the number of bytes consumed: where the next record starts.
func (d *Decoder) Offset() int64 { return d.offset }

// Records returns the number of records consumed, intact or skipped as corrupted.
func (d *Decoder) Records() int { return d.record }

// Decode reads the next record. The returned message shares no memory with the Decoder.
func (d *Decoder) Decode() (*consensuspb.TimedWALMessage, error) {
	if d.err != nil {
		return nil, d.err
	}
	start := d.offset
	var header [HeaderSize]byte
	n, err := io.ReadFull(d.r, header[:])
	switch {
	case err == io.EOF:
		return nil, io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		d.offset += int64(n)
		return nil, d.fail(start, io.ErrUnexpectedEOF,
			fmt.Sprintf("only %d of the %d header bytes are present", n, HeaderSize))
	case err != nil:
		d.err = fmt.Errorf("wal: reading record %d at byte %d: %w", d.record+1, start, err)
		return nil, d.err
	}
	d.offset += HeaderSize
	stored := binary.BigEndian.Uint32(header[0:4])
	length := binary.BigEndian.Uint32(header[4:8])
	if length > MaxDataSize {
		return nil, d.fail(start, ErrTooLarge,
			fmt.Sprintf("the length field says %d bytes, at most %d are allowed", length, MaxDataSize))
	}
	got, err := d.readData(int(length))
	d.offset += int64(got)
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, d.fail(start, io.ErrUnexpectedEOF,
			fmt.Sprintf("only %d of its %d data bytes are present", got, length))
	case err != nil:
		d.err = fmt.Errorf("wal: reading record %d at byte %d: %w", d.record+1, start, err)
		return nil, d.err
	}
	data := d.buf[:length]
	d.record++
	if computed := crc32.Checksum(data, castagnoli); computed != stored {
		return nil, d.corrupt(start, ErrChecksum, fmt.Sprintf("stored 0x%08x, computed 0x%08x", stored, computed))
	}
	msg := new(consensuspb.TimedWALMessage)
	if err := msg.Unmarshal(data); err != nil {
		return nil, d.corrupt(start, ErrUndecodable, err.Error())
	}
	if problem := structureProblem(msg); problem != "" {
		return nil, d.corrupt(start, ErrUndecodable, problem)
	}
	return msg, nil
}

// readData reads n bytes into d.buf[:n], growing the buffer as data arrives. It returns how
// many bytes it read and, if fewer than n, the reader's error.
func (d *Decoder) readData(n int) (int, error) {
	buf := d.buf[:0]
	for len(buf) < n {
		want := min(n, len(buf)+readChunk)
		if cap(buf) < want {
			grown := make([]byte, len(buf), min(n, max(want, 2*cap(buf))))
			copy(grown, buf)
			buf = grown
		}
		got, err := io.ReadFull(d.r, buf[len(buf):want])
		buf = buf[:len(buf)+got]
		if err != nil {
			d.buf = buf
			return len(buf), err
		}
	}
	d.buf = buf
	return n, nil
}

// corrupt returns the error for a damaged record that started at start and whose bytes were
// all consumed; decoding may continue after it.
func (d *Decoder) corrupt(start int64, reason error, detail string) *CorruptionError {
	return &CorruptionError{Record: d.record, Offset: start, Reason: reason, Detail: detail, Unreadable: -1}
}

// fail returns the error for a damaged record after which the framing is lost, and makes it
// sticky.
func (d *Decoder) fail(start int64, reason error, detail string) *CorruptionError {
	e := &CorruptionError{Record: d.record + 1, Offset: start, Reason: reason, Detail: detail, Unreadable: -1}
	d.err = e
	return e
}

// structureProblem says what is missing from a decoded record, or "" if it holds a message of a
// known kind.
func structureProblem(msg *consensuspb.TimedWALMessage) string {
	if msg.Msg == nil || msg.Msg.Sum == nil {
		return "it holds no WAL message"
	}
	if info, ok := msg.Msg.Sum.(*consensuspb.WALMessage_MsgInfo); ok {
		if info.MsgInfo == nil || info.MsgInfo.Msg.Sum == nil {
			return "its MsgInfo holds no consensus message"
		}
	}
	return ""
}
