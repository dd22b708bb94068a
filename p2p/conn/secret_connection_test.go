package conn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"

	"github.com/ballot-bft/ballot/crypto/secp256k1"
)

func TestSecretConnectionAuthenticatesBothSides(t *testing.T) {
	keyA, keyB := keyFromSeed(t, 1), keyFromSeed(t, 2)
	ra, rb := makeSecretPair(t, keyA, keyB)
	if ra.err != nil || rb.err != nil {
		t.Fatalf("handshake: %v / %v", ra.err, rb.err)
	}
	if !ra.sc.RemotePubKey().Equals(keyB.PubKey()) || !rb.sc.RemotePubKey().Equals(keyA.PubKey()) {
		t.Fatal("remote keys do not match the peers' node keys")
	}
}

// Both sides write random-sized messages while reading the other's, concurrently; every byte
// arrives in order.
func TestSecretConnectionConcurrentBothWays(t *testing.T) {
	a, b := secretPair(t)
	rng := seededRand(t, 42)
	payload := func() []byte {
		p := make([]byte, 200_000)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		return p
	}
	pa, pb := payload(), payload()
	sizes := func() []int {
		var s []int
		for left := len(pa); left > 0; {
			n := min(left, rng.IntN(5000))
			s = append(s, n)
			left -= n
		}
		return s
	}
	sa, sb := sizes(), sizes()

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	send := func(sc *SecretConnection, p []byte, sizes []int) {
		for _, n := range sizes {
			if _, err := sc.Write(p[:n]); err != nil {
				errs <- err
				return
			}
			p = p[n:]
		}
	}
	recv := func(sc *SecretConnection, want []byte) {
		got := make([]byte, len(want))
		if _, err := io.ReadFull(sc, got); err != nil {
			errs <- err
			return
		}
		if !bytes.Equal(got, want) {
			errs <- errors.New("received bytes differ from the sent ones")
		}
	}
	wg.Go(func() { send(a, pa, sa) })
	wg.Go(func() { send(b, pb, sb) })
	wg.Go(func() { recv(b, pa) })
	wg.Go(func() { recv(a, pb) })
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Every write size 0..3000 arrives whole and costs ceil(n/1024) sealed frames on the wire.
func TestSecretConnectionFrameSizes(t *testing.T) {
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	rec := &recordingConn{Conn: ca, discard: true}
	a, b := secretPairOver(t, rec, cb)
	rng := seededRand(t, 7)
	for n := 0; n <= 3000; n++ {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		before := rec.total()
		done := make(chan error, 1)
		go func() {
			_, err := a.Write(msg)
			done <- err
		}()
		got := make([]byte, n)
		if _, err := io.ReadFull(b, got); err != nil {
			t.Fatalf("size %d: read: %v", n, err)
		}
		if err := <-done; err != nil {
			t.Fatalf("size %d: write: %v", n, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("size %d: data differs", n)
		}
		frames := (n + dataMaxSize - 1) / dataMaxSize
		if wrote := rec.total() - before; wrote != frames*sealedFrameSize {
			t.Fatalf("size %d: %d bytes on the wire, want %d frames of %d", n, wrote, frames, sealedFrameSize)
		}
	}
}

func TestSecretConnectionRejectsBadSignature(t *testing.T) {
	ra, rb := makeSecretPair(t, keyFromSeed(t, 1), badSigner{keyFromSeed(t, 2)})
	if !errors.Is(ra.err, ErrBadAuthSignature) {
		t.Fatalf("honest side: got %v, want ErrBadAuthSignature", ra.err)
	}
	_ = rb // the bad side may or may not finish; the honest side closed the connection
}

func TestSecretConnectionRejectsNonEd25519Peer(t *testing.T) {
	ra, _ := makeSecretPair(t, keyFromSeed(t, 1), secp256k1.GenPrivKey())
	if !errors.Is(ra.err, ErrUnsupportedPeerKey) {
		t.Fatalf("got %v, want ErrUnsupportedPeerKey", ra.err)
	}
}

// rawPeer runs fn on the far end of a pipe while MakeSecretConnection runs on the near end, and
// returns the handshake error. The near end's conn is closed on error, which ends fn's I/O.
func rawPeer(t *testing.T, fn func(far net.Conn)) error {
	t.Helper()
	near, far := net.Pipe()
	defer far.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(far)
	}()
	sc, err := MakeSecretConnection(near, keyFromSeed(t, 1))
	if err == nil {
		sc.Close()
		t.Fatal("handshake succeeded against a raw peer")
	}
	far.Close()
	<-done
	return err
}

// sendEphemeral writes the 35-byte ephemeral key frame with value key (any length ≤ 127).
func sendEphemeral(far net.Conn, key []byte) {
	far.Write(append([]byte{byte(2 + len(key)), 0x0a, byte(len(key))}, key...))
}

// takeEphemeral reads the near side's 35-byte ephemeral key frame.
func takeEphemeral(far net.Conn) {
	io.ReadFull(far, make([]byte, 35))
}

func TestSecretConnectionRejectsLowOrderPoints(t *testing.T) {
	points := []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	}
	for _, p := range points {
		err := rawPeer(t, func(far net.Conn) {
			go io.Copy(io.Discard, far)
			sendEphemeral(far, mustHex(t, p))
		})
		if !errors.Is(err, ErrSmallOrderRemotePubKey) {
			t.Errorf("point %s: got %v, want ErrSmallOrderRemotePubKey", p, err)
		}
	}
}

