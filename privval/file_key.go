package privval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// FilePVKey is the immutable half of a FilePV, stored in
// priv_validator_key.json (operator.md §6.2): the validator address
// (uppercase hex), and the public and private keys as typed JSON
// {"type": ..., "value": base64}. Address is always PubKey.Address() and
// PubKey is always PrivKey.PubKey(); loading enforces both.
type FilePVKey struct {
	Address crypto.Address
	PubKey  crypto.PubKey
	PrivKey crypto.PrivKey

	filePath string
}

// FilePath returns the file the key is saved to.
func (k FilePVKey) FilePath() string { return k.filePath }

// MarshalJSON encodes the key in the priv_validator_key.json layout. It
// fails for a key type without an amino-JSON name.
func (k FilePVKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(filePVKeyJSON{
		Address: k.Address,
		PubKey:  encoding.JSONPubKey{PubKey: k.PubKey},
		PrivKey: encoding.JSONPrivKey{PrivKey: k.PrivKey},
	})
}

type filePVKeyJSON struct {
	Address crypto.Address       `json:"address"`
	PubKey  encoding.JSONPubKey  `json:"pub_key"`
	PrivKey encoding.JSONPrivKey `json:"priv_key"`
}

// Save writes the key file atomically and durably with mode 0600. It is
// for tools that write a key file on its own (gen-validator); FilePV.Save
// writes both files of a FilePV.
func (k FilePVKey) Save() error { return k.save(atomicfile.OS) }

func (k FilePVKey) save(fsys atomicfile.FS) error {
	if k.filePath == "" {
		return errors.New("privval: cannot save validator key: no file path set")
	}
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return fmt.Errorf("privval: encoding validator key: %w", err)
	}
	if err := atomicfile.WriteFileFS(fsys, k.filePath, data, 0o600); err != nil {
		return fmt.Errorf("privval: saving validator key: %w", err)
	}
	return nil
}

// loadFilePVKey reads and checks the key file at path. Every error names
// the file and fits on one line.
func loadFilePVKey(path string) (FilePVKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return FilePVKey{}, fmt.Errorf("privval: reading validator key file: %w", err)
	}
	key, err := decodeFilePVKey(data)
	if err != nil {
		return FilePVKey{}, fmt.Errorf("privval: validator key file %s: %w", path, err)
	}
	key.filePath = path
	return key, nil
}

// decodeFilePVKey parses the JSON of a key file and checks that its three
// parts agree.
func decodeFilePVKey(data []byte) (FilePVKey, error) {
	// The keys are decoded field by field so that errors name the field.
	var raw struct {
		Address crypto.Address  `json:"address"`
		PubKey  json.RawMessage `json:"pub_key"`
		PrivKey json.RawMessage `json:"priv_key"`
	}
	if err := decodeJSONObject(data, &raw); err != nil {
		return FilePVKey{}, err
	}
	var pub encoding.JSONPubKey
	if len(raw.PubKey) > 0 {
		if err := json.Unmarshal(raw.PubKey, &pub); err != nil {
			return FilePVKey{}, fmt.Errorf("pub_key: %w", err)
		}
	}
	var priv encoding.JSONPrivKey
	if len(raw.PrivKey) > 0 {
		if err := json.Unmarshal(raw.PrivKey, &priv); err != nil {
			return FilePVKey{}, fmt.Errorf("priv_key: %w", err)
		}
	}
	if pub.PubKey == nil {
		return FilePVKey{}, errors.New("missing pub_key")
	}
	if priv.PrivKey == nil {
		return FilePVKey{}, errors.New("missing priv_key")
	}
	if !priv.PrivKey.PubKey().Equals(pub.PubKey) {
		return FilePVKey{}, errors.New("pub_key is not the public key of priv_key")
	}
	if want := pub.PubKey.Address(); !bytes.Equal(raw.Address, want) {
		return FilePVKey{}, fmt.Errorf("address %v does not match pub_key (its address is %v)", raw.Address, want)
	}
	return FilePVKey{Address: pub.PubKey.Address(), PubKey: pub.PubKey, PrivKey: priv.PrivKey}, nil
}
