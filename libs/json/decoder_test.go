package json

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/encoding"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	pc "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

func TestUnmarshalRules(t *testing.T) {
	edKey := ed25519.PubKey(mustB64(t, "JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="))
	for _, tc := range []struct {
		name string
		in   string
		into func() any // returns a pointer to a fresh target
		want any        // the expected *target value
	}{
		{"int64 string", `"15"`, func() any { return new(int64) }, ptr(int64(15))},
		{"uint64 max", `"18446744073709551615"`, func() any { return new(uint64) }, ptr(uint64(18446744073709551615))},
		{"named int64", `"-7"`, func() any { return new(height) }, ptr(height(-7))},
		{"duration", `"172800000000000"`, func() any { return new(time.Duration) }, ptr(48 * time.Hour)},
		{"int32 number", `2`, func() any { return new(int32) }, ptr(int32(2))},
		{"enum number", `3`, func() any { return new(step) }, ptr(step(3))},
		{"bool", `true`, func() any { return new(bool) }, ptr(true)},
		{"bytes", `"YWJjPWRlZg=="`, func() any { return new([]byte) }, ptr([]byte("abc=def"))},
		{"empty bytes become nil", `""`, func() any { return new([]byte) }, new([]byte)},
		{"byte array", `"AAAAAw=="`, func() any { return new([4]byte) }, ptr([4]byte{0, 0, 0, 3})},
		{"hex bytes", `"57986c1b"`, func() any { return new(crypto.HexBytes) }, ptr(crypto.HexBytes{0x57, 0x98, 0x6c, 0x1b})},
		{"time", `"2026-11-23T06:48:11.844341768Z"`, func() any { return new(time.Time) },
			ptr(time.Date(2026, 11, 23, 6, 48, 11, 844341768, time.UTC))},
		{"null pointer", `null`, func() any { p := ptr(int64(1)); return &p }, new(*int64)},
		{"pointer allocated", `"5"`, func() any { return new(*int64) }, ptr(ptr(int64(5)))},
		{"empty list becomes nil", `[]`, func() any { return &[]int64{1} }, new([]int64)},
		{"list", `["1","-2"]`, func() any { return new([]int64) }, &[]int64{1, -2}},
		{"map", `{"a":["1"]}`, func() any { return new(map[string][]int64) }, &map[string][]int64{"a": {1}}},
		{"struct by tag and field name", `{"Bytes":"10","Progress":50,"Active":true,"hidden":"9"}`,
			func() any { return new(monitor) }, &monitor{Bytes: 10, Progress: 50, Active: true}},
		{"keys are case-sensitive", `{"bytes":"10"}`, func() any { return &monitor{Bytes: 3} }, &monitor{}},
		{"missing field zeroed unless omitempty", `{}`, func() any {
			return &everything{I64: 1, Omit: "kept"}
		}, &everything{Omit: "kept"}},
		{"embedded struct by type name", `{"TxResult":{"height":"134","index":1,"tx":"azM9djM="}}`,
			func() any { return new(eventDataTx) }, &eventDataTx{TxResult{Height: 134, Index: 1, Tx: []byte("k3=v3")}}},
		{"interface", `{"type":"test/NewRound","value":{"height":"2","round":1,"step":"s"}}`,
			func() any { return new(event) }, ptr[event](newRound{Height: 2, Round: 1, Step: "s"})},
		{"interface from pointer registration", `{"type":"test/PointerEvent","value":{"vote":"v"}}`,
			func() any { return new(event) }, ptr[event](&pointerEvent{Vote: "v"})},
		{"registered type at top level", `{"type":"test/NewRound","value":{"height":"1","round":0,"step":""}}`,
			func() any { return new(newRound) }, &newRound{Height: 1}},
		{"null interface", `null`, func() any { return ptr[event](newRound{}) }, new(event)},
		{"ed25519 pub key", `{"type":"tendermint/PubKeyEd25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="}`,
			func() any { return new(crypto.PubKey) }, ptr[crypto.PubKey](edKey)},
		{"protobuf oneof", `{"pub_key":{"Sum":{"type":"tendermint.crypto.PublicKey_Ed25519","value":{"ed25519":"AQI="}}},"power":"1"}`,
			func() any { return new(abci.ValidatorUpdate) },
			&abci.ValidatorUpdate{PubKey: pc.PublicKey{Sum: &pc.PublicKey_Ed25519{Ed25519: []byte{1, 2}}}, Power: 1}},
		{"jsonpb", `{"code":5,"data":null,"log":"bad","info":"","gas_wanted":"1","gas_used":"0","events":[],"codespace":"x"}`,
			func() any { return new(abci.ResponseCheckTx) }, &abci.ResponseCheckTx{Code: 5, Log: "bad", GasWanted: 1, Events: []abci.Event{}, Codespace: "x"}},
		{"surrounding whitespace", " \n\"1\"\t", func() any { return new(int64) }, ptr(int64(1))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.into()
			if err := Unmarshal([]byte(tc.in), target); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(target, tc.want) {
				t.Fatalf("Unmarshal:\n got %#v\nwant %#v", reflect.ValueOf(target).Elem(), reflect.ValueOf(tc.want).Elem())
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		target any
		want   string // exact error text when it starts with "=", else a substring
	}{
		{"int64 as number", `5`, new(int64), `=invalid 64-bit integer encoding "5", expected string`},
		{"int as number in struct", `{"height":5}`, new(struct {
			Height int `json:"height"`
		}), `=invalid 64-bit integer encoding "5", expected string`},
		{"int64 garbage", `"5x"`, new(int64), "invalid character"},
		{"uint64 negative", `"-1"`, new(uint64), "cannot unmarshal number -1"},
		{"int32 as string", `"5"`, new(int32), "cannot unmarshal string"},
		{"time without Z", `"2020-01-02T03:04:05+01:00"`, new(time.Time), `=JSON time must be UTC and end with 'Z', but got "\"2020-01-02T03:04:05+01:00\""`},
		{"time as number", `5`, new(time.Time), `=JSON time must be an RFC3339 string, but got "5"`},
		{"bad base64", `"!!"`, new([]byte), "illegal base64"},
		{"array length", `"AAA="`, new([4]byte), "got 2 bytes, expected 4"},
		{"list length", `["1"]`, new([2]int64), "got list of 1 elements, expected 2"},
		{"unknown type name", `{"type":"nope","value":{}}`, new(event), `unknown type "nope"`},
		{"empty type name", `{"value":{}}`, new(event), "interface type cannot be empty"},
		{"missing value", `{"type":"test/NewRound"}`, new(event), "interface value cannot be empty"},
		{"type not assignable", `{"type":"tendermint/PubKeyEd25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="}`,
			new(event), "invalid type"},
		{"value registration does not satisfy pointer interface", `{"type":"test/NewRound","value":{}}`,
			new(crypto.PubKey), "invalid type"},
		{"short ed25519 key", `{"type":"tendermint/PubKeyEd25519","value":"AQI="}`, new(crypto.PubKey), "wrong key size"},
		{"unsupported key", `{"type":"cometbft/PubKeyMlDsa65","value":"AQI="}`, new(crypto.PubKey), `unknown type "cometbft/PubKeyMlDsa65"`},
		{"map with int keys", `{"1":"a"}`, new(map[int]string), "map key must be a string"},
		{"not an object", `[1]`, new(monitor), "cannot unmarshal array"},
		{"syntax", `{"a":`, new(monitor), "unexpected end of JSON input"},
		{"trailing garbage", `"1" x`, new(int64), "invalid character"},
		{"jsonpb unknown field", `{"nope":1}`, new(abci.ResponseCheckTx), "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Unmarshal([]byte(tc.in), tc.target)
			if err == nil {
				t.Fatalf("Unmarshal(%s) succeeded: %#v", tc.in, tc.target)
			}
			if exact, ok := strings.CutPrefix(tc.want, "="); ok {
				if err.Error() != exact {
					t.Fatalf("error = %q, want %q", err, exact)
				}
			} else if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %q, want it to contain %q", err, tc.want)
			}
		})
	}
	if err := Unmarshal(nil, new(int64)); !errors.Is(err, ErrEmptyInput) {
		t.Fatalf("empty input: %v", err)
	}
	var notPointer int64
	if err := Unmarshal([]byte(`"1"`), notPointer); !errors.Is(err, ErrNotPointer) {
		t.Fatalf("non-pointer: %v", err)
	}
	if err := Unmarshal([]byte(`"1"`), (*int64)(nil)); !errors.Is(err, ErrNotPointer) {
		t.Fatalf("nil pointer: %v", err)
	}
}

