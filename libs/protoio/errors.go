package protoio

import (
	"errors"
	"fmt"
)

// ErrFrameTooLarge is matched (errors.Is) by every *FrameTooLargeError.
var ErrFrameTooLarge = errors.New("frame too large")

// ErrMalformedLength means the length prefix is not a valid uvarint: more than 10 bytes, or a
// value overflowing 64 bits. The stream cannot be resynchronised after it.
var ErrMalformedLength = errors.New("malformed frame length prefix")

// ErrMalformedMessage means a frame was read completely but its body does not decode as the
// requested message. The next frame starts right after it.
var ErrMalformedMessage = errors.New("malformed message")

// FrameTooLargeError reports a frame whose declared length exceeds the reader's limit. The body is
// not read, so the stream is not aligned on a frame boundary afterwards.
type FrameTooLargeError struct {
	Size  uint64 // declared body length
	Limit int    // the reader's maximum body length
}

func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("frame of %d bytes exceeds the limit of %d", e.Size, e.Limit)
}

// Is makes errors.Is(err, ErrFrameTooLarge) true.
func (e *FrameTooLargeError) Is(target error) bool { return target == ErrFrameTooLarge }
