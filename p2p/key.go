package p2p

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// IDByteLength is the length of a node ID in bytes; its text form is twice as long.
const IDByteLength = crypto.AddressSize

// ID is a node's identity: the lowercase hex of the address of its node key's public key.
type ID string

// PubKeyToID returns the node ID of pubKey.
func PubKeyToID(pubKey crypto.PubKey) ID {
	return ID(hex.EncodeToString(pubKey.Address()))
}

// Validate checks that id is 40 lowercase hex characters.
func (id ID) Validate() error {
	if len(id) != 2*IDByteLength {
		return fmt.Errorf("node ID %q: want %d hex characters, got %d", string(id), 2*IDByteLength, len(id))
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("node ID %q: want lowercase hex, found %q", string(id), c)
		}
	}
	return nil
}

// NodeKey is the key a node authenticates itself with to peers. It is always ed25519, as the
// SecretConnection handshake requires.
type NodeKey struct {
	PrivKey crypto.PrivKey
}

// ID returns the node ID of the key.
func (k *NodeKey) ID() ID { return PubKeyToID(k.PrivKey.PubKey()) }

// PubKey returns the key's public half.
func (k *NodeKey) PubKey() crypto.PubKey { return k.PrivKey.PubKey() }

// nodeKeyJSON is the file format: {"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"<b64>"}}.
type nodeKeyJSON struct {
	PrivKey encoding.JSONPrivKey `json:"priv_key"`
}

// MarshalJSON encodes the key as CometBFT's node_key.json does (one line, typed private key).
func (k *NodeKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(nodeKeyJSON{PrivKey: encoding.JSONPrivKey{PrivKey: k.PrivKey}})
}

// UnmarshalJSON decodes a node_key.json document. Only ed25519 keys are accepted.
func (k *NodeKey) UnmarshalJSON(b []byte) error {
	var doc nodeKeyJSON
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	if doc.PrivKey.PrivKey == nil {
		return errors.New("priv_key is missing")
	}
	if doc.PrivKey.PrivKey.Type() != ed25519.KeyType {
		return fmt.Errorf("priv_key has type %q; node keys must be ed25519", doc.PrivKey.PrivKey.Type())
	}
	k.PrivKey = doc.PrivKey.PrivKey
	return nil
}

// GenNodeKey returns a new random node key.
func GenNodeKey() *NodeKey { return &NodeKey{PrivKey: ed25519.GenPrivKey()} }

// LoadNodeKey reads the node key at path. Errors name the file.
func LoadNodeKey(path string) (*NodeKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading node key: %w", err)
	}
	var k NodeKey
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("node key %s: %w", path, err)
	}
	return &k, nil
}

// LoadOrGenNodeKey loads the node key at path, or generates and saves a new one if the file does
// not exist. The bool reports whether a new key was generated.
func LoadOrGenNodeKey(path string) (*NodeKey, bool, error) {
	if _, err := os.Stat(path); err == nil {
		k, err := LoadNodeKey(path)
		return k, false, err
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("node key %s: %w", path, err)
	}
	k := GenNodeKey()
	if err := k.SaveAs(path); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// SaveAs writes the key to path atomically with mode 0600.
func (k *NodeKey) SaveAs(path string) error {
	b, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("encoding node key: %w", err)
	}
	if err := atomicfile.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("writing node key %s: %w", path, err)
	}
	return nil
}
