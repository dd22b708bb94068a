package kvstore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto/tmhash"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// Key type names accepted in validator update transactions.
const (
	keyTypeEd25519   = "ed25519"
	keyTypeSecp256k1 = "secp256k1"

	ed25519PubKeySize   = 32
	secp256k1PubKeySize = 33
)

// validatorUpdate turns a parsed validator transaction into the update the node receives.
// CometBFT's kvstore accepts "" and "ed25519" (32-byte keys) and "secp256k1" (33-byte
// compressed keys) and panics on anything else; this one returns an error instead.
func validatorUpdate(v validatorTx) (abci.ValidatorUpdate, error) {
	var pk cryptoproto.PublicKey
	switch v.keyType {
	case "", keyTypeEd25519:
		if len(v.pubKey) != ed25519PubKeySize {
			return abci.ValidatorUpdate{}, fmt.Errorf("ed25519 public key is %d bytes, want %d", len(v.pubKey), ed25519PubKeySize)
		}
		pk.Sum = &cryptoproto.PublicKey_Ed25519{Ed25519: v.pubKey}
	case keyTypeSecp256k1:
		if len(v.pubKey) != secp256k1PubKeySize {
			return abci.ValidatorUpdate{}, fmt.Errorf("secp256k1 public key is %d bytes, want %d", len(v.pubKey), secp256k1PubKeySize)
		}
		pk.Sum = &cryptoproto.PublicKey_Secp256K1{Secp256K1: v.pubKey}
	default:
		return abci.ValidatorUpdate{}, fmt.Errorf("key type %q not supported", v.keyType)
	}
	return abci.ValidatorUpdate{PubKey: pk, Power: v.power}, nil
}

// pubKeyBytes returns the raw key of a validator update, checking type and length.
func pubKeyBytes(pk cryptoproto.PublicKey) ([]byte, error) {
	switch sum := pk.Sum.(type) {
	case *cryptoproto.PublicKey_Ed25519:
		if len(sum.Ed25519) != ed25519PubKeySize {
			return nil, fmt.Errorf("ed25519 public key is %d bytes, want %d", len(sum.Ed25519), ed25519PubKeySize)
		}
		return sum.Ed25519, nil
	case *cryptoproto.PublicKey_Secp256K1:
		if len(sum.Secp256K1) != secp256k1PubKeySize {
			return nil, fmt.Errorf("secp256k1 public key is %d bytes, want %d", len(sum.Secp256K1), secp256k1PubKeySize)
		}
		return sum.Secp256K1, nil
	case nil:
		return nil, errors.New("empty public key")
	default:
		return nil, fmt.Errorf("public key type %T not supported", sum)
	}
}

// ed25519Address is the validator address of an ed25519 key: SHA-256(key)[:20]. Misbehaving
// validators are found by address; secp256k1 validators (RIPEMD-160 addresses) are not, and
// their misbehaviour is logged and skipped.
func ed25519Address(pk cryptoproto.PublicKey) ([]byte, bool) {
	sum, ok := pk.Sum.(*cryptoproto.PublicKey_Ed25519)
	if !ok {
		return nil, false
	}
	return tmhash.SumTruncated(sum.Ed25519), true
}

// encodeValidator returns v length-delimited (uvarint length, then the protobuf bytes): the
// stored form, which a "/val" query returns as is, as CometBFT's kvstore does.
func encodeValidator(v abci.ValidatorUpdate) []byte {
	body, err := v.Marshal()
	if err != nil {
		panic(fmt.Sprintf("kvstore: marshal validator update: %v", err)) // a generated type cannot fail
	}
	out := binary.AppendUvarint(make([]byte, 0, len(body)+binary.MaxVarintLen64), uint64(len(body)))
	return append(out, body...)
}

// decodeValidator parses the stored form written by encodeValidator.
func decodeValidator(b []byte) (abci.ValidatorUpdate, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n != uint64(len(b)-k) {
		return abci.ValidatorUpdate{}, errors.New("validator record: bad length prefix")
	}
	var v abci.ValidatorUpdate
	if err := v.Unmarshal(b[k:]); err != nil {
		return abci.ValidatorUpdate{}, fmt.Errorf("validator record: %w", err)
	}
	return v, nil
}
