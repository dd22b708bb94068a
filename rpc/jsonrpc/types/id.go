package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrIDType is returned (wrapped) when a JSON-RPC id is neither a string, a number nor
// null.
var ErrIDType = errors.New("json-rpc ID must be a string or a number")

type idKind uint8

const (
	idAbsent idKind = iota
	idString
	idInt
)

// ID is a JSON-RPC request id: a string, an integer, or absent (the zero ID). A request
// with an absent id is a notification. The zero ID is written as null and omitted from
// responses (`omitzero`).
type ID struct {
	kind idKind
	str  string
	num  int64
}

// StringID returns the id "s".
func StringID(s string) ID { return ID{kind: idString, str: s} }

// IntID returns the numeric id n.
func IntID(n int64) ID { return ID{kind: idInt, num: n} }

// IsZero reports whether the id is absent (a notification).
func (id ID) IsZero() bool { return id.kind == idAbsent }

// Int returns the numeric value and whether the id is numeric.
func (id ID) Int() (int64, bool) { return id.num, id.kind == idInt }

// Str returns the string value and whether the id is a string.
func (id ID) Str() (string, bool) { return id.str, id.kind == idString }

// String renders the id for logs: the string itself, the decimal number, or "<none>".
func (id ID) String() string {
	switch id.kind {
	case idString:
		return id.str
	case idInt:
		return strconv.FormatInt(id.num, 10)
	default:
		return "<none>"
	}
}

// MarshalJSON writes a string id quoted, a numeric id as a JSON integer and the zero ID
// as null.
func (id ID) MarshalJSON() ([]byte, error) {
	switch id.kind {
	case idString:
		return json.Marshal(id.str)
	case idInt:
		return strconv.AppendInt(nil, id.num, 10), nil
	default:
		return []byte("null"), nil
	}
}

// UnmarshalJSON reads a string, a number or null. A number with a fraction or an exponent
// is truncated toward zero as CometBFT does ("1.9" → 1); one outside int64, a bool, an
// object or an array is an error wrapping ErrIDType.
func (id *ID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*id = ID{}
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*id = StringID(s)
		return nil
	case len(data) > 0 && (data[0] == '-' || (data[0] >= '0' && data[0] <= '9')):
		if n, err := strconv.ParseInt(string(data), 10, 64); err == nil {
			*id = IntID(n)
			return nil
		}
		f, err := strconv.ParseFloat(string(data), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("%w: bad number %s", ErrIDType, data)
		}
		f = math.Trunc(f)
		if f >= math.MaxInt64 || f < math.MinInt64 {
			return fmt.Errorf("%w: %s is out of the int64 range", ErrIDType, data)
		}
		*id = IntID(int64(f))
		return nil
	default:
		return fmt.Errorf("%w, got %s", ErrIDType, data)
	}
}
