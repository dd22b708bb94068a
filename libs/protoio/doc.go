// Package protoio frames protobuf messages on a byte stream: each frame is the unsigned varint
// (protobuf "uvarint", LEB128) of the message's byte length followed by the message bytes. No
// magic, no fixed-width header, no zig-zag. ABCI (socket transport), the p2p MConnection payloads
// and the remote-signer (privval) protocol all use this framing.
//
// Contracts:
//
//   - A Writer writes each frame with a single Write call on the underlying writer, so frames of
//     concurrent writers never interleave only if the caller serializes WriteMsg calls (a Writer
//     is not safe for concurrent use).
//   - A Reader checks a frame's declared length against its limit before reading the body and
//     grows its buffer only as body bytes actually arrive, so a hostile length prefix can neither
//     make it allocate gigabytes nor panic. It never reads past the end of the frame it returns
//     when the underlying reader is not an io.ByteReader (see NewDelimitedReader).
//   - Errors are distinguishable with errors.Is: ErrFrameTooLarge (declared length over the
//     limit; *FrameTooLargeError carries the numbers), ErrMalformedLength (a varint longer than 10
//     bytes or overflowing 64 bits), ErrMalformedMessage (the body is not a valid encoding of the
//     message; the stream itself is still aligned on the next frame), io.ErrUnexpectedEOF (the
//     stream ended inside a frame), and plain io.EOF (the stream ended cleanly between frames).
package protoio
