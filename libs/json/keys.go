package json

import (
	"reflect"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	pc "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// Names of the protobuf PublicKey message and its oneof wrappers, as CometBFT registers
// them (they surface in validator updates: {"Sum":{"type":…,"value":{"ed25519":…}}}).
const (
	ProtoPublicKeyName          = "tendermint.crypto.PublicKey"
	ProtoPublicKeyEd25519Name   = "tendermint.crypto.PublicKey_Ed25519"
	ProtoPublicKeySecp256k1Name = "tendermint.crypto.PublicKey_Secp256K1"
	ProtoPublicKeyMlDsa65Name   = "tendermint.crypto.PublicKey_Mldsa65"
)

func init() {
	// Key types decode through crypto/encoding's wrappers, which check lengths (and the
	// consistency of private keys) and name the problem.
	mustRegister(ed25519.PubKeyName, reflect.TypeFor[ed25519.PubKey](), decodePubKey)
	mustRegister(secp256k1.PubKeyName, reflect.TypeFor[secp256k1.PubKey](), decodePubKey)
	mustRegister(ed25519.PrivKeyName, reflect.TypeFor[ed25519.PrivKey](), decodePrivKey)
	mustRegister(secp256k1.PrivKeyName, reflect.TypeFor[secp256k1.PrivKey](), decodePrivKey)

	RegisterType((*pc.PublicKey)(nil), ProtoPublicKeyName)
	RegisterType((*pc.PublicKey_Ed25519)(nil), ProtoPublicKeyEd25519Name)
	RegisterType((*pc.PublicKey_Secp256K1)(nil), ProtoPublicKeySecp256k1Name)
	RegisterType((*pc.PublicKey_Mldsa65)(nil), ProtoPublicKeyMlDsa65Name)
}

func mustRegister(name string, rt reflect.Type, decode func([]byte) (reflect.Value, error)) {
	if err := typeRegistry.register(name, rt, decode); err != nil {
		panic(err)
	}
}

func decodePubKey(envelope []byte) (reflect.Value, error) {
	var key encoding.JSONPubKey
	if err := key.UnmarshalJSON(envelope); err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(key.PubKey), nil
}

func decodePrivKey(envelope []byte) (reflect.Value, error) {
	var key encoding.JSONPrivKey
	if err := key.UnmarshalJSON(envelope); err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(key.PrivKey), nil
}
