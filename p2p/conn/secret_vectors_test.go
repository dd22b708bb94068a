package conn

import (
	"bytes"
	"encoding/binary"
	"net"
	"sync"
	"testing"

	"github.com/gtank/merlin"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/curve25519"
)

// Fact sheet §3.3: the Merlin transcript vector.
func TestMerlinVector(t *testing.T) {
	tr := merlin.NewTranscript("test protocol")
	tr.AppendMessage([]byte("some label"), []byte("some data"))
	got := tr.ExtractBytes([]byte("challenge"), 32)
	want := mustHex(t, "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615")
	if !bytes.Equal(got, want) {
		t.Fatalf("merlin challenge %x, want %x", got, want)
	}
}

// Fact sheet §3.3: row 1 of CometBFT's TestDeriveSecretsAndChallengeGolden.
func TestDeriveSecretsGoldenRow(t *testing.T) {
	dh := mustHex(t, "9fe4a5a73df12dbd8659b1d9280873fe993caefec6b0ebc2686dd65027148e03")
	wantRecv := mustHex(t, "80a83ad6afcb6f8175192e41973aed31dd75e3c106f813d986d9567a4865eb2f")
	wantSend := mustHex(t, "96362a04f628a0666d9866147326898bb0847b8db8680263ad19e6336d4eed9e")

	recv, send := deriveSecrets(dh, true)
	if !bytes.Equal(recv, wantRecv) || !bytes.Equal(send, wantSend) {
		t.Fatalf("locIsLeast: recv %x send %x\nwant recv %x send %x", recv, send, wantRecv, wantSend)
	}
	recv, send = deriveSecrets(dh, false)
	if !bytes.Equal(recv, wantSend) || !bytes.Equal(send, wantRecv) {
		t.Fatalf("!locIsLeast: keys not swapped: recv %x send %x", recv, send)
	}
	legacy := hkdfOutput(dh)[64:]
	if !bytes.HasPrefix(legacy, mustHex(t, "2632c3fd")) || !bytes.HasSuffix(legacy, mustHex(t, "8c69")) {
		t.Fatalf("HKDF bytes 64..96 = %x, want 2632c3fd…8c69", legacy)
	}
}

// Fact sheet §3.3: challenge and keys for lo = 32×01, hi = 32×02, dh = 32×03.
func TestChallengeVector(t *testing.T) {
	lo, hi, dh := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	if got, want := makeChallenge(lo, hi, dh), mustHex(t, "0f1d2f729ea5fef6b399c74a32be0e65a46bc64a3010a16f7529dfe3b04b70ed"); !bytes.Equal(got, want) {
		t.Fatalf("challenge %x, want %x", got, want)
	}
	k1, k2 := deriveSecrets(dh, true)
	if want := mustHex(t, "5668dcb68feb1d518f6630e79dce0e7fb2723e2fe1de90aba469629c9c546708"); !bytes.Equal(k1, want) {
		t.Fatalf("k1 %x, want %x", k1, want)
	}
	if want := mustHex(t, "c7011e60de0fad955dbde28c024ab1357af6098acf277d93479542bfe314a9d2"); !bytes.Equal(k2, want) {
		t.Fatalf("k2 %x, want %x", k2, want)
	}
}

// With fixed ephemeral keys, what one side puts on the wire is exactly: the 35-byte
// BytesValue frame of its ephemeral key, then one sealed frame (nonce 0, send key) holding the
// 103-byte AuthSigMessage `66 0a 22 0a 20 <pub> 12 40 <sig>` and zero filler.
func TestHandshakeWireBytes(t *testing.T) {
	ephA, ephB := bytes.Repeat([]byte{0x11}, 32), bytes.Repeat([]byte{0x22}, 32)
	keyA, keyB := keyFromSeed(t, 0xa1), keyFromSeed(t, 0xb2)
	pa, pb := net.Pipe()
	rec := &recordingConn{Conn: pa}
	var scA *SecretConnection
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { scA, errA = handshake(rec, keyA, ephA) })
	wg.Go(func() { _, errB = handshake(pb, keyB, ephB) })
	wg.Wait()
	defer pa.Close()
	defer pb.Close()
	if errA != nil || errB != nil {
		t.Fatalf("handshake: %v / %v", errA, errB)
	}
	if !scA.RemotePubKey().Equals(keyB.PubKey()) {
		t.Fatalf("remote key %v, want %v", scA.RemotePubKey(), keyB.PubKey())
	}

	wire := rec.bytes()
	if len(wire) != 35+sealedFrameSize {
		t.Fatalf("side A wrote %d bytes, want %d", len(wire), 35+sealedFrameSize)
	}
	pubA, _ := curve25519.X25519(ephA, curve25519.Basepoint)
	pubB, _ := curve25519.X25519(ephB, curve25519.Basepoint)
	if want := append(mustHex(t, "220a20"), pubA...); !bytes.Equal(wire[:35], want) {
		t.Fatalf("ephemeral key frame %x, want %x", wire[:35], want)
	}

	dh, _ := curve25519.X25519(ephA, pubB)
	lo, hi := pubA, pubB
	aIsLeast := bytes.Compare(pubA, pubB) < 0
	if !aIsLeast {
		lo, hi = hi, lo
	}
	_, sendA := deriveSecrets(dh, aIsLeast)
	aead, _ := chacha20poly1305.New(sendA)
	frame, err := aead.Open(nil, make([]byte, 12), wire[35:], nil)
	if err != nil {
		t.Fatalf("auth frame does not open with side A's send key and nonce 0: %v", err)
	}
	if n := binary.LittleEndian.Uint32(frame); n != 103 {
		t.Fatalf("auth frame chunk length %d, want 103", n)
	}
	msg := frame[4 : 4+103]
	wantHead := append(mustHex(t, "660a220a20"), keyA.PubKey().Bytes()...)
	wantHead = append(wantHead, 0x12, 0x40)
	if !bytes.Equal(msg[:len(wantHead)], wantHead) {
		t.Fatalf("auth message head %x, want %x", msg[:len(wantHead)], wantHead)
	}
	if !keyA.PubKey().VerifySignature(makeChallenge(lo, hi, dh), msg[len(wantHead):]) {
		t.Fatal("auth signature is not over the transcript challenge")
	}
	if !bytes.Equal(frame[4+103:], make([]byte, frameSize-4-103)) {
		t.Fatal("filler is not zero")
	}
}
