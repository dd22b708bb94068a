package crypto

import (
	"bytes"
	"encoding/hex"
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

// UnmarshalJSON decodes a quoted hex string (either case). Its errors are CometBFT's, word for
// word (RPC clients see them): "invalid hex string: <data>" when data is not a quoted string, and
// encoding/hex's own error when the string is not valid hex.
func (hb *HexBytes) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return fmt.Errorf("invalid hex string: %s", data)
	}
	b, err := hex.DecodeString(string(data[1 : len(data)-1]))
	if err != nil {
		return err
	}
	*hb = b
	return nil
}