func TestSecretConnectionRejectsReflectedKey(t *testing.T) {
	err := rawPeer(t, func(far net.Conn) {
		ours := make([]byte, 35)
		if _, err := io.ReadFull(far, ours); err != nil {
			return
		}
		go io.Copy(io.Discard, far)
		far.Write(ours)
	})
	if !errors.Is(err, ErrReflectedEphemeralKey) {
		t.Fatalf("got %v, want ErrReflectedEphemeralKey", err)
	}
}

func TestSecretConnectionRejectsMalformedEphemeralKey(t *testing.T) {
	for _, n := range []int{0, 31, 33} {
		err := rawPeer(t, func(far net.Conn) {
			go io.Copy(io.Discard, far)
			sendEphemeral(far, bytes.Repeat([]byte{9}, n))
		})
		if !errors.Is(err, ErrMalformedEphemeralKey) {
			t.Errorf("%d-byte key: got %v, want ErrMalformedEphemeralKey", n, err)
		}
	}
}

func TestSecretConnectionTruncatedHandshake(t *testing.T) {
	pub, _ := curve25519.X25519(bytes.Repeat([]byte{5}, 32), curve25519.Basepoint)
	cases := map[string]func(far net.Conn){
		"nothing": func(far net.Conn) { far.Close() },
		"half an ephemeral key": func(far net.Conn) {
			go io.Copy(io.Discard, far)
			frame := append([]byte{0x22, 0x0a, 0x20}, pub...)
			far.Write(frame[:20])
			far.Close()
		},
		// The peer takes our key before it hangs up: hanging up first could fail our write
		// before our read, which is a different (and racy) case.
		"no auth message": func(far net.Conn) {
			sendEphemeral(far, pub)
			takeEphemeral(far)
			far.Close()
		},
		"half an auth frame": func(far net.Conn) {
			sendEphemeral(far, pub)
			takeEphemeral(far)
			go io.Copy(io.Discard, far)
			far.Write(make([]byte, sealedFrameSize/2))
			far.Close()
		},
	}
	for name, peer := range cases {
		err := rawPeer(t, peer)
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			t.Errorf("%s: got %v, want an EOF error", name, err)
		}
	}
}

// A garbage auth frame (right size, wrong key) fails authentication of the frame.
func TestSecretConnectionGarbageAuthFrame(t *testing.T) {
	pub, _ := curve25519.X25519(bytes.Repeat([]byte{5}, 32), curve25519.Basepoint)
	err := rawPeer(t, func(far net.Conn) {
		go io.Copy(io.Discard, far)
		sendEphemeral(far, pub)
		far.Write(bytes.Repeat([]byte{0xab}, sealedFrameSize))
	})
	if !errors.Is(err, ErrFrameDecrypt) {
		t.Fatalf("got %v, want ErrFrameDecrypt", err)
	}
}

// The handshake gives up at the caller's deadline, in simulated time, and closes the conn.
func TestSecretConnectionHandshakeDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		near, far := net.Pipe()
		defer far.Close()
		go io.Copy(io.Discard, far) // a peer that listens but never speaks
		start := time.Now()
		near.SetDeadline(start.Add(20 * time.Second))
		_, err := MakeSecretConnection(near, keyFromSeed(t, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("got %v, want os.ErrDeadlineExceeded", err)
		}
		if took := time.Since(start); took != 20*time.Second {
			t.Fatalf("gave up after %v, want 20s", took)
		}
		if _, err := near.Write([]byte{1}); !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("conn not closed after a failed handshake: write gave %v", err)
		}
	})
}

// A frame altered in transit fails to decrypt, and the read side stays broken.
func TestSecretConnectionTamperedFrame(t *testing.T) {
	recvKey, sendKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	frames := sealFrames(t, sendKey, [][]byte{[]byte("hello"), []byte("world")})
	frames[sealedFrameSize+10] ^= 1 // inside the second frame
	sc, err := newSecretConnection(streamConn{bytes.NewReader(frames)}, sendKey, recvKey)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if n, err := sc.Read(buf); err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("first frame: %q, %v", buf[:n], err)
	}
	for range 2 {
		if _, err := sc.Read(buf); !errors.Is(err, ErrFrameDecrypt) {
			t.Fatalf("second frame: got %v, want ErrFrameDecrypt", err)
		}
	}
}

