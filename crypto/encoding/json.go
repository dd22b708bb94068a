package encoding

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
)

// Amino-JSON type names of the ML-DSA-65 keys, recognised only to report
// them as unsupported.
const (
	MlDsa65PubKeyName  = "cometbft/PubKeyMlDsa65"
	MlDsa65PrivKeyName = "cometbft/PrivKeyMlDsa65"
)

// typedJSON is the amino-style envelope of a key.
type typedJSON struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// JSONPubKey wraps a public key for amino-style JSON:
// {"type":"tendermint/PubKeyEd25519","value":"<base64>"}. A nil key
// marshals as null, and null unmarshals to a nil key.
type JSONPubKey struct {
	crypto.PubKey
}

// MarshalJSON encodes the wrapped key. It fails with ErrUnsupportedKey for a
// key type without an amino name.
func (j JSONPubKey) MarshalJSON() ([]byte, error) {
	var name string
	switch j.PubKey.(type) {
	case nil:
		return []byte("null"), nil
	case ed25519.PubKey:
		name = ed25519.PubKeyName
	case secp256k1.PubKey:
		name = secp256k1.PubKeyName
	default:
		return nil, fmt.Errorf("public key JSON: %w: %T", ErrUnsupportedKey, j.PubKey)
	}
	return marshalTyped(name, j.PubKey.Bytes())
}

// UnmarshalJSON decodes an amino-style key. Errors name the problem: not an
// object, unknown or unsupported type name, value not a base64 string, or a
// key of the wrong length.
func (j *JSONPubKey) UnmarshalJSON(data []byte) error {
	name, raw, isNull, err := unmarshalTyped("public key JSON", data)
	if err != nil || isNull {
		if isNull {
			j.PubKey = nil
		}
		return err
	}
	var k crypto.PubKey
	switch name {
	case ed25519.PubKeyName:
		k, err = ed25519.PubKeyFromBytes(raw)
	case secp256k1.PubKeyName:
		k, err = secp256k1.PubKeyFromBytes(raw)
	case MlDsa65PubKeyName:
		return fmt.Errorf("public key JSON: %w: %q", ErrUnsupportedKey, name)
	default:
		return fmt.Errorf("public key JSON: %w: unknown type name %q", ErrUnsupportedKey, name)
	}
	if err != nil {
		return fmt.Errorf("public key JSON: %s: %w", name, err)
	}
	j.PubKey = k
	return nil
}

// JSONPrivKey wraps a private key for amino-style JSON:
// {"type":"tendermint/PrivKeyEd25519","value":"<base64>"}. A nil key
// marshals as null, and null unmarshals to a nil key.
type JSONPrivKey struct {
	crypto.PrivKey
}

// MarshalJSON encodes the wrapped key. It fails with ErrUnsupportedKey for a
// key type without an amino name.
func (j JSONPrivKey) MarshalJSON() ([]byte, error) {
	var name string
	switch j.PrivKey.(type) {
	case nil:
		return []byte("null"), nil
	case ed25519.PrivKey:
		name = ed25519.PrivKeyName
	case secp256k1.PrivKey:
		name = secp256k1.PrivKeyName
	default:
		return nil, fmt.Errorf("private key JSON: %w: %T", ErrUnsupportedKey, j.PrivKey)
	}
	return marshalTyped(name, j.PrivKey.Bytes())
}

// UnmarshalJSON decodes an amino-style private key. Errors name the problem
// as for JSONPubKey; an ed25519 key whose public half does not match its
// seed is rejected too.
func (j *JSONPrivKey) UnmarshalJSON(data []byte) error {
	name, raw, isNull, err := unmarshalTyped("private key JSON", data)
	if err != nil || isNull {
		if isNull {
			j.PrivKey = nil
		}
		return err
	}
	var k crypto.PrivKey
	switch name {
	case ed25519.PrivKeyName:
		k, err = ed25519.PrivKeyFromBytes(raw)
	case secp256k1.PrivKeyName:
		k, err = secp256k1.PrivKeyFromBytes(raw)
	case MlDsa65PrivKeyName:
		return fmt.Errorf("private key JSON: %w: %q", ErrUnsupportedKey, name)
	default:
		return fmt.Errorf("private key JSON: %w: unknown type name %q", ErrUnsupportedKey, name)
	}
	if err != nil {
		return fmt.Errorf("private key JSON: %s: %w", name, err)
	}
	j.PrivKey = k
	return nil
}

func marshalTyped(name string, key []byte) ([]byte, error) {
	value, err := json.Marshal(base64.StdEncoding.EncodeToString(key))
	if err != nil {
		return nil, err
	}
	return json.Marshal(typedJSON{Type: name, Value: value})
}

// unmarshalTyped splits an envelope into its type name and decoded value
// bytes. isNull reports a JSON null.
func unmarshalTyped(what string, data []byte) (name string, value []byte, isNull bool, err error) {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return "", nil, true, nil
	}
	var env typedJSON
	if err := json.Unmarshal(data, &env); err != nil {
		return "", nil, false, fmt.Errorf("%s: want {\"type\":…,\"value\":…}: %w", what, err)
	}
	if env.Type == "" {
		return "", nil, false, fmt.Errorf("%s: missing \"type\"", what)
	}
	if len(env.Value) == 0 {
		return "", nil, false, fmt.Errorf("%s: %s: missing \"value\"", what, env.Type)
	}
	var encoded string
	if err := json.Unmarshal(env.Value, &encoded); err != nil {
		return "", nil, false, fmt.Errorf("%s: %s: value must be a base64 string: %w", what, env.Type, err)
	}
	value, err = base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", nil, false, fmt.Errorf("%s: %s: value is not valid base64: %w", what, env.Type, err)
	}
	return env.Type, value, false, nil
}
