package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// CometBFT's JSON (libs/json, used for genesis.json and the RPC) writes every 64-bit integer as a
// decimal string and refuses bare numbers. jsonInt64 and jsonUint64 reproduce that rule. A bare
// number is reported as a *json.UnmarshalTypeError so that encoding/json fills in the field path.

// jsonInt64 is an int64 carried in JSON as a decimal string.
type jsonInt64 int64

// MarshalJSON writes i as a quoted decimal.
func (i jsonInt64) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, strconv.FormatInt(int64(i), 10)), nil
}

// UnmarshalJSON accepts a quoted decimal; null leaves i unchanged.
func (i *jsonInt64) UnmarshalJSON(b []byte) error {
	s, err := quotedInteger(b, reflect.TypeFor[int64]())
	if err != nil || s == "" {
		return err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[int64]()}
	}
	*i = jsonInt64(v)
	return nil
}

// jsonUint64 is a uint64 carried in JSON as a decimal string.
type jsonUint64 uint64

// MarshalJSON writes u as a quoted decimal.
func (u jsonUint64) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, strconv.FormatUint(uint64(u), 10)), nil
}

// UnmarshalJSON accepts a quoted decimal; null leaves u unchanged.
func (u *jsonUint64) UnmarshalJSON(b []byte) error {
	s, err := quotedInteger(b, reflect.TypeFor[uint64]())
	if err != nil || s == "" {
		return err
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeFor[uint64]()}
	}
	*u = jsonUint64(v)
	return nil
}

// quotedInteger returns the contents of the JSON string b, "" for null, or an UnmarshalTypeError
// describing what b is instead ("number 10", "bool", ...).
func quotedInteger(b []byte, typ reflect.Type) (string, error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return "", nil
	}
	if len(b) == 0 || b[0] != '"' {
		return "", &json.UnmarshalTypeError{Value: jsonKind(b), Type: typ}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	if s == "" {
		return "", &json.UnmarshalTypeError{Value: `string ""`, Type: typ}
	}
	return s, nil
}

// jsonKind names the kind of the JSON value b for error messages.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	default:
		const max = 32
		if len(b) > max {
			return "number " + string(b[:max]) + "..."
		}
		return "number " + string(b)
	}
}

// consensusParamsJSON is the JSON form of ConsensusParams (operator.md §5.1).
type consensusParamsJSON struct {
	Block struct {
		MaxBytes jsonInt64 `json:"max_bytes"`
		MaxGas   jsonInt64 `json:"max_gas"`
	} `json:"block"`
	Evidence struct {
		MaxAgeNumBlocks jsonInt64 `json:"max_age_num_blocks"`
		MaxAgeDuration  jsonInt64 `json:"max_age_duration"`
		MaxBytes        jsonInt64 `json:"max_bytes"`
	} `json:"evidence"`
	Validator struct {
		PubKeyTypes []string `json:"pub_key_types"`
	} `json:"validator"`
	Version struct {
		App jsonUint64 `json:"app"`
	} `json:"version"`
	ABCI struct {
		VoteExtensionsEnableHeight jsonInt64 `json:"vote_extensions_enable_height"`
	} `json:"abci"`
}

func (p *ConsensusParams) toJSON() *consensusParamsJSON {
	var j consensusParamsJSON
	j.Block.MaxBytes = jsonInt64(p.Block.MaxBytes)
	j.Block.MaxGas = jsonInt64(p.Block.MaxGas)
	j.Evidence.MaxAgeNumBlocks = jsonInt64(p.Evidence.MaxAgeNumBlocks)
	j.Evidence.MaxAgeDuration = jsonInt64(p.Evidence.MaxAgeDuration)
	j.Evidence.MaxBytes = jsonInt64(p.Evidence.MaxBytes)
	j.Validator.PubKeyTypes = p.Validator.PubKeyTypes
	j.Version.App = jsonUint64(p.Version.App)
	j.ABCI.VoteExtensionsEnableHeight = jsonInt64(p.ABCI.VoteExtensionsEnableHeight)
	return &j
}

func (j *consensusParamsJSON) params() *ConsensusParams {
	return &ConsensusParams{
		Block: BlockParams{MaxBytes: int64(j.Block.MaxBytes), MaxGas: int64(j.Block.MaxGas)},
		Evidence: EvidenceParams{
			MaxAgeNumBlocks: int64(j.Evidence.MaxAgeNumBlocks),
			MaxAgeDuration:  time.Duration(j.Evidence.MaxAgeDuration),
			MaxBytes:        int64(j.Evidence.MaxBytes),
		},
		Validator: ValidatorParams{PubKeyTypes: j.Validator.PubKeyTypes},
		Version:   VersionParams{App: uint64(j.Version.App)},
		ABCI:      ABCIParams{VoteExtensionsEnableHeight: int64(j.ABCI.VoteExtensionsEnableHeight)},
	}
}

// MarshalJSON writes p in CometBFT's form: sections block, evidence, validator, version, abci;
// integers as decimal strings; evidence.max_age_duration in nanoseconds.
func (p ConsensusParams) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.toJSON())
}

// UnmarshalJSON reads CometBFT's form. A bare-number integer is an error; a missing section or
// field decodes as zero (and then fails ValidateBasic where zero is not allowed). The result is
// not validated.
func (p *ConsensusParams) UnmarshalJSON(b []byte) error {
	var j consensusParamsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return explainJSONError("consensus_params", err)
	}
	*p = *j.params()
	return nil
}

// explainJSONError turns encoding/json's type and syntax errors into one-line messages that name
// the field path (prefixed by prefix, e.g. "validators[2]") and, for integers, the string rule.
// Other errors are returned unchanged.
func explainJSONError(prefix string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		switch {
		case prefix != "" && field != "":
			field = prefix + "." + field
		case prefix != "":
			field = prefix
		case field == "":
			field = "top level"
		}
		switch typeErr.Type.Kind() {
		case reflect.Int64, reflect.Uint64:
			return fmt.Errorf("%s: invalid 64-bit integer encoding: got %s, want a decimal in a JSON string such as \"10\"",
				field, typeErr.Value)
		default:
			return fmt.Errorf("%s: cannot decode %s into %s", field, typeErr.Value, typeErr.Type)
		}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		if prefix != "" {
			return fmt.Errorf("%s: %s at byte %d", prefix, syntaxErr.Error(), syntaxErr.Offset)
		}
		return fmt.Errorf("%s at byte %d", syntaxErr.Error(), syntaxErr.Offset)
	}
	if prefix != "" {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	return err
}
