package wal

import (
	"errors"
	"fmt"
	"io"
)

var (
	// ErrCorrupted matches every *CorruptionError: a record that is cut short, fails its
	// checksum, claims an impossible length or does not decode.
	ErrCorrupted = errors.New("wal: corrupted record")
	// ErrChecksum is the reason of a record whose CRC32-C does not match its data.
	ErrChecksum = errors.New("CRC mismatch")
	// ErrTooLarge is the reason of a record whose length field is over MaxDataSize; Encoder
	// also returns it (not wrapped in ErrCorrupted) for a message too large to write.
	ErrTooLarge = errors.New("length over the limit")
	// ErrUndecodable is the reason of a record whose data is not a TimedWALMessage holding
	// one of the four WAL messages.
	ErrUndecodable = errors.New("undecodable record")
	// ErrClosed is returned by every WAL method called after Close.
	ErrClosed = errors.New("wal: closed")
	// ErrNotInput is returned by InputFromMessage for records that are not consensus inputs
	// (RoundState, EndHeight, and consensus messages other than proposals, parts, votes and
	// +2/3 claims).
	ErrNotInput = errors.New("wal: record is not a consensus input")
	// ErrNotLogged is returned by MessageFromInput for inputs that are never written: answers to
	// the machine's requests and TxsAvailable, which replay derives again.
	ErrNotLogged = errors.New("wal: input is not logged")
)

// CorruptionError describes the first damaged record found in a file or stream. It matches
// ErrCorrupted and its Reason with errors.Is. The Error text is meant for operators and says
// where the damage is in plain words.
type CorruptionError struct {
	// Path is the file the record is in, or "" for a stream decoded without a file.
	Path string
	// Record is the 1-based position of the damaged record in its file (or stream).
	Record int
	// Offset is the byte offset where the damaged record starts; every record before it is
	// intact, so Offset is also the length Repair cuts the file back to.
	Offset int64
	// Reason is ErrChecksum, ErrTooLarge, ErrUndecodable, or io.ErrUnexpectedEOF for a record
	// cut short at the end of the input (a torn tail).
	Reason error
	// Detail adds specifics to Reason (the two checksums, the length found, the decode error).
	Detail string
	// Unreadable is the number of bytes from Offset to the end of the file, or -1 if unknown
	// (a stream of unknown length).
	Unreadable int64
}

// Error describes the damage in one sentence, for example
// "wal: /data/cs.wal/wal: record 1235 at byte 567890 is corrupted: CRC mismatch (stored
// 0x1a2b3c4d, computed 0x5e6f7a8b); the 42 bytes from there to the end are unreadable".
func (e *CorruptionError) Error() string {
	where := "wal: "
	if e.Path != "" {
		where += e.Path + ": "
	}
	reason := e.Reason.Error()
	if errors.Is(e.Reason, io.ErrUnexpectedEOF) {
		reason = "torn tail, the record is cut short"
	}
	if e.Detail != "" {
		reason += " (" + e.Detail + ")"
	}
	msg := fmt.Sprintf("%srecord %d at byte %d is corrupted: %s", where, e.Record, e.Offset, reason)
	switch {
	case e.Unreadable == 1:
		msg += "; the 1 byte from there to the end is unreadable"
	case e.Unreadable >= 0:
		msg += fmt.Sprintf("; the %d bytes from there to the end are unreadable", e.Unreadable)
	}
	return msg
}

// Unwrap lets errors.Is match both ErrCorrupted and the Reason.
func (e *CorruptionError) Unwrap() []error { return []error{ErrCorrupted, e.Reason} }

// Skippable reports whether the framing survived the damage: the record's length was sane and
// all its bytes were present, so the next record starts right after it and a Decoder that
// returned this error can go on decoding. A torn tail or an impossible length is not skippable:
// where the next record starts is unknown.
func (e *CorruptionError) Skippable() bool {
	return errors.Is(e.Reason, ErrChecksum) || errors.Is(e.Reason, ErrUndecodable)
}

// inFile returns a copy of e placed in the file at path of the given size.
func (e *CorruptionError) inFile(path string, size int64) *CorruptionError {
	c := *e
	c.Path = path
	c.Unreadable = max(size-e.Offset, 0)
	return &c
}
