package server

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
)

// reInt matches a bare decimal integer URI parameter.
var reInt = regexp.MustCompile(`^-?[0-9]+$`)

// httpArgs decodes the function's arguments from the URI query (falling back to form
// values), per rpc.md §4.1. A missing or empty parameter is the zero value.
func (f *RPCFunc) httpArgs(r *http.Request) ([]reflect.Value, error) {
	values := f.zeroArgs()
	query := r.URL.Query()
	for i, name := range f.argNames {
		raw := query.Get(name)
		if raw == "" {
			raw = r.FormValue(name)
		}
		if raw == "" {
			continue
		}
		v, err := uriArg(f.args[i], raw)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	return values, nil
}

// uriArg decodes one URI parameter into a value of type rt: bare integers, 0x-hex for
// strings and byte slices, quoted strings as raw bytes for byte slices; anything else is
// decoded as JSON with libs/json (quoted strings, true/false, arrays, "5" for integers).
func uriArg(rt reflect.Type, raw string) (reflect.Value, error) {
	v, ok, err := nonJSONURIArg(rt, raw)
	if err != nil {
		return reflect.Value{}, err
	}
	if ok {
		return v, nil
	}
	return jsonArg(rt, []byte(raw))
}

func nonJSONURIArg(rt reflect.Type, raw string) (reflect.Value, bool, error) {
	if rt.Kind() == reflect.Pointer {
		v, ok, err := nonJSONURIArg(rt.Elem(), raw)
		if !ok || err != nil {
			return reflect.Value{}, ok, err
		}
		p := reflect.New(rt.Elem())
		p.Elem().Set(v)
		return p, true, nil
	}

	var expectInt, expectWideInt, expectString, expectBytes bool
	switch rt.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
		expectInt, expectWideInt = true, true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		expectInt = true
	case reflect.String:
		expectString = true
	case reflect.Slice:
		expectBytes = rt.Elem().Kind() == reflect.Uint8
	}

	switch {
	case expectInt && reInt.MatchString(raw):
		if expectWideInt {
			raw = `"` + raw + `"` // libs/json wants 64-bit integers quoted
		}
		v, err := jsonArg(rt, []byte(raw))
		return v, err == nil, err

	case strings.HasPrefix(strings.ToLower(raw), "0x"):
		if !expectString && !expectBytes {
			return reflect.Value{}, false, fmt.Errorf("got a hex string arg, but expected '%s'", rt.Kind())
		}
		b, err := hex.DecodeString(raw[2:])
		if err != nil {
			return reflect.Value{}, false, err
		}
		if expectString {
			return reflect.ValueOf(string(b)).Convert(rt), true, nil
		}
		return convertBytes(b, rt)

	case expectBytes && strings.HasPrefix(raw, `"`) && strings.HasSuffix(raw, `"`):
		var s string
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return reflect.Value{}, false, err
		}
		return convertBytes([]byte(s), rt)

	case expectWideInt && !json.Valid([]byte(raw)):
		return reflect.Value{}, false, wideIntSyntaxError(rt, raw)
	}
	return reflect.Value{}, false, nil
}

// wideIntSyntaxError is the error for a 64-bit integer parameter that is not valid JSON (abc,
// "12). CometBFT's decoder looks at the quotes before the syntax: without a quote at both ends
// it reports the encoding, otherwise it decodes what lies between them as a JSON number.
func wideIntSyntaxError(rt reflect.Type, raw string) error {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return fmt.Errorf("invalid 64-bit integer encoding %q, expected string", raw)
	}
	err := json.Unmarshal([]byte(raw[1:len(raw)-1]), reflect.New(rt).Interface())
	if err == nil {
		// Unreachable: a valid number between quotes makes valid JSON.
		return fmt.Errorf("invalid 64-bit integer encoding %q", raw)
	}
	return err
}

// convertBytes converts b to the byte-slice type rt.
func convertBytes(b []byte, rt reflect.Type) (reflect.Value, bool, error) {
	v := reflect.ValueOf(b)
	if !v.Type().ConvertibleTo(rt) {
		return reflect.Value{}, false, fmt.Errorf("cannot convert bytes to %v", rt)
	}
	return v.Convert(rt), true, nil
}

// jsonArg decodes raw JSON into a value of type rt with libs/json.
func jsonArg(rt reflect.Type, raw []byte) (reflect.Value, error) {
	p := reflect.New(rt)
	if err := cmtjson.Unmarshal(raw, p.Interface()); err != nil {
		return reflect.Value{}, err
	}
	return p.Elem(), nil
}

// jsonArgs decodes JSON-RPC params: an object keyed by argument name (missing or null
// members are zero values) or an array with exactly one element per argument.
func (f *RPCFunc) jsonArgs(raw json.RawMessage) ([]reflect.Value, error) {
	var byName map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byName); err == nil {
		values := f.zeroArgs()
		for i, name := range f.argNames {
			p, ok := byName[name]
			if !ok || len(p) == 0 {
				continue
			}
			v, err := jsonArg(f.args[i], p)
			if err != nil {
				return nil, err
			}
			values[i] = v
		}
		return values, nil
	}
	var byPosition []json.RawMessage
	err := json.Unmarshal(raw, &byPosition)
	if err != nil {
		return nil, fmt.Errorf("unknown type for JSON params: %v. Expected map or array", err)
	}
	if len(byPosition) != len(f.args) {
		given := make([]string, len(byPosition))
		for i, p := range byPosition {
			given[i] = string(p)
		}
		return nil, fmt.Errorf("expected %d parameters (%v), got %d (%v)",
			len(f.args), f.argNames, len(byPosition), given)
	}
	values := make([]reflect.Value, len(byPosition))
	for i, p := range byPosition {
		v, err := jsonArg(f.args[i], p)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	return values, nil
}
