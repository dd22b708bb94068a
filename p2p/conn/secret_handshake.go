package conn

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"

	gogotypes "github.com/cosmos/gogoproto/types"
	"github.com/gtank/merlin"
	"golang.org/x/crypto/curve25519"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// Handshake constants (fact sheet §3.1).
const (
	transcriptLabel   = "TENDERMINT_SECRET_CONNECTION_TRANSCRIPT_HASH"
	labelLowerEphKey  = "EPHEMERAL_LOWER_PUBLIC_KEY"
	labelUpperEphKey  = "EPHEMERAL_UPPER_PUBLIC_KEY"
	labelDHSecret     = "DH_SECRET"
	labelChallenge    = "SECRET_CONNECTION_MAC"
	hkdfInfo          = "TENDERMINT_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN"
	hkdfOutputSize    = 96 // two 32-byte keys and 32 unused legacy bytes
	keySize           = 32
	challengeSize     = 32
	handshakeMsgLimit = 1 << 20 // largest handshake message read from the peer
)

// MakeSecretConnection runs the SecretConnection handshake over conn, authenticating with
// locPrivKey (the node key, ed25519 for a CometBFT-compatible peer), and returns the encrypted
// connection. Both sides run the same steps; there is no initiator.
//
// The handshake honours conn's deadlines: set one before calling to bound it (CometBFT uses
// handshake_timeout, 20 s). On error conn is closed, and the error wraps ErrSmallOrderRemotePubKey,
// ErrReflectedEphemeralKey, ErrMalformedEphemeralKey, ErrUnsupportedPeerKey, ErrBadAuthSignature,
// io.ErrUnexpectedEOF / io.EOF (the peer hung up part-way), os.ErrDeadlineExceeded, or another
// error of conn or of decoding.
func MakeSecretConnection(conn net.Conn, locPrivKey crypto.PrivKey) (*SecretConnection, error) {
	if locPrivKey == nil {
		conn.Close()
		return nil, errors.New("secret connection: no node key")
	}
	ephPriv, err := genEphemeralKey(rand.Reader)
	if err != nil {
		conn.Close()
		return nil, err
	}
	sc, err := handshake(conn, locPrivKey, ephPriv)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return sc, nil
}

// handshake runs the handshake with the given ephemeral private key; it does not close conn.
func handshake(conn net.Conn, locPrivKey crypto.PrivKey, locEphPriv []byte) (*SecretConnection, error) {
	locEphPub, err := curve25519.X25519(locEphPriv, curve25519.Basepoint)
	if err != nil {
		return nil, fmt.Errorf("secret connection: ephemeral public key: %w", err)
	}
	remEphPub, err := shareEphemeralKey(conn, locEphPub)
	if err != nil {
		return nil, err
	}
	if bytes.Equal(locEphPub, remEphPub) {
		return nil, ErrReflectedEphemeralKey
	}
	dh, err := curve25519.X25519(locEphPriv, remEphPub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSmallOrderRemotePubKey, err)
	}
	lo, hi := locEphPub, remEphPub
	locIsLeast := bytes.Compare(lo, hi) < 0
	if !locIsLeast {
		lo, hi = hi, lo
	}
	recvKey, sendKey := deriveSecrets(dh, locIsLeast)
	sc, err := newSecretConnection(conn, recvKey, sendKey)
	if err != nil {
		return nil, err
	}
	challenge := makeChallenge(lo, hi, dh)
	sig, err := locPrivKey.Sign(challenge)
	if err != nil {
		return nil, fmt.Errorf("secret connection: signing the challenge: %w", err)
	}
	remPubKey, remSig, err := shareAuthSignature(sc, locPrivKey.PubKey(), sig)
	if err != nil {
		return nil, err
	}
	if _, ok := remPubKey.(ed25519.PubKey); !ok {
		return nil, fmt.Errorf("%w: got %s", ErrUnsupportedPeerKey, remPubKey.Type())
	}
	if !remPubKey.VerifySignature(challenge, remSig) {
		return nil, ErrBadAuthSignature
	}
	sc.remPubKey = remPubKey
	return sc, nil
}

// genEphemeralKey reads a 32-byte X25519 private key (clamped by X25519 itself) from r.
func genEphemeralKey(r io.Reader) ([]byte, error) {
	priv := make([]byte, curve25519.ScalarSize)
	if _, err := io.ReadFull(r, priv); err != nil {
		return nil, fmt.Errorf("secret connection: generating the ephemeral key: %w", err)
	}
	return priv, nil
}

