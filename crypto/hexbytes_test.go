package crypto

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestHexBytesString(t *testing.T) {
	hb := HexBytes{0x7d, 0x9b, 0x1e, 0xc5, 0x0a}
	if got, want := hb.String(), "7D9B1EC50A"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	if got := HexBytes(nil).String(); got != "" {
		t.Fatalf("nil String() = %q, want empty", got)
	}
}

func TestHexBytesJSONRoundTrip(t *testing.T) {
	type wrapper struct {
		Address Address  `json:"address"`
		Data    HexBytes `json:"data"`
	}
	in := wrapper{
		Address: Address{0x7d, 0x9b, 0x1e, 0xc5, 0x12, 0xf9, 0x7b, 0x77, 0x2d, 0x1b, 0x62, 0x54, 0x48, 0xcf, 0xec, 0x3a, 0xcc, 0xf1, 0x48, 0x90},
		Data:    HexBytes{0xab, 0xcd},
	}
	out, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"address":"7D9B1EC512F97B772D1B625448CFEC3ACCF14890","data":"ABCD"}`
	if string(out) != want {
		t.Fatalf("json = %s, want %s", out, want)
	}
	var back wrapper
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Address, in.Address) || !bytes.Equal(back.Data, in.Data) {
		t.Fatalf("round trip = %+v, want %+v", back, in)
	}
}

func TestHexBytesUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    HexBytes
		wantErr string
	}{
		{name: "lowercase", in: `"abcd"`, want: HexBytes{0xab, 0xcd}},
		{name: "uppercase", in: `"ABCD"`, want: HexBytes{0xab, 0xcd}},
		{name: "empty", in: `""`, want: HexBytes{}},
		{name: "odd length", in: `"abc"`, wantErr: "encoding/hex: odd length hex string"},
		{name: "not hex", in: `"zz"`, wantErr: "encoding/hex: invalid byte: U+007A 'z'"},
		{name: "number", in: `12`, wantErr: "invalid hex string: 12"},
		{name: "unquoted", in: `abcd`, wantErr: "invalid character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hb HexBytes
			err := json.Unmarshal([]byte(tc.in), &hb)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(hb, tc.want) {
				t.Fatalf("got %X, want %X", hb, tc.want)
			}
		})
	}
}

func TestHexBytesUnmarshalNullKeepsValue(t *testing.T) {
	hb := HexBytes{1, 2}
	if err := json.Unmarshal([]byte(`null`), &hb); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hb, HexBytes{1, 2}) {
		t.Fatalf("null changed value to %X", hb)
	}
}