// TestRoundTrip encodes a value with every kind of field, decodes it and encodes again.
func TestRoundTrip(t *testing.T) {
	priv := ed25519.GenPrivKeyFromSecret([]byte("round trip"))
	in := everything{
		I64: -1 << 62, U64: 1 << 63, I: 3, U: 4, H: 5, I32: -6, U8: 7, Step: 8, F: 0.25, B: true,
		S: "<tag> & \"quotes\" ✓", Bytes: []byte{0, 1, 2}, Arr: [4]byte{9, 9, 9, 9}, Hex: crypto.HexBytes{0xab},
		Ptr: ptr(int64(10)), T: time.Date(2021, 2, 3, 4, 5, 6, 7, time.UTC), List: []int64{1, 2},
		Map: map[string]string{"b": "2", "a": "1"}, Ev: &pointerEvent{Vote: "x"},
		Evs: []event{newRound{Height: 1}, nil}, Key: priv.PubKey(), // A nil map or nil HexBytes comes back empty, not nil ({} and "").
		Nested: &everything{Omit: "inner", Map: map[string]string{}, Hex: crypto.HexBytes{}},
	}
	first, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out everything
	if err := Unmarshal(first, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip changed the value:\n in %#v\nout %#v", in, out)
	}
	second, err := Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("re-encoding differs:\n%s\n%s", first, second)
	}

	// A private key round-trips through an interface too, checked by crypto/encoding.
	keyJSON, err := Marshal(struct {
		Key crypto.PrivKey `json:"priv_key"`
	}{priv})
	if err != nil {
		t.Fatal(err)
	}
	want, err := encoding.JSONPrivKey{PrivKey: priv}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(keyJSON, want) {
		t.Fatalf("private key JSON %s does not contain crypto/encoding's form %s", keyJSON, want)
	}
	var back struct {
		Key crypto.PrivKey `json:"priv_key"`
	}
	if err := Unmarshal(keyJSON, &back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Key.Bytes(), priv.Bytes()) {
		t.Fatal("private key changed in a round trip")
	}
}
