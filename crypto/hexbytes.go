package crypto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// HexBytes is a byte slice that renders as uppercase hex: String() returns
// the hex digits and JSON encodes it as a quoted uppercase hex string. JSON
// decoding accepts hex of either case; a JSON null leaves the value
// unchanged.
type HexBytes []byte

// Bytes returns the underlying bytes (not a copy).
func (hb HexBytes) Bytes() []byte { return hb }

// String returns the uppercase hex encoding of hb ("" when empty).
func (hb HexBytes) String() string { return strings.ToUpper(hex.EncodeToString(hb)) }

// MarshalJSON encodes hb as a quoted uppercase hex string; a nil or empty
// value encodes as "".
func (hb HexBytes) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 2+2*len(hb))
	out = append(out, '"')
	out = append(out, hb.String()...)
	return append(out, '"'), nil
}

// UnmarshalJSON decodes a quoted hex string (either case). It returns an
// error naming the problem when data is not a JSON string or not valid hex.
func (hb *HexBytes) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("hex bytes: want a JSON string: %w", err)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("hex bytes: invalid hex %q: %w", s, err)
	}
	*hb = b
	return nil
}
