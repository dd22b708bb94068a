package ed25519

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519/extra/cache"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/tmhash"
)

const (
	// KeyType is the scheme name returned by Type().
	KeyType = "ed25519"
	// PubKeyName is the amino-JSON type name of a public key.
	PubKeyName = "tendermint/PubKeyEd25519"
	// PrivKeyName is the amino-JSON type name of a private key.
	PrivKeyName = "tendermint/PrivKeyEd25519"

	// PubKeySize is the length in bytes of a public key.
	PubKeySize = ed25519.PublicKeySize
	// PrivKeySize is the length in bytes of a private key (seed ‖ public key).
	PrivKeySize = ed25519.PrivateKeySize
	// SeedSize is the length in bytes of a private key seed.
	SeedSize = ed25519.SeedSize
	// SignatureSize is the length in bytes of a signature.
	SignatureSize = ed25519.SignatureSize

	// cacheSize bounds the expanded-public-key cache (~1.5 KiB per entry).
	cacheSize = 4096
)

var (
	// ErrKeySize is returned (wrapped) when key bytes have the wrong length.
	ErrKeySize = errors.New("ed25519: wrong key size")
	// ErrKeyMismatch is returned (wrapped) by PrivKeyFromBytes when the
	// public half of a private key does not belong to its seed.
	ErrKeyMismatch = errors.New("ed25519: public half of private key does not match its seed")
)

var (
	// zip215 selects ZIP-215 verification rules for every verification.
	zip215 = &ed25519.Options{Verify: ed25519.VerifyOptionsZIP_215}

	// verifier holds expanded public keys of recently used keys.
	verifier = cache.NewVerifier(cache.NewLRUCache(cacheSize))
)

// PubKey is a 32-byte Ed25519 public key. Build one with PubKeyFromBytes (or
// a conversion of 32 trusted bytes).
type PubKey []byte

var _ crypto.PubKey = PubKey(nil)

// PubKeyFromBytes returns a copy of b as a PubKey, or an error wrapping
// ErrKeySize when b is not PubKeySize bytes. It does not check that b is a
// valid curve point; VerifySignature rejects keys that are not.
func PubKeyFromBytes(b []byte) (PubKey, error) {
	if len(b) != PubKeySize {
		return nil, fmt.Errorf("%w: public key has %d bytes, want %d", ErrKeySize, len(b), PubKeySize)
	}
	return PubKey(bytes.Clone(b)), nil
}

// Address returns the first 20 bytes of SHA-256(key). It panics if the key
// is not PubKeySize bytes, which decoders in this module never produce.
func (k PubKey) Address() crypto.Address {
	if len(k) != PubKeySize {
		panic(fmt.Sprintf("ed25519: address of a %d-byte public key", len(k)))
	}
	return crypto.Address(tmhash.SumTruncated(k))
}

// Bytes returns the raw key (not a copy).
func (k PubKey) Bytes() []byte { return k }

// VerifySignature reports whether sig is a valid ZIP-215 Ed25519 signature
// of msg by k. Wrong-length keys or signatures give false.
func (k PubKey) VerifySignature(msg, sig []byte) bool {
	if len(k) != PubKeySize || len(sig) != SignatureSize {
		return false
	}
	return verifier.VerifyWithOptions(ed25519.PublicKey(k), msg, sig, zip215)
}

// Equals reports whether other is an ed25519 PubKey with the same bytes.
func (k PubKey) Equals(other crypto.PubKey) bool {
	o, ok := other.(PubKey)
	return ok && bytes.Equal(k, o)
}

// Type returns KeyType.
func (k PubKey) Type() string { return KeyType }

// String returns "PubKeyEd25519{<uppercase hex>}".
func (k PubKey) String() string { return fmt.Sprintf("PubKeyEd25519{%X}", []byte(k)) }

// PrivKey is a 64-byte Ed25519 private key: the 32-byte seed followed by the
// 32-byte public key, as Go and key files store it.
type PrivKey []byte

var _ crypto.PrivKey = PrivKey(nil)

// GenPrivKey returns a new key from crypto/rand.
func GenPrivKey() PrivKey {
	k, err := GenPrivKeyFromReader(rand.Reader)
	if err != nil {
		// crypto/rand.Reader does not fail on supported platforms.
		panic(fmt.Sprintf("ed25519: reading randomness: %v", err))
	}
	return k
}

// GenPrivKeyFromReader returns a new key whose seed is the next SeedSize
// bytes of r. It fails only if r does.
func GenPrivKeyFromReader(r io.Reader) (PrivKey, error) {
	seed := make([]byte, SeedSize)
	if _, err := io.ReadFull(r, seed); err != nil {
		return nil, fmt.Errorf("ed25519: reading seed: %w", err)
	}
	return PrivKey(ed25519.NewKeyFromSeed(seed)), nil
}

// GenPrivKeyFromSecret returns the key whose seed is SHA-256(secret). It is
// deterministic and meant for tests and tooling, not for real keys.
func GenPrivKeyFromSecret(secret []byte) PrivKey {
	seed := sha256.Sum256(secret)
	return PrivKey(ed25519.NewKeyFromSeed(seed[:]))
}

// PrivKeyFromSeed returns the key for a SeedSize-byte seed, or an error
// wrapping ErrKeySize.
func PrivKeyFromSeed(seed []byte) (PrivKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("%w: seed has %d bytes, want %d", ErrKeySize, len(seed), SeedSize)
	}
	return PrivKey(ed25519.NewKeyFromSeed(seed)), nil
}

// PrivKeyFromBytes returns a copy of b as a PrivKey. It fails with
// ErrKeySize when b is not PrivKeySize bytes and with ErrKeyMismatch when
// the last 32 bytes are not the public key of the first 32.
func PrivKeyFromBytes(b []byte) (PrivKey, error) {
	if len(b) != PrivKeySize {
		return nil, fmt.Errorf("%w: private key has %d bytes, want %d", ErrKeySize, len(b), PrivKeySize)
	}
	k := PrivKey(ed25519.NewKeyFromSeed(b[:SeedSize]))
	if subtle.ConstantTimeCompare(k[SeedSize:], b[SeedSize:]) != 1 {
		return nil, ErrKeyMismatch
	}
	return k, nil
}

// Bytes returns the raw 64-byte key (not a copy).
func (k PrivKey) Bytes() []byte { return k }

// Sign returns the deterministic Ed25519 signature of msg. It fails only
// when k is not PrivKeySize bytes.
func (k PrivKey) Sign(msg []byte) ([]byte, error) {
	if len(k) != PrivKeySize {
		return nil, fmt.Errorf("%w: private key has %d bytes, want %d", ErrKeySize, len(k), PrivKeySize)
	}
	return ed25519.Sign(ed25519.PrivateKey(k), msg), nil
}

// PubKey returns a copy of the public half. It panics if k is not
// PrivKeySize bytes, which constructors in this package never produce.
func (k PrivKey) PubKey() crypto.PubKey {
	if len(k) != PrivKeySize {
		panic(fmt.Sprintf("ed25519: public key of a %d-byte private key", len(k)))
	}
	return PubKey(bytes.Clone(k[SeedSize:]))
}

// Equals reports, in constant time, whether other is an ed25519 PrivKey
// with the same bytes.
func (k PrivKey) Equals(other crypto.PrivKey) bool {
	o, ok := other.(PrivKey)
	return ok && subtle.ConstantTimeCompare(k, o) == 1
}

// Type returns KeyType.
func (k PrivKey) Type() string { return KeyType }

// String hides the key material.
func (k PrivKey) String() string { return "PrivKeyEd25519{<redacted>}" }
