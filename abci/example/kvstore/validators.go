package kvstore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/encoding"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// validatorUpdate turns a parsed validator transaction into the update the node receives. The
// key type is an ABCI type name decoded by crypto/encoding ("ed25519" with 32-byte keys,
// "secp256k1" with 33-byte keys; "" means "ed25519", as in CometBFT). CometBFT's kvstore panics
// on a type or length it cannot use; this one returns an error (wrapping
// encoding.ErrUnsupportedKey for a type).
func validatorUpdate(v validatorTx) (abci.ValidatorUpdate, error) {
	keyType := v.keyType
	if keyType == "" {
		keyType = ed25519.KeyType
	}
	key, err := encoding.PubKeyFromTypeAndBytes(keyType, v.pubKey)
	if err != nil {
		return abci.ValidatorUpdate{}, err
	}
	pk, err := encoding.PubKeyToProto(key)
	if err != nil {
		return abci.ValidatorUpdate{}, err
	}
	return abci.ValidatorUpdate{PubKey: pk, Power: v.power}, nil
}

// pubKeyBytes returns the raw key of a validator update, checking type and length with
// crypto/encoding.
func pubKeyBytes(pk cryptoproto.PublicKey) ([]byte, error) {
	key, err := encoding.PubKeyFromProto(pk)
	if err != nil {
		return nil, err
	}
	return key.Bytes(), nil
}

// validatorAddress is the validator address of a stored key (SHA-256(key)[:20] for ed25519,
// RIPEMD-160(SHA-256(key)) for secp256k1), as misbehaving validators are named; ok is false
// for a key that does not decode.
func validatorAddress(pk cryptoproto.PublicKey) (addr []byte, ok bool) {
	key, err := encoding.PubKeyFromProto(pk)
	if err != nil {
		return nil, false
	}
	return key.Address(), true
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