// shareEphemeralKey sends locEphPub as a length-delimited google.protobuf.BytesValue while
// reading the peer's, and returns the peer's key.
func shareEphemeralKey(conn net.Conn, locEphPub []byte) ([]byte, error) {
	var rem gogotypes.BytesValue
	err := exchange(
		func() error {
			_, err := protoio.NewDelimitedWriter(conn).WriteMsg(&gogotypes.BytesValue{Value: locEphPub})
			return err
		},
		func() error {
			// Not buffered: nothing past this message may be consumed from conn.
			_, err := protoio.NewDelimitedReader(conn, handshakeMsgLimit).ReadMsg(&rem)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("secret connection: exchanging ephemeral keys: %w", err)
	}
	if len(rem.Value) != keySize {
		return nil, fmt.Errorf("%w: %d-byte key", ErrMalformedEphemeralKey, len(rem.Value))
	}
	return rem.Value, nil
}

// shareAuthSignature sends our node key and challenge signature as a length-delimited
// AuthSigMessage over the encrypted stream while reading the peer's, and returns the peer's key
// and signature.
func shareAuthSignature(sc *SecretConnection, pubKey crypto.PubKey, sig []byte) (crypto.PubKey, []byte, error) {
	pbKey, err := encoding.PubKeyToProto(pubKey)
	if err != nil {
		return nil, nil, fmt.Errorf("secret connection: our node key: %w", err)
	}
	var rem tmp2p.AuthSigMessage
	err = exchange(
		func() error {
			_, err := protoio.NewDelimitedWriter(sc).WriteMsg(&tmp2p.AuthSigMessage{PubKey: pbKey, Sig: sig})
			return err
		},
		func() error {
			_, err := protoio.NewDelimitedReader(sc, handshakeMsgLimit).ReadMsg(&rem)
			return err
		})
	if err != nil {
		return nil, nil, fmt.Errorf("secret connection: exchanging auth signatures: %w", err)
	}
	remKey, err := encoding.PubKeyFromProto(rem.PubKey)
	if err != nil {
		if errors.Is(err, encoding.ErrUnsupportedKey) {
			return nil, nil, fmt.Errorf("%w: %v", ErrUnsupportedPeerKey, err)
		}
		return nil, nil, fmt.Errorf("secret connection: peer's node key: %w", err)
	}
	return remKey, rem.Sig, nil
}

// exchange runs write in a new goroutine and read in this one, and returns once both are done:
// the read error if there is one, else the write error. Each handshake step is symmetric, so
// both sides write and read at once (an unbuffered transport would deadlock otherwise). Neither
// may block forever: on an error the caller closes the connection, and the caller's deadline
// bounds the rest.
func exchange(write, read func() error) error {
	done := make(chan error, 1)
	go func() { done <- write() }()
	readErr := read()
	if readErr != nil {
		return readErr // the caller closes the connection, which ends the write
	}
	return <-done
}

// hkdfOutput returns the 96 bytes HKDF-SHA256 derives from the shared secret dh (no salt).
func hkdfOutput(dh []byte) []byte {
	out, err := hkdf.Key(sha256.New, dh, nil, hkdfInfo, hkdfOutputSize)
	if err != nil {
		panic(fmt.Sprintf("hkdf of %d bytes failed: %v", hkdfOutputSize, err)) // only for huge lengths
	}
	return out
}

// deriveSecrets returns the receive and send keys for the side whose ephemeral key is (or is
// not) the lower one: the lower side receives with the first key and sends with the second.
func deriveSecrets(dh []byte, locIsLeast bool) (recvKey, sendKey []byte) {
	out := hkdfOutput(dh)
	first, second := out[:keySize], out[keySize:2*keySize]
	if locIsLeast {
		return first, second
	}
	return second, first
}

// makeChallenge returns the 32-byte challenge both sides sign: the Merlin transcript of the
// sorted ephemeral keys and the shared secret.
func makeChallenge(lo, hi, dh []byte) []byte {
	t := merlin.NewTranscript(transcriptLabel)
	t.AppendMessage([]byte(labelLowerEphKey), lo)
	t.AppendMessage([]byte(labelUpperEphKey), hi)
	t.AppendMessage([]byte(labelDHSecret), dh)
	return t.ExtractBytes([]byte(labelChallenge), challengeSize)
}
