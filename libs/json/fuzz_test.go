package json

import (
	"bytes"
	"testing"
)

// FuzzUnmarshal decodes arbitrary bytes into a struct with every kind of field. Decoding
// must never panic; whatever decodes must encode, and encoding is a fixed point after one
// round (decode(encode(v)) encodes to the same bytes).
func FuzzUnmarshal(f *testing.F) {
	for _, seed := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"i64":"1","u64":"2","i":"-3","u":"4","h":"5","i32":6,"u8":7,"step":8}`,
		`{"f":1.5,"b":true,"s":"a\u003cb","bytes":"AAE=","arr":"AAECAw==","hex":"abCD","ptr":"9"}`,
		`{"t":"2026-11-23T06:48:11.844341768Z","list":["1"],"map":{"k":"v"}}`,
		`{"ev":{"type":"test/NewRound","value":{"height":"2","round":1,"step":"s"}}}`,
		`{"ev":{"type":"test/PointerEvent","value":{"vote":"v"}},"evs":[null,{"type":"test/NewRound","value":{}}]}`,
		`{"key":{"type":"tendermint/PubKeyEd25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="}}`,
		`{"key":{"type":"tendermint/PubKeySecp256k1","value":"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}`,
		`{"nested":{"nested":{"i64":"1"}},"omit":"o"}`,
		`{"i64":5}`, `{"t":"2020-01-01T00:00:00+01:00"}`, `{"arr":"AA=="}`, `{"ev":{"type":"nope","value":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v everything
		if err := Unmarshal(data, &v); err != nil {
			return
		}
		first, err := Marshal(v)
		if err != nil {
			t.Fatalf("decoded value does not encode: %v\ninput %q", err, data)
		}
		var again everything
		if err := Unmarshal(first, &again); err != nil {
			t.Fatalf("encoding does not decode: %v\nencoding %s", err, first)
		}
		second, err := Marshal(again)
		if err != nil {
			t.Fatalf("second encoding failed: %v", err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("encoding is not stable:\n%s\n%s", first, second)
		}
	})
}
