package encoding

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// MlDsa65KeyType is the ABCI type name of ML-DSA-65 keys, recognised so that
// errors can say the type is unsupported rather than unknown.
const MlDsa65KeyType = "ml_dsa_65"

var (
	// ErrUnsupportedKey is returned (wrapped) for a key type this node does
	// not implement, known (ML-DSA-65) or not.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrEmptyKey is returned (wrapped) when a key is missing: a nil
	// crypto.PubKey or a PublicKey with no oneof field set.
	ErrEmptyKey = errors.New("empty key")
)

// PubKeyToProto returns the protobuf form of k. It fails with ErrEmptyKey for
// a nil key, ErrUnsupportedKey for other key types, and a wrapped size error
// for a key of the wrong length. The result shares bytes with k.
func PubKeyToProto(k crypto.PubKey) (pcrypto.PublicKey, error) {
	switch k := k.(type) {
	case nil:
		return pcrypto.PublicKey{}, fmt.Errorf("public key to proto: %w", ErrEmptyKey)
	case ed25519.PubKey:
		if len(k) != ed25519.PubKeySize {
			return pcrypto.PublicKey{}, fmt.Errorf("public key to proto: %w: ed25519 key has %d bytes, want %d", ed25519.ErrKeySize, len(k), ed25519.PubKeySize)
		}
		return pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Ed25519{Ed25519: k}}, nil
	case secp256k1.PubKey:
		if len(k) != secp256k1.PubKeySize {
			return pcrypto.PublicKey{}, fmt.Errorf("public key to proto: %w: secp256k1 key has %d bytes, want %d", secp256k1.ErrKeySize, len(k), secp256k1.PubKeySize)
		}
		return pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Secp256K1{Secp256K1: k}}, nil
	default:
		return pcrypto.PublicKey{}, fmt.Errorf("public key to proto: %w: %T", ErrUnsupportedKey, k)
	}
}

// PubKeyFromProto returns the key held in pk, copying its bytes. It fails
// with ErrEmptyKey when no oneof field is set, ErrUnsupportedKey for
// ML-DSA-65 or an unknown field, and a wrapped size error for a key of the
// wrong length.
func PubKeyFromProto(pk pcrypto.PublicKey) (crypto.PubKey, error) {
	switch sum := pk.Sum.(type) {
	case nil:
		return nil, fmt.Errorf("public key from proto: %w: no key field set", ErrEmptyKey)
	case *pcrypto.PublicKey_Ed25519:
		k, err := ed25519.PubKeyFromBytes(sum.Ed25519)
		if err != nil {
			return nil, fmt.Errorf("public key from proto: %w", err)
		}
		return k, nil
	case *pcrypto.PublicKey_Secp256K1:
		k, err := secp256k1.PubKeyFromBytes(sum.Secp256K1)
		if err != nil {
			return nil, fmt.Errorf("public key from proto: %w", err)
		}
		return k, nil
	case *pcrypto.PublicKey_Mldsa65:
		return nil, fmt.Errorf("public key from proto: %w: ML-DSA-65", ErrUnsupportedKey)
	default:
		return nil, fmt.Errorf("public key from proto: %w: %T", ErrUnsupportedKey, sum)
	}
}

// PubKeyFromTypeAndBytes returns the key of ABCI type name typ ("ed25519" or
// "secp256k1") with bytes b, copying b. It fails with ErrUnsupportedKey for
// other names and a wrapped size error for a key of the wrong length.
func PubKeyFromTypeAndBytes(typ string, b []byte) (crypto.PubKey, error) {
	var (
		k   crypto.PubKey
		err error
	)
	switch typ {
	case ed25519.KeyType:
		k, err = ed25519.PubKeyFromBytes(b)
	case secp256k1.KeyType:
		k, err = secp256k1.PubKeyFromBytes(b)
	case MlDsa65KeyType:
		return nil, fmt.Errorf("public key %q: %w: ML-DSA-65", typ, ErrUnsupportedKey)
	default:
		return nil, fmt.Errorf("public key %q: %w", typ, ErrUnsupportedKey)
	}
	if err != nil {
		return nil, fmt.Errorf("public key %q: %w", typ, err)
	}
	return k, nil
}
