package conn

import (
	"bufio"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/ballot-bft/ballot/crypto"
)

// Frame geometry (fact sheet §3.2): a plaintext frame is a 4-byte little-endian chunk length, the
// chunk (at most dataMaxSize bytes) and filler up to frameSize; on the wire it is sealed with
// ChaCha20-Poly1305 into sealedFrameSize bytes.
const (
	dataLenSize     = 4
	dataMaxSize     = 1024
	frameSize       = dataLenSize + dataMaxSize
	sealedFrameSize = frameSize + chacha20poly1305.Overhead
)

// SecretConnection is an authenticated, encrypted byte stream to a peer whose node key is
// RemotePubKey. It implements net.Conn.
//
// One goroutine may Read while another Writes; concurrent Reads (or concurrent Writes) are
// serialized. Once a frame fails to decrypt, a frame is only partly read, or a write fails, the
// direction concerned is broken for good and keeps returning that error (a read that fails
// before the first byte of a frame, such as a deadline expiring, is not sticky). Deadlines are those of
// the underlying connection.
type SecretConnection struct {
	conn      net.Conn
	remPubKey crypto.PubKey

	recvMu      sync.Mutex
	recvRaw     *bufio.Reader // conn, read up to recvBufferFrames frames per read
	recvAEAD    cipher.AEAD
	recvNonce   frameNonce
	recvNonceB  [chacha20poly1305.NonceSize]byte // the current frame's nonce (kept off the heap)
	recvSealed  [sealedFrameSize]byte
	recvFrame   [frameSize]byte
	recvPending []byte // undelivered part of the chunk in recvFrame
	recvErr     error  // sticky

	sendMu     sync.Mutex
	sendAEAD   cipher.AEAD
	sendNonce  frameNonce
	sendNonceB [chacha20poly1305.NonceSize]byte
	sendFrame  [frameSize]byte
	sendSealed [framesPerWrite * sealedFrameSize]byte
	sendErr    error // sticky
}

// newSecretConnection returns a SecretConnection over conn with the given directional keys and
// both nonces at zero. The remote key is set by the handshake.
func newSecretConnection(conn net.Conn, recvKey, sendKey []byte) (*SecretConnection, error) {
	recvAEAD, err := chacha20poly1305.New(recvKey)
	if err != nil {
		return nil, fmt.Errorf("secret connection: receive cipher: %w", err)
	}
	sendAEAD, err := chacha20poly1305.New(sendKey)
	if err != nil {
		return nil, fmt.Errorf("secret connection: send cipher: %w", err)
	}
	return &SecretConnection{
		conn:     conn,
		recvRaw:  bufio.NewReaderSize(conn, recvBufferFrames*sealedFrameSize),
		recvAEAD: recvAEAD,
		sendAEAD: sendAEAD,
	}, nil
}

// recvBufferFrames is how many sealed frames one read from the connection may take in: the
// frames of a block part, or of several messages, that arrive together cost one system call
// instead of one each. The handshake has consumed its own bytes before the buffer exists, and
// nothing else reads the connection after.
const recvBufferFrames = 16

// RemotePubKey returns the peer's authenticated node key (always ed25519).
func (sc *SecretConnection) RemotePubKey() crypto.PubKey { return sc.remPubKey }

// Write encrypts data in chunks of at most 1024 bytes, one sealed frame per chunk, and writes
// them to the underlying connection. It returns how many bytes of data were sent in complete
// frames. An empty data writes nothing.
func (sc *SecretConnection) Write(data []byte) (int, error) {
	sc.sendMu.Lock()
	defer sc.sendMu.Unlock()
	if sc.sendErr != nil {
		return 0, sc.sendErr
	}
	n := 0
	for len(data) > 0 {
		// Seal up to framesPerWrite frames and hand them to the connection in one write.
		sealed := sc.sendSealed[:0]
		var chunks [framesPerWrite]int
		frames := 0
		for ; frames < framesPerWrite && len(data) > 0; frames++ {
			chunk := data[:min(len(data), dataMaxSize)]
			var err error
			if sealed, err = sc.sealFrame(sealed, chunk); err != nil {
				return n, err
			}
			chunks[frames] = len(chunk)
			data = data[len(chunk):]
		}
		written, err := sc.conn.Write(sealed)
		if err != nil {
			// Sticky even when nothing was written: a sealed frame is never re-sent under a new
			// plaintext with the same nonce, and a retry with the next nonce would leave a gap.
			sc.sendErr = fmt.Errorf("secret connection: writing %d frames (%d of %d bytes written): %w", frames, written, len(sealed), err)
			for i := 0; i < written/sealedFrameSize; i++ {
				n += chunks[i]
			}
			return n, sc.sendErr
		}
		for _, c := range chunks[:frames] {
			n += c
		}
	}
	return n, nil
}

