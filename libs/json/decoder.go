package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Errors of Unmarshal that are not about a particular value.
var (
	// ErrEmptyInput: Unmarshal was given no bytes.
	ErrEmptyInput = errors.New("json: cannot decode empty bytes")
	// ErrNotPointer: Unmarshal's target is not a non-nil pointer.
	ErrNotPointer = errors.New("json: must decode into a non-nil pointer")
)

// Unmarshal decodes data into the value v points to, by the rules in the package
// documentation: 64-bit integers must be JSON strings, bytes base64, times RFC 3339
// strings ending in 'Z', interfaces {"type","value"} with a registered name assignable to
// the interface. Object keys are matched to field names exactly (case-sensitive); unknown
// keys are ignored; a missing key zeroes its field unless the field is omitempty. JSON null
// zeroes the target. Empty decoded slices become nil.
//
// The error names the first problem found; on error v may be partly written.
func Unmarshal(data []byte, v any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return ErrEmptyInput
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return ErrNotPointer
	}
	if !json.Valid(data) {
		// Let encoding/json describe the syntax error.
		var scratch any
		if err := json.Unmarshal(data, &scratch); err != nil {
			return err
		}
		return errors.New("json: invalid JSON")
	}
	rv = rv.Elem()
	if typeRegistry.byTypeOf(rv.Type()) != nil {
		return decodeInterface(data, rv)
	}
	return decodeValue(data, rv)
}

var null = []byte("null")

func decodeValue(data []byte, rv reflect.Value) error {
	if !rv.CanSet() {
		return fmt.Errorf("json: cannot set a value of type %v", rv.Type())
	}
	if bytes.Equal(data, null) {
		rv.SetZero()
		return nil
	}
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		rv = rv.Elem()
	}

	if rv.Type() == timeType {
		switch {
		case len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"':
			return fmt.Errorf("JSON time must be an RFC3339 string, but got %q", data)
		case data[len(data)-2] != 'Z':
			return fmt.Errorf("JSON time must be UTC and end with 'Z', but got %q", data)
		}
	}

	if rv.Addr().Type().Implements(unmarshalerType) {
		return rv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(data)
	}
	if pm := pointerMarshalerOf(rv.Type()); pm != nil {
		if err := pm.unmarshal(data, rv.Addr().Interface()); err != nil {
			return fmt.Errorf("json: unmarshal %v: %w", rv.Type(), err)
		}
		return nil
	}

	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		return decodeList(data, rv)
	case reflect.Map:
		return decodeMap(data, rv)
	case reflect.Struct:
		return decodeStruct(data, rv)
	case reflect.Interface:
		return decodeInterface(data, rv)
	case reflect.Int64, reflect.Int, reflect.Uint64, reflect.Uint:
		if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
			return fmt.Errorf("invalid 64-bit integer encoding %q, expected string", data)
		}
		return decodeStdlib(data[1:len(data)-1], rv)
	default:
		return decodeStdlib(data, rv)
	}
}

func decodeList(data []byte, rv reflect.Value) error {
	if rv.Type().Elem().Kind() == reflect.Uint8 {
		if rv.Kind() == reflect.Array {
			var raw []byte
			if err := json.Unmarshal(data, &raw); err != nil {
				return err
			}
			if len(raw) != rv.Len() {
				return fmt.Errorf("json: got %d bytes, expected %d", len(raw), rv.Len())
			}
			reflect.Copy(rv, reflect.ValueOf(raw))
		} else if err := decodeStdlib(data, rv); err != nil {
			return err
		}
	} else {
		var elems []json.RawMessage
		if err := json.Unmarshal(data, &elems); err != nil {
			return err
		}
		if rv.Kind() == reflect.Slice {
			rv.Set(reflect.MakeSlice(rv.Type(), len(elems), len(elems)))
		}
		if rv.Len() != len(elems) {
			return fmt.Errorf("json: got list of %d elements, expected %d", len(elems), rv.Len())
		}
		for i, elem := range elems {
			if err := decodeValue(elem, rv.Index(i)); err != nil {
				return err
			}
		}
	}
	// Empty slices decode as nil, for Amino compatibility.
	if rv.Kind() == reflect.Slice && rv.Len() == 0 {
		rv.SetZero()
	}
	return nil
}

func decodeMap(data []byte, rv reflect.Value) error {
	if rv.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("%w: %v", errMapKeyNotAString, rv.Type())
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return err
	}
	m := reflect.MakeMapWithSize(rv.Type(), len(entries))
	for key, raw := range entries {
		elem := reflect.New(rv.Type().Elem()).Elem()
		if err := decodeValue(raw, elem); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(key).Convert(rv.Type().Key()), elem)
	}
	rv.Set(m)
	return nil
}

func decodeStruct(data []byte, rv reflect.Value) error {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(data, &entries); err != nil {
		return err
	}
	for _, f := range structInfoOf(rv.Type()).fields {
		fv := rv.Field(f.index)
		if raw := entries[f.name]; len(raw) > 0 {
			if err := decodeValue(raw, fv); err != nil {
				return err
			}
		} else if !f.omitEmpty {
			fv.SetZero()
		}
	}
	return nil
}

// envelope is the {"type","value"} form of a registered value.
type envelope struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// decodeInterface decodes an envelope into rv: an interface the registered type must be
// assignable to, or the registered type itself (possibly behind pointers).
func decodeInterface(data []byte, rv reflect.Value) error {
	if !rv.CanSet() {
		return fmt.Errorf("json: cannot set a value of type %v", rv.Type())
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return err
	}
	if env.Type == "" {
		return errors.New("json: interface type cannot be empty")
	}
	if len(env.Value) == 0 {
		return errors.New("json: interface value cannot be empty")
	}
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		rv = rv.Elem()
	}
	info := typeRegistry.byNameOf(env.Type)
	if info == nil {
		return fmt.Errorf("json: unknown type %q", env.Type)
	}

	var concrete reflect.Value // addressable value of type info.rt
	if info.decode != nil {
		v, err := info.decode(data)
		if err != nil {
			return err
		}
		concrete = reflect.New(info.rt).Elem()
		concrete.Set(v)
	} else {
		concrete = reflect.New(info.rt).Elem()
		if err := decodeValue(env.Value, concrete); err != nil {
			return err
		}
	}

	result := concrete
	if rv.Kind() == reflect.Interface && info.asPointer {
		result = concrete.Addr()
	}
	if !result.Type().AssignableTo(rv.Type()) {
		return fmt.Errorf("json: invalid type %q for a value of type %v", env.Type, rv.Type())
	}
	rv.Set(result)
	return nil
}

// decodeStdlib decodes data into rv with encoding/json.
func decodeStdlib(data []byte, rv reflect.Value) error {
	target := reflect.New(rv.Type())
	if err := json.Unmarshal(data, target.Interface()); err != nil {
		return err
	}
	rv.Set(target.Elem())
	return nil
}
