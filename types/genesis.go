package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/tmhash"
	"github.com/ballot-bft/ballot/internal/atomicfile"
)

// ErrInvalidGenesis wraps every error about the content of a genesis document.
var ErrInvalidGenesis = errors.New("invalid genesis")

// GenesisValidator is a validator listed in genesis.json.
type GenesisValidator struct {
	// Address is the key's address; ValidateAndComplete fills it in when empty and otherwise
	// requires it to match PubKey.
	Address crypto.Address
	PubKey  crypto.PubKey
	Power   int64
	Name    string
}

// GenesisDoc is the content of genesis.json (operator.md §5). Its JSON form is CometBFT's
// (genesis_json.go): int64 values as strings, consensus_params omitted when nil, validators
// omitted when empty, app_state omitted when absent.
//
// A GenesisDoc read by GenesisDocFromJSON or GenesisDocFromFile has been through
// ValidateAndComplete. It is plain data: not safe for concurrent mutation.
type GenesisDoc struct {
	GenesisTime   time.Time
	ChainID       string
	InitialHeight int64
	// ConsensusParams nil means DefaultConsensusParams (ValidateAndComplete fills it in).
	ConsensusParams *ConsensusParams
	// Validators may be empty when the application returns the validators from InitChain.
	Validators []GenesisValidator
	AppHash    crypto.HexBytes
	// AppState is passed verbatim to InitChain (app_state_bytes); nil when absent.
	AppState json.RawMessage
}

// ValidateAndComplete checks the document and fills in defaults, using the current time for a
// missing genesis_time. See ValidateAndCompleteAt.
func (g *GenesisDoc) ValidateAndComplete() error {
	return g.ValidateAndCompleteAt(time.Now())
}

// ValidateAndCompleteAt checks the document and fills in what CometBFT fills in:
//   - chain_id must be non-empty and at most MaxChainIDLen characters;
//   - initial_height must not be negative; 0 becomes 1;
//   - nil consensus params become the defaults, present ones must pass ValidateBasic;
//   - every validator needs a public key and a positive power, addresses must be unique, a
//     present address must match the key and an empty one is filled in, and the total power
//     must not exceed MaxTotalVotingPower;
//   - a zero genesis_time becomes now (in UTC). Nodes that fill it in disagree on the genesis,
//     so real networks always set it.
//
// Errors wrap ErrInvalidGenesis and name the field. g may be partly completed on error.
func (g *GenesisDoc) ValidateAndCompleteAt(now time.Time) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidGenesis, fmt.Sprintf(format, args...))
	}
	switch {
	case g.ChainID == "":
		return invalid("chain_id must not be empty")
	case len(g.ChainID) > MaxChainIDLen:
		return invalid("chain_id %q is %d bytes long, the maximum is %d", g.ChainID, len(g.ChainID), MaxChainIDLen)
	case g.InitialHeight < 0:
		return invalid("initial_height must not be negative, got %d", g.InitialHeight)
	}
	if g.InitialHeight == 0 {
		g.InitialHeight = 1
	}
	if g.ConsensusParams == nil {
		g.ConsensusParams = DefaultConsensusParams()
	} else if err := g.ConsensusParams.ValidateBasic(); err != nil {
		return fmt.Errorf("%w: consensus_params: %w", ErrInvalidGenesis, err)
	}

	seen := make(map[string]int, len(g.Validators))
	var total int64
	for i := range g.Validators {
		v := &g.Validators[i]
		switch {
		case v.PubKey == nil:
			return invalid("validators[%d] (%q): pub_key is missing", i, v.Name)
		case v.Power == 0:
			return invalid("validators[%d] (%q): power must not be zero", i, v.Name)
		case v.Power < 0:
			return invalid("validators[%d] (%q): power must be positive, got %d", i, v.Name, v.Power)
		}
		want := v.PubKey.Address()
		if len(v.Address) == 0 {
			v.Address = want
		} else if !bytes.Equal(v.Address, want) {
			return invalid("validators[%d] (%q): address %v does not match pub_key, whose address is %v", i, v.Name, v.Address, want)
		}
		if j, dup := seen[string(v.Address)]; dup {
			return invalid("validators[%d] (%q): same address %v as validators[%d]", i, v.Name, v.Address, j)
		}
		seen[string(v.Address)] = i
		if total += v.Power; total > MaxTotalVotingPower {
			return invalid("validators: total power exceeds the maximum %d", MaxTotalVotingPower)
		}
	}

	if g.GenesisTime.IsZero() {
		g.GenesisTime = now.UTC()
	}
	return nil
}

// ValidatorSet returns the genesis validator set (NewValidatorSet of the listed validators, so
// with proposer priorities advanced once), or an empty set when none are listed.
func (g *GenesisDoc) ValidatorSet() (*ValidatorSet, error) {
	vals := make([]*Validator, len(g.Validators))
	for i, v := range g.Validators {
		if v.PubKey == nil {
			return nil, fmt.Errorf("%w: validators[%d] (%q): pub_key is missing", ErrInvalidGenesis, i, v.Name)
		}
		vals[i] = NewValidator(v.PubKey, v.Power)
	}
	return NewValidatorSet(vals)
}

// ValidatorHash returns the validators_hash of the genesis validator set.
func (g *GenesisDoc) ValidatorHash() ([]byte, error) {
	set, err := g.ValidatorSet()
	if err != nil {
		return nil, err
	}
	return set.Hash(), nil
}

// GenesisDocFromJSON decodes and validates a genesis document (ValidateAndComplete, so a missing
// genesis_time becomes the current time). Errors are single lines that name the offending field or
// byte offset; they wrap ErrInvalidGenesis.
func GenesisDocFromJSON(data []byte) (*GenesisDoc, error) {
	g := new(GenesisDoc)
	if err := json.Unmarshal(data, g); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidGenesis, explainJSONError("", err))
	}
	if err := g.ValidateAndComplete(); err != nil {
		return nil, err
	}
	return g, nil
}

// GenesisDocFromFile reads, decodes and validates the genesis file at path. Errors start with the
// path.
func GenesisDocFromFile(path string) (*GenesisDoc, error) {
	g, _, err := LoadGenesisFile(path)
	return g, err
}

// LoadGenesisFile is GenesisDocFromFile that also returns GenesisHash of the file's bytes, for
// comparison with the configured genesis hash.
func LoadGenesisFile(path string) (*GenesisDoc, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading genesis file: %w", err)
	}
	g, err := GenesisDocFromJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, GenesisHash(data), nil
}

// GenesisHash returns the SHA-256 of a genesis file's raw bytes: the value compared with the
// node's genesis_hash setting. Formatting matters, as the bytes are hashed as they are.
func GenesisHash(fileBytes []byte) []byte {
	return tmhash.Sum(fileBytes)
}

// SaveAs writes g to path as JSON with a 2-space indent and no trailing newline, replacing any
// existing file atomically and durably (mode 0644). g is written as it is, without validation.
// Unlike json.Marshal, SaveAs does not escape <, > and & (app_state is written as given).
func (g *GenesisDoc) SaveAs(path string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep app_state's bytes as they were
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return fmt.Errorf("encoding genesis: %w", err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("saving genesis: %w", err)
	}
	return nil
}