// framesPerWrite bounds the frames sealed for one write to the connection (about 66 KB).
const framesPerWrite = 64

// sealFrame seals chunk into one frame appended to dst. The caller holds sendMu.
func (sc *SecretConnection) sealFrame(dst, chunk []byte) ([]byte, error) {
	nonce, err := sc.sendNonce.next()
	if err != nil {
		sc.sendErr = err
		return dst, err
	}
	sc.sendNonceB = nonce
	frame := sc.sendFrame[:]
	binary.LittleEndian.PutUint32(frame, uint32(len(chunk)))
	copy(frame[dataLenSize:], chunk)
	clear(frame[dataLenSize+len(chunk):])
	return sc.sendAEAD.Seal(dst, sc.sendNonceB[:], frame, nil), nil
}

// Read decrypts frames from the underlying connection and copies their data into p. A chunk
// larger than p is delivered over several Reads. It returns io.EOF when the peer closed the
// connection cleanly between frames; a connection that ends inside a frame is
// io.ErrUnexpectedEOF. Errors wrapping ErrFrameDecrypt, ErrFrameChunkLength or ErrNonceOverflow
// mean the peer sent something no honest peer sends.
func (sc *SecretConnection) Read(p []byte) (int, error) {
	sc.recvMu.Lock()
	defer sc.recvMu.Unlock()
	if len(sc.recvPending) > 0 {
		n := copy(p, sc.recvPending)
		sc.recvPending = sc.recvPending[n:]
		return n, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		chunk, err := sc.readFrame()
		if err != nil {
			return 0, err
		}
		if len(chunk) == 0 {
			continue
		}
		n := copy(p, chunk)
		sc.recvPending = chunk[n:]
		return n, nil
	}
}

// readFrame reads, decrypts and checks one frame and returns its chunk, which aliases recvFrame.
// The caller holds recvMu.
func (sc *SecretConnection) readFrame() ([]byte, error) {
	if sc.recvErr != nil {
		return nil, sc.recvErr
	}
	got, err := io.ReadFull(sc.recvRaw, sc.recvSealed[:])
	if err != nil {
		if got == 0 {
			return nil, err // still aligned on a frame boundary: not sticky
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		sc.recvErr = fmt.Errorf("secret connection: connection ended %d bytes into a frame: %w", got, err)
		return nil, sc.recvErr
	}
	nonce, err := sc.recvNonce.next()
	if err != nil {
		sc.recvErr = err
		return nil, err
	}
	sc.recvNonceB = nonce
	frame, err := sc.recvAEAD.Open(sc.recvFrame[:0], sc.recvNonceB[:], sc.recvSealed[:], nil)
	if err != nil {
		sc.recvErr = fmt.Errorf("%w (frame %d)", ErrFrameDecrypt, sc.recvNonce.counter-1)
		return nil, sc.recvErr
	}
	length := binary.LittleEndian.Uint32(frame)
	if length > dataMaxSize {
		sc.recvErr = fmt.Errorf("%w: %d", ErrFrameChunkLength, length)
		return nil, sc.recvErr
	}
	return frame[dataLenSize : dataLenSize+length], nil
}

// Close closes the underlying connection, which unblocks pending Reads and Writes.
func (sc *SecretConnection) Close() error { return sc.conn.Close() }

// LocalAddr returns the underlying connection's local address.
func (sc *SecretConnection) LocalAddr() net.Addr { return sc.conn.LocalAddr() }

// RemoteAddr returns the underlying connection's remote address.
func (sc *SecretConnection) RemoteAddr() net.Addr { return sc.conn.RemoteAddr() }

// SetDeadline sets the underlying connection's read and write deadlines.
func (sc *SecretConnection) SetDeadline(t time.Time) error { return sc.conn.SetDeadline(t) }

// SetReadDeadline sets the underlying connection's read deadline.
func (sc *SecretConnection) SetReadDeadline(t time.Time) error { return sc.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the underlying connection's write deadline.
func (sc *SecretConnection) SetWriteDeadline(t time.Time) error {
	return sc.conn.SetWriteDeadline(t)
}

// frameNonce is a direction's ChaCha20-Poly1305 nonce: four zero bytes, then a little-endian
// 64-bit frame counter starting at zero.
type frameNonce struct {
	counter   uint64
	exhausted bool // every counter value has been used
}

// next returns the nonce for the next frame and advances the counter.
func (n *frameNonce) next() ([chacha20poly1305.NonceSize]byte, error) {
	var nonce [chacha20poly1305.NonceSize]byte
	if n.exhausted {
		return nonce, ErrNonceOverflow
	}
	binary.LittleEndian.PutUint64(nonce[4:], n.counter)
	n.counter++
	n.exhausted = n.counter == 0
	return nonce, nil
}
