package json

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"
)

var (
	timeType            = reflect.TypeFor[time.Time]()
	marshalerType       = reflect.TypeFor[json.Marshaler]()
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	errInvalidValue     = errors.New("json: invalid value")
	errMapKeyNotAString = errors.New("json: map key must be a string")
)

// Marshal encodes v by the rules in the package documentation. A nil v encodes as null;
// a v whose concrete type is registered is wrapped as {"type","value"}.
//
// Errors: an unregistered concrete type inside an interface, a map with non-string keys,
// a value encoding/json cannot encode (channels, functions, NaN, …), or an error returned
// by a MarshalJSON method.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeTop(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalIndent is Marshal followed by encoding/json.Indent with prefix and indent.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	compact, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, compact, prefix, indent); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeTop(buf *bytes.Buffer, v any) error {
	if v == nil {
		buf.WriteString("null")
		return nil
	}
	rv := reflect.ValueOf(v)
	if typeRegistry.byTypeOf(rv.Type()) != nil {
		return encodeInterface(buf, rv)
	}
	return encodeValue(buf, rv)
}

func encodeValue(buf *bytes.Buffer, rv reflect.Value) error {
	if !rv.IsValid() {
		return errInvalidValue
	}
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Type() == timeType {
		rv = reflect.ValueOf(rv.Interface().(time.Time).Round(0).UTC())
	}

	// Own marshalers win, after dereferencing; pointer receivers only count when the
	// value is addressable, as in CometBFT.
	switch {
	case rv.Type().Implements(marshalerType):
		return encodeStdlib(buf, rv.Interface())
	case rv.CanAddr() && rv.Addr().Type().Implements(marshalerType):
		return encodeStdlib(buf, rv.Addr().Interface())
	case rv.CanAddr():
		if pm := pointerMarshalerOf(rv.Type()); pm != nil {
			out, err := pm.marshal(rv.Addr().Interface())
			if err != nil {
				return fmt.Errorf("json: marshal %v: %w", rv.Type(), err)
			}
			buf.Write(out)
			return nil
		}
	}

	switch rv.Kind() {
	case reflect.Interface:
		return encodeInterface(buf, rv)
	case reflect.Slice, reflect.Array:
		return encodeList(buf, rv)
	case reflect.Map:
		return encodeMap(buf, rv)
	case reflect.Struct:
		return encodeStruct(buf, rv)
	case reflect.Int64, reflect.Int:
		buf.WriteByte('"')
		buf.WriteString(strconv.FormatInt(rv.Int(), 10))
		buf.WriteByte('"')
		return nil
	case reflect.Uint64, reflect.Uint:
		buf.WriteByte('"')
		buf.WriteString(strconv.FormatUint(rv.Uint(), 10))
		buf.WriteByte('"')
		return nil
	default:
		return encodeStdlib(buf, rv.Interface())
	}
}

func encodeList(buf *bytes.Buffer, rv reflect.Value) error {
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		buf.WriteString("null")
		return nil
	}
	if rv.Type().Elem().Kind() == reflect.Uint8 {
		// Bytes are base64, via encoding/json, which only does that for slices.
		if rv.Kind() == reflect.Array {
			slice := reflect.MakeSlice(reflect.SliceOf(rv.Type().Elem()), rv.Len(), rv.Len())
			reflect.Copy(slice, rv)
			rv = slice
		}
		return encodeStdlib(buf, rv.Interface())
	}
	buf.WriteByte('[')
	for i := range rv.Len() {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeValue(buf, rv.Index(i)); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func encodeMap(buf *bytes.Buffer, rv reflect.Value) error {
	if rv.Type().Key().Kind() != reflect.String {
		return fmt.Errorf("%w: %v", errMapKeyNotAString, rv.Type())
	}
	// A nil map is {}, not null (CometBFT keeps Amino's behaviour).
	keys := rv.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch {
		case a.String() < b.String():
			return -1
		case a.String() > b.String():
			return 1
		}
		return 0
	})
	buf.WriteByte('{')
	for i, key := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeStdlib(buf, key.String()); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := encodeValue(buf, rv.MapIndex(key)); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func encodeStruct(buf *bytes.Buffer, rv reflect.Value) error {
	info := structInfoOf(rv.Type())
	buf.WriteByte('{')
	first := true
	for _, f := range info.fields {
		fv := rv.Field(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(f.quoted)
		buf.WriteByte(':')
		if err := encodeValue(buf, fv); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// encodeInterface writes the concrete value behind rv (an interface, a pointer or a
// registered value) wrapped in its registered name.
func encodeInterface(buf *bytes.Buffer, rv reflect.Value) error {
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			buf.WriteString("null")
			return nil
		}
		rv = rv.Elem()
	}
	info := typeRegistry.byTypeOf(rv.Type())
	if info == nil {
		return fmt.Errorf("json: cannot encode unregistered type %v", rv.Type())
	}
	buf.WriteString(`{"type":`)
	if err := encodeStdlib(buf, info.name); err != nil {
		return err
	}
	buf.WriteString(`,"value":`)
	if err := encodeValue(buf, rv); err != nil {
		return err
	}
	buf.WriteByte('}')
	return nil
}

// encodeStdlib writes v as encoding/json writes it (HTML-safe escaping included, as in
// CometBFT).
func encodeStdlib(buf *bytes.Buffer, v any) error {
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf.Write(out)
	return nil
}