func TestSecretConnectionChunkLengthOverLimit(t *testing.T) {
	key := bytes.Repeat([]byte{3}, 32)
	frame := make([]byte, frameSize)
	binary.LittleEndian.PutUint32(frame, dataMaxSize+1)
	aead, _ := chacha20poly1305.New(key)
	sealed := aead.Seal(nil, make([]byte, 12), frame, nil)
	sc, _ := newSecretConnection(streamConn{bytes.NewReader(sealed)}, key, key)
	if _, err := sc.Read(make([]byte, 10)); !errors.Is(err, ErrFrameChunkLength) {
		t.Fatalf("got %v, want ErrFrameChunkLength", err)
	}
}

// A stream ending between frames is io.EOF; inside a frame it is io.ErrUnexpectedEOF.
func TestSecretConnectionEOF(t *testing.T) {
	key := bytes.Repeat([]byte{4}, 32)
	frames := sealFrames(t, key, [][]byte{[]byte("x")})
	sc, _ := newSecretConnection(streamConn{bytes.NewReader(frames)}, key, key)
	buf := make([]byte, 10)
	if _, err := sc.Read(buf); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Read(buf); err != io.EOF {
		t.Fatalf("clean end: got %v, want io.EOF", err)
	}
	sc, _ = newSecretConnection(streamConn{bytes.NewReader(frames[:100])}, key, key)
	if _, err := sc.Read(buf); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("end inside a frame: got %v, want io.ErrUnexpectedEOF", err)
	}
}

// Empty chunks are skipped and a chunk larger than the read buffer is delivered over several
// reads.
func TestSecretConnectionEmptyAndSplitChunks(t *testing.T) {
	key := bytes.Repeat([]byte{6}, 32)
	frames := sealFrames(t, key, [][]byte{{}, []byte("abcdef"), {}, []byte("g")})
	sc, _ := newSecretConnection(streamConn{bytes.NewReader(frames)}, key, key)
	got, err := io.ReadAll(readerFunc(func(p []byte) (int, error) { return sc.Read(p[:min(len(p), 4)]) }))
	if err != nil || string(got) != "abcdefg" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestFrameNonceOverflow(t *testing.T) {
	n := frameNonce{counter: ^uint64(0)}
	nonce, err := n.next()
	if err != nil || !bytes.Equal(nonce[:], mustHex(t, "00000000ffffffffffffffff")) {
		t.Fatalf("last nonce %x, %v", nonce, err)
	}
	if _, err := n.next(); !errors.Is(err, ErrNonceOverflow) {
		t.Fatalf("got %v, want ErrNonceOverflow", err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// sealFrames returns chunks sealed as consecutive frames under key, nonces from zero.
func sealFrames(t testing.TB, key []byte, chunks [][]byte) []byte {
	t.Helper()
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	var nonce frameNonce
	for _, c := range chunks {
		frame := make([]byte, frameSize)
		binary.LittleEndian.PutUint32(frame, uint32(len(c)))
		copy(frame[4:], c)
		nb, _ := nonce.next()
		out = aead.Seal(out, nb[:], frame, nil)
	}
	return out
}

func TestSecretConnectionNeedsKey(t *testing.T) {
	near, far := net.Pipe()
	defer far.Close()
	if _, err := MakeSecretConnection(near, nil); err == nil {
		t.Fatal("nil node key accepted")
	}
	if _, err := near.Write([]byte{1}); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("conn not closed: %v", err)
	}
}

// countingConn counts the Reads made on the connection it wraps.
type countingConn struct {
	net.Conn
	reads atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

// Frames that arrive together are taken from the connection in one read, not one read each.
func TestSecretConnectionReadsArrivedFramesAtOnce(t *testing.T) {
	ca, cb := net.Pipe()
	t.Cleanup(func() { ca.Close(); cb.Close() })
	counted := &countingConn{Conn: ca}
	a, b := secretPairOver(t, counted, cb)

	msg := bytes.Repeat([]byte{7}, recvBufferFrames*dataMaxSize) // one write of recvBufferFrames frames
	written := make(chan error, 1)
	go func() { _, err := b.Write(msg); written <- err }()
	counted.reads.Store(0)
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(a, got); err != nil {
		t.Fatal(err)
	}
	if err := <-written; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatal("read back different data")
	}
	if n := counted.reads.Load(); n != 1 {
		t.Fatalf("%d reads from the connection for %d frames written at once, want 1", n, recvBufferFrames)
	}
}
