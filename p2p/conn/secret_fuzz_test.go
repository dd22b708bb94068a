package conn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

var fuzzKey = bytes.Repeat([]byte{0x5a}, 32)

// FuzzSecretConnectionRead feeds arbitrary bytes to a SecretConnection after the handshake: it
// must return errors (almost always ErrFrameDecrypt), never panic or deliver unauthenticated data.
func FuzzSecretConnectionRead(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0}, sealedFrameSize))
	f.Add(sealFrames(f, fuzzKey, [][]byte{[]byte("hello")}))
	f.Add(sealFrames(f, fuzzKey, [][]byte{[]byte("hello"), bytes.Repeat([]byte{1}, 1024)})[:1500])
	f.Fuzz(func(t *testing.T, stream []byte) {
		sc, err := newSecretConnection(streamConn{bytes.NewReader(stream)}, fuzzKey, fuzzKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(sc)
		if err == nil && len(stream)%sealedFrameSize != 0 {
			t.Fatalf("a %d-byte stream (not whole frames) read without error", len(stream))
		}
		if len(got) > len(stream) {
			t.Fatalf("read %d bytes from a %d-byte stream", len(got), len(stream))
		}
	})
}

// FuzzSecretConnectionFrames seals arbitrary plaintext frames with the right key: chunks with a
// valid length are delivered in order, the first frame declaring more than 1024 bytes ends the
// stream with ErrFrameChunkLength.
func FuzzSecretConnectionFrames(f *testing.F) {
	f.Add(binary.LittleEndian.AppendUint32(nil, 3), []byte("abc"))
	f.Add(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0), 1025), []byte{})
	f.Add(binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 1024), 0xffffffff), bytes.Repeat([]byte{7}, 2000))
	f.Fuzz(func(t *testing.T, lengths []byte, data []byte) {
		var stream, want []byte
		var nonce frameNonce
		aead, _ := newSecretConnection(streamConn{}, fuzzKey, fuzzKey)
		wantErr := false
		for i := 0; i+4 <= len(lengths) && i < 64; i += 4 {
			n := binary.LittleEndian.Uint32(lengths[i:])
			frame := make([]byte, frameSize)
			binary.LittleEndian.PutUint32(frame, n)
			copy(frame[4:], data)
			if n > dataMaxSize {
				wantErr = true
			} else if !wantErr {
				want = append(want, frame[4:4+n]...)
			}
			data = data[min(len(data), int(n)):]
			nb, _ := nonce.next()
			stream = aead.sendAEAD.Seal(stream, nb[:], frame, nil)
		}
		sc, _ := newSecretConnection(streamConn{bytes.NewReader(stream)}, fuzzKey, fuzzKey)
		got, err := io.ReadAll(sc)
		if wantErr != errors.Is(err, ErrFrameChunkLength) || (!wantErr && err != nil) {
			t.Fatalf("error %v, want chunk-length error %v", err, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("delivered %d bytes, want %d", len(got), len(want))
		}
	})
}
