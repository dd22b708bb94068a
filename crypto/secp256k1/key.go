package secp256k1

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	secp "github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	//lint:ignore SA1019 the secp256k1 address format is RIPEMD-160 by definition
	"golang.org/x/crypto/ripemd160"

	"github.com/ballot-bft/ballot/crypto"
)

const (
	// KeyType is the scheme name returned by Type().
	KeyType = "secp256k1"
	// PubKeyName is the amino-JSON type name of a public key.
	PubKeyName = "tendermint/PubKeySecp256k1"
	// PrivKeyName is the amino-JSON type name of a private key.
	PrivKeyName = "tendermint/PrivKeySecp256k1"

	// PubKeySize is the length in bytes of a compressed public key.
	PubKeySize = secp.PubKeyBytesLenCompressed
	// PrivKeySize is the length in bytes of a private key.
	PrivKeySize = secp.PrivKeyBytesLen
	// SignatureSize is the length in bytes of an r ‖ s signature.
	SignatureSize = 64
)

var (
	// ErrKeySize is returned (wrapped) when key bytes have the wrong length.
	ErrKeySize = errors.New("secp256k1: wrong key size")
	// ErrInvalidKey is returned (wrapped) when private key bytes are not a
	// scalar in [1, n-1].
	ErrInvalidKey = errors.New("secp256k1: invalid private key")
)

// PubKey is a 33-byte compressed secp256k1 public key.
type PubKey []byte

var _ crypto.PubKey = PubKey(nil)

// PubKeyFromBytes returns a copy of b as a PubKey, or an error wrapping
// ErrKeySize when b is not PubKeySize bytes. It does not check that b is a
// curve point; VerifySignature rejects keys that are not.
func PubKeyFromBytes(b []byte) (PubKey, error) {
	if len(b) != PubKeySize {
		return nil, fmt.Errorf("%w: public key has %d bytes, want %d", ErrKeySize, len(b), PubKeySize)
	}
	return PubKey(bytes.Clone(b)), nil
}

// Address returns RIPEMD-160(SHA-256(key)). It panics if the key is not
// PubKeySize bytes, which decoders in this module never produce.
func (k PubKey) Address() crypto.Address {
	if len(k) != PubKeySize {
		panic(fmt.Sprintf("secp256k1: address of a %d-byte public key", len(k)))
	}
	sha := sha256.Sum256(k)
	h := ripemd160.New()
	h.Write(sha[:])
	return crypto.Address(h.Sum(nil))
}

// Bytes returns the raw key (not a copy).
func (k PubKey) Bytes() []byte { return k }

// VerifySignature reports whether sig (r ‖ s) is a valid signature of
// SHA-256(msg) by k. It rejects r or s outside [1, n-1], S above n/2, keys
// that are not valid compressed points, and wrong lengths.
func (k PubKey) VerifySignature(msg, sig []byte) bool {
	if len(sig) != SignatureSize || len(k) != PubKeySize {
		return false
	}
	pub, err := secp.ParsePubKey(k)
	if err != nil {
		return false
	}
	var r, s secp.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
		return false // r or s ≥ n
	}
	if s.IsOverHalfOrder() {
		return false
	}
	hash := sha256.Sum256(msg)
	return ecdsa.NewSignature(&r, &s).Verify(hash[:], pub)
}

// Equals reports whether other is a secp256k1 PubKey with the same bytes.
func (k PubKey) Equals(other crypto.PubKey) bool {
	o, ok := other.(PubKey)
	return ok && bytes.Equal(k, o)
}

// Type returns KeyType.
func (k PubKey) Type() string { return KeyType }

// String returns "PubKeySecp256k1{<uppercase hex>}".
func (k PubKey) String() string { return fmt.Sprintf("PubKeySecp256k1{%X}", []byte(k)) }

// PrivKey is a 32-byte secp256k1 private key (big-endian scalar).
type PrivKey []byte

var _ crypto.PrivKey = PrivKey(nil)

// GenPrivKey returns a new key from crypto/rand.
func GenPrivKey() PrivKey {
	k, err := secp.GeneratePrivateKey()
	if err != nil {
		// crypto/rand.Reader does not fail on supported platforms.
		panic(fmt.Sprintf("secp256k1: generating key: %v", err))
	}
	return PrivKey(k.Serialize())
}

// GenPrivKeyFromReader returns a new key drawn from r. It fails only if r
// does.
func GenPrivKeyFromReader(r io.Reader) (PrivKey, error) {
	k, err := secp.GeneratePrivateKeyFromRand(r)
	if err != nil {
		return nil, fmt.Errorf("secp256k1: generating key: %w", err)
	}
	return PrivKey(k.Serialize()), nil
}

// PrivKeyFromBytes returns a copy of b as a PrivKey. It fails with
// ErrKeySize when b is not PrivKeySize bytes and with ErrInvalidKey when b
// is zero or not below the group order.
func PrivKeyFromBytes(b []byte) (PrivKey, error) {
	if len(b) != PrivKeySize {
		return nil, fmt.Errorf("%w: private key has %d bytes, want %d", ErrKeySize, len(b), PrivKeySize)
	}
	if _, err := scalar(b); err != nil {
		return nil, err
	}
	return PrivKey(bytes.Clone(b)), nil
}

// scalar parses b as a private scalar in [1, n-1].
func scalar(b []byte) (*secp.PrivateKey, error) {
	var s secp.ModNScalar
	if len(b) != PrivKeySize {
		return nil, fmt.Errorf("%w: private key has %d bytes, want %d", ErrKeySize, len(b), PrivKeySize)
	}
	if overflow := s.SetByteSlice(b); overflow || s.IsZero() {
		return nil, fmt.Errorf("%w: scalar is zero or not below the group order", ErrInvalidKey)
	}
	return secp.NewPrivateKey(&s), nil
}

// Bytes returns the raw key (not a copy).
func (k PrivKey) Bytes() []byte { return k }

// Sign returns the deterministic low-S signature r ‖ s of SHA-256(msg). It
// fails only when k is not a valid private key.
func (k PrivKey) Sign(msg []byte) ([]byte, error) {
	priv, err := scalar(k)
	if err != nil {
		return nil, err
	}
	hash := sha256.Sum256(msg)
	sig := ecdsa.Sign(priv, hash[:])
	r, s := sig.R(), sig.S()
	out := make([]byte, SignatureSize)
	r.PutBytesUnchecked(out[:32])
	s.PutBytesUnchecked(out[32:])
	return out, nil
}

// PubKey returns the compressed public key. It panics if k is not a valid
// private key, which constructors in this package never produce.
func (k PrivKey) PubKey() crypto.PubKey {
	priv, err := scalar(k)
	if err != nil {
		panic(fmt.Sprintf("secp256k1: public key of an invalid private key: %v", err))
	}
	return PubKey(priv.PubKey().SerializeCompressed())
}

// Equals reports, in constant time, whether other is a secp256k1 PrivKey
// with the same bytes.
func (k PrivKey) Equals(other crypto.PrivKey) bool {
	o, ok := other.(PrivKey)
	return ok && subtle.ConstantTimeCompare(k, o) == 1
}

// Type returns KeyType.
func (k PrivKey) Type() string { return KeyType }

// String hides the key material.
func (k PrivKey) String() string { return "PrivKeySecp256k1{<redacted>}" }
