package types

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/encoding"
)

// genesisJSON is the JSON form of GenesisDoc, keys in CometBFT's order. Fields whose errors need
// their own context are kept raw and decoded by hand.
type genesisJSON struct {
	GenesisTime     json.RawMessage      `json:"genesis_time"`
	ChainID         string               `json:"chain_id"`
	InitialHeight   jsonInt64            `json:"initial_height"`
	ConsensusParams *consensusParamsJSON `json:"consensus_params,omitempty"`
	Validators      []json.RawMessage    `json:"validators,omitempty"`
	AppHash         json.RawMessage      `json:"app_hash"`
	AppState        json.RawMessage      `json:"app_state,omitempty"`
}

// genesisValidatorJSON is the JSON form of GenesisValidator.
type genesisValidatorJSON struct {
	Address json.RawMessage `json:"address"`
	PubKey  json.RawMessage `json:"pub_key"`
	Power   jsonInt64       `json:"power"`
	Name    string          `json:"name"`
}

// MarshalJSON writes g in CometBFT's form. The genesis time is written in UTC.
func (g GenesisDoc) MarshalJSON() ([]byte, error) {
	var j genesisJSON
	var err error
	if j.GenesisTime, err = g.GenesisTime.UTC().MarshalJSON(); err != nil {
		return nil, fmt.Errorf("genesis_time: %w", err)
	}
	j.ChainID = g.ChainID
	j.InitialHeight = jsonInt64(g.InitialHeight)
	if g.ConsensusParams != nil {
		j.ConsensusParams = g.ConsensusParams.toJSON()
	}
	for i, v := range g.Validators {
		raw, err := v.marshalJSON()
		if err != nil {
			return nil, fmt.Errorf("validators[%d]: %w", i, err)
		}
		j.Validators = append(j.Validators, raw)
	}
	if j.AppHash, err = g.AppHash.MarshalJSON(); err != nil {
		return nil, fmt.Errorf("app_hash: %w", err)
	}
	j.AppState = g.AppState
	return json.Marshal(&j)
}

func (v GenesisValidator) marshalJSON() ([]byte, error) {
	if v.PubKey == nil {
		return nil, fmt.Errorf("pub_key is missing")
	}
	pub, err := json.Marshal(encoding.JSONPubKey{PubKey: v.PubKey})
	if err != nil {
		return nil, fmt.Errorf("pub_key: %w", err)
	}
	addr, err := v.Address.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("address: %w", err)
	}
	return json.Marshal(genesisValidatorJSON{Address: addr, PubKey: pub, Power: jsonInt64(v.Power), Name: v.Name})
}

// UnmarshalJSON reads CometBFT's form without validating it (see ValidateAndComplete). A bare
// number where an int64 belongs, an unknown key type or malformed hex is an error naming the
// field. Unknown keys are ignored.
func (g *GenesisDoc) UnmarshalJSON(data []byte) error {
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] != '{' {
		return fmt.Errorf("genesis must be a JSON object, got %s", jsonKind(trimmed))
	}
	var j genesisJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return explainJSONError("", err)
	}
	var doc GenesisDoc
	if !isJSONNull(j.GenesisTime) {
		if err := doc.GenesisTime.UnmarshalJSON(j.GenesisTime); err != nil {
			return fmt.Errorf("genesis_time: want an RFC 3339 time string: %w", err)
		}
	}
	doc.ChainID = j.ChainID
	doc.InitialHeight = int64(j.InitialHeight)
	if j.ConsensusParams != nil {
		doc.ConsensusParams = j.ConsensusParams.params()
	}
	for i, raw := range j.Validators {
		v, err := unmarshalGenesisValidator(fmt.Sprintf("validators[%d]", i), raw)
		if err != nil {
			return err
		}
		doc.Validators = append(doc.Validators, v)
	}
	if !isJSONNull(j.AppHash) {
		if err := doc.AppHash.UnmarshalJSON(j.AppHash); err != nil {
			return fmt.Errorf("app_hash: %w", err)
		}
	}
	if len(j.AppState) > 0 {
		doc.AppState = j.AppState
	}
	*g = doc
	return nil
}

// unmarshalGenesisValidator decodes one validator entry; errors start with field, the entry's
// path ("validators[3]").
func unmarshalGenesisValidator(field string, raw json.RawMessage) (GenesisValidator, error) {
	var j genesisValidatorJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return GenesisValidator{}, explainJSONError(field, err)
	}
	v := GenesisValidator{Power: int64(j.Power), Name: j.Name}
	if !isJSONNull(j.Address) {
		var addr crypto.HexBytes
		if err := addr.UnmarshalJSON(j.Address); err != nil {
			return v, fmt.Errorf("%s.address: %w", field, err)
		}
		if len(addr) > 0 {
			v.Address = addr
		}
	}
	if !isJSONNull(j.PubKey) {
		var pk encoding.JSONPubKey
		if err := json.Unmarshal(j.PubKey, &pk); err != nil {
			return v, fmt.Errorf("%s.pub_key: %w", field, err)
		}
		v.PubKey = pk.PubKey
	}
	return v, nil
}

// isJSONNull reports whether raw is absent or the literal null.
func isJSONNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}
