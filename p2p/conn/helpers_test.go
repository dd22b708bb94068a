package conn

import (
	"bytes"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
)

// mustHex decodes s (spaces allowed) or fails the test.
func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// seededRand returns a deterministic source and logs its seed so a failure can be replayed.
func seededRand(t testing.TB, seed uint64) *rand.Rand {
	t.Helper()
	t.Logf("random seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// keyFromSeed returns the ed25519 key whose 32-byte seed is b repeated.
func keyFromSeed(t testing.TB, b byte) ed25519.PrivKey {
	t.Helper()
	k, err := ed25519.PrivKeyFromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type handshakeResult struct {
	sc  *SecretConnection
	err error
}

// makeSecretPair runs MakeSecretConnection on both ends of a net.Pipe and returns both sides'
// results (in order: a, b).
func makeSecretPair(t testing.TB, keyA, keyB crypto.PrivKey) (handshakeResult, handshakeResult) {
	t.Helper()
	ca, cb := net.Pipe()
	t.Cleanup(func() { ca.Close(); cb.Close() })
	return handshakeOver(ca, cb, keyA, keyB)
}

// handshakeOver runs MakeSecretConnection on ca with keyA and on cb with keyB at once.
func handshakeOver(ca, cb net.Conn, keyA, keyB crypto.PrivKey) (handshakeResult, handshakeResult) {
	var ra, rb handshakeResult
	var wg sync.WaitGroup
	wg.Go(func() { ra.sc, ra.err = MakeSecretConnection(ca, keyA) })
	wg.Go(func() { rb.sc, rb.err = MakeSecretConnection(cb, keyB) })
	wg.Wait()
	return ra, rb
}

// secretPairOver returns SecretConnections over ca (key 1) and cb (key 2) or fails the test;
// ca may wrap one end of a pipe whose other end is cb.
func secretPairOver(t testing.TB, ca, cb net.Conn) (*SecretConnection, *SecretConnection) {
	t.Helper()
	ra, rb := handshakeOver(ca, cb, keyFromSeed(t, 1), keyFromSeed(t, 2))
	if ra.err != nil || rb.err != nil {
		t.Fatalf("handshake: %v / %v", ra.err, rb.err)
	}
	return ra.sc, rb.sc
}

// secretPair returns two connected SecretConnections or fails the test.
func secretPair(t testing.TB) (*SecretConnection, *SecretConnection) {
	t.Helper()
	ra, rb := makeSecretPair(t, keyFromSeed(t, 1), keyFromSeed(t, 2))
	if ra.err != nil || rb.err != nil {
		t.Fatalf("handshake: %v / %v", ra.err, rb.err)
	}
	return ra.sc, rb.sc
}

// recordingConn records every byte written through it (only counted when discard is set).
type recordingConn struct {
	net.Conn
	mu      sync.Mutex
	written bytes.Buffer
	count   int
	discard bool
}

func (c *recordingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.count += n
	if !c.discard {
		c.written.Write(p[:n])
	}
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

func (c *recordingConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.written.Bytes())
}

// streamConn is a net.Conn reading from a fixed byte stream and discarding writes.
type streamConn struct{ r io.Reader }

func (c streamConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c streamConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c streamConn) Close() error                     { return nil }
func (c streamConn) LocalAddr() net.Addr              { return pipeAddr{} }
func (c streamConn) RemoteAddr() net.Addr             { return pipeAddr{} }
func (c streamConn) SetDeadline(time.Time) error      { return nil }
func (c streamConn) SetReadDeadline(time.Time) error  { return nil }
func (c streamConn) SetWriteDeadline(time.Time) error { return nil }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// badSigner signs like its key but flips a bit of every signature.
type badSigner struct{ ed25519.PrivKey }

func (k badSigner) Sign(msg []byte) ([]byte, error) {
	sig, err := k.PrivKey.Sign(msg)
	sig[7] ^= 0x40
	return sig, err
}
