package json

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	pc "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

func ptr[T any](v T) *T { return &v }

// TestMarshalRules has one case per row of rpc.md §3 (and the quirks around them).
func TestMarshalRules(t *testing.T) {
	edKey := ed25519.PubKey(mustB64(t, "JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="))
	secpKey := secp256k1.PubKey(append([]byte{2}, make([]byte, 32)...))
	ts := time.Date(2026, 11, 23, 6, 48, 11, 844341768, time.UTC)
	cet := time.FixedZone("CET", 3600)

	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		// 64-bit and machine-size integers: decimal strings.
		{"int64", struct {
			Height int64 `json:"height"`
		}{15}, `{"height":"15"}`},
		{"uint64", uint64(18446744073709551615), `"18446744073709551615"`},
		{"int", struct {
			NPeers int `json:"n_peers"`
		}{0}, `{"n_peers":"0"}`},
		{"uint", uint(3), `"3"`},
		{"negative int64", int64(-1), `"-1"`},
		{"named int64", height(7), `"7"`},
		{"duration in ns", struct {
			MaxAge time.Duration `json:"max_age_duration"`
		}{48 * time.Hour}, `{"max_age_duration":"172800000000000"}`},
		{"pointer to int64", ptr(int64(5)), `"5"`},

		// Smaller integers and enums: numbers.
		{"int32", struct {
			Round int32 `json:"round"`
		}{0}, `{"round":0}`},
		{"uint32", uint32(2), `2`},
		{"int8", int8(-3), `-3`},
		{"uint8", uint8(48), `48`},
		{"enum", struct {
			Flag blockIDFlag `json:"block_id_flag"`
			Step step        `json:"step"`
		}{2, 3}, `{"block_id_flag":2,"step":3}`},
		{"float", 1.5, `1.5`},

		{"bool", struct {
			CatchingUp bool `json:"catching_up"`
		}{true}, `{"catching_up":true}`},

		// Strings are escaped as encoding/json does (HTML-safe).
		{"string", "a<b>&\"c\"", `"a\u003cb\u003e\u0026\"c\""`},

		// Bytes: base64 with padding, nil → null.
		{"bytes", []byte("abc=def"), `"YWJjPWRlZg=="`},
		{"nil bytes", struct {
			Sig []byte `json:"signature"`
		}{}, `{"signature":null}`},
		{"empty bytes", []byte{}, `""`},
		{"byte array", [4]byte{0, 0, 0, 3}, `"AAAAAw=="`},
		{"list of txs", struct {
			Txs [][]byte `json:"txs"`
		}{[][]byte{[]byte("name=satoshi"), []byte("a=b")}}, `{"txs":["bmFtZT1zYXRvc2hp","YT1i"]}`},

		// HexBytes: uppercase hex, empty → "".
		{"hex bytes", struct {
			Hash crypto.HexBytes `json:"hash"`
		}{crypto.HexBytes{0x57, 0x98, 0x6c, 0x1b}}, `{"hash":"57986C1B"}`},
		{"nil hex bytes", struct {
			Hash crypto.HexBytes `json:"hash"`
		}{}, `{"hash":""}`},

		// Time: RFC 3339 UTC, trailing fractional zeros removed.
		{"time", ts, `"2026-11-23T06:48:11.844341768Z"`},
		{"zero time", time.Time{}, `"0001-01-01T00:00:00Z"`},
		{"unix zero", time.Unix(0, 0), `"1970-01-01T00:00:00Z"`},
		{"trimmed fraction", time.Date(2020, 1, 2, 3, 4, 5, 500000000, time.UTC), `"2020-01-02T03:04:05.5Z"`},
		{"non-UTC zone", time.Date(2020, 1, 2, 4, 4, 5, 0, cet), `"2020-01-02T03:04:05Z"`},
		{"monotonic reading dropped", struct {
			T time.Time `json:"t"`
		}{time.Unix(1, 0)}, `{"t":"1970-01-01T00:00:01Z"}`},

		// nil → null, empty → [].
		{"nil slice", struct {
			TxsResults []int64 `json:"txs_results"`
		}{}, `{"txs_results":null}`},
		{"empty slice", struct {
			Signatures []int64 `json:"signatures"`
		}{[]int64{}}, `{"signatures":[]}`},
		{"nil pointer", struct {
			Block *newRound `json:"block"`
		}{}, `{"block":null}`},
		{"list of int64", []int64{1, -2}, `["1","-2"]`},

		// omitempty: reflect's IsZero.
		{"omitempty zero", struct {
			Proof *int64 `json:"proof,omitempty"`
			App   uint64 `json:"app,omitempty"`
			Block uint64 `json:"block"`
		}{Block: 11}, `{"block":"11"}`},
		{"omitempty keeps empty non-nil slice", struct {
			L []int64 `json:"l,omitempty"`
		}{[]int64{}}, `{"l":[]}`},
		{"omitempty drops zero struct", struct {
			S newRound `json:"s,omitempty"`
			N int32    `json:"n"`
		}{}, `{"n":0}`},

		// No tags: Go field names; unexported fields skipped.
		{"untagged struct", monitor{Bytes: 10, Progress: 50, Active: true, hidden: 7}, `{"Bytes":"10","Progress":50,"Active":true}`},
		{"tag with options only", struct {
			ID int32 `json:",omitempty"`
		}{48}, `{"ID":48}`},
		{"dash tag", struct {
			Skip int32 `json:"-"`
			Keep int32 `json:"keep"`
		}{1, 2}, `{"keep":2}`},

		// Embedded structs are not flattened.
		{"embedded struct", eventDataTx{TxResult{Height: 134, Index: 1, Tx: []byte("k3=v3")}},
			`{"TxResult":{"height":"134","index":1,"tx":"azM9djM="}}`},
		{"embedded omitempty index", eventDataTx{TxResult{Height: 134}},
			`{"TxResult":{"height":"134","tx":null}}`},

		// Registered types in interfaces: {"type","value"}.
		{"interface", struct {
			Data event `json:"data"`
		}{newRound{Height: 2, Round: 1, Step: "RoundStepPropose"}},
			`{"data":{"type":"test/NewRound","value":{"height":"2","round":1,"step":"RoundStepPropose"}}}`},
		{"pointer registration", struct {
			Data event `json:"data"`
		}{&pointerEvent{Vote: "v"}}, `{"data":{"type":"test/PointerEvent","value":{"vote":"v"}}}`},
		{"nil interface", struct {
			Data event `json:"data"`
		}{}, `{"data":null}`},
		{"registered value at top level", newRound{Height: 1}, `{"type":"test/NewRound","value":{"height":"1","round":0,"step":""}}`},
		{"registered pointer at top level", &pointerEvent{}, `{"type":"test/PointerEvent","value":{"vote":""}}`},
		{"ed25519 pub key", struct {
			PubKey crypto.PubKey `json:"pub_key"`
		}{edKey}, `{"pub_key":{"type":"tendermint/PubKeyEd25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="}}`},
		{"secp256k1 pub key", struct {
			PubKey crypto.PubKey `json:"pub_key"`
		}{secpKey}, `{"pub_key":{"type":"tendermint/PubKeySecp256k1","value":"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}`},
		{"protobuf oneof", abci.ValidatorUpdate{PubKey: pc.PublicKey{Sum: &pc.PublicKey_Ed25519{Ed25519: mustB64(t, "b6kGNXP6ixUZTiY30qyIQQDUPX5Ib79P+/vKUyC1Q/k=")}}, Power: 1},
			`{"pub_key":{"Sum":{"type":"tendermint.crypto.PublicKey_Ed25519","value":{"ed25519":"b6kGNXP6ixUZTiY30qyIQQDUPX5Ib79P+/vKUyC1Q/k="}}},"power":"1"}`},
		{"list of interfaces", []event{newRound{}, nil}, `[{"type":"test/NewRound","value":{"height":"0","round":0,"step":""}},null]`},

		// Maps: objects, sorted keys, nil map {}.
		{"map", map[string][]string{"tm.event": {"Tx"}, "app.key": {"k3", "v3"}}, `{"app.key":["k3","v3"],"tm.event":["Tx"]}`},
		{"nil map", struct {
			Events map[string][]string `json:"events"`
		}{}, `{"events":{}}`},

		// Own marshalers: pointer receivers only when addressable.
		{"pointer marshaler via pointer", &ptrMarshaler{}, `"custom"`},
		{"pointer marshaler not addressable", ptrMarshaler{N: 1}, `{"N":"1"}`},
		{"pointer marshaler in slice", []ptrMarshaler{{}}, `["custom"]`},
		{"nil top level", nil, `null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tc.want {
				t.Fatalf("Marshal:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestMarshalABCI checks the jsonpb path of rpc.md §3.1 against the captured examples.
func TestMarshalABCI(t *testing.T) {
	tx := &abci.ExecTxResult{Events: []abci.Event{{Type: "app", Attributes: []abci.EventAttribute{
		{Key: "creator", Value: "Cosmoshi Netowoko", Index: true},
		{Key: "noindex_key", Value: "index is working"},
	}}}}
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"check_tx", &abci.ResponseCheckTx{GasWanted: 1},
			`{"code":0,"data":null,"log":"","info":"","gas_wanted":"1","gas_used":"0","events":[],"codespace":""}`},
		{"abci_query", struct {
			Response *abci.ResponseQuery `json:"response"`
		}{&abci.ResponseQuery{Log: "exists", Key: []byte("abc"), Value: []byte("def"), Height: 23}},
			`{"response":{"code":0,"log":"exists","info":"","index":"0","key":"YWJj","value":"ZGVm","proofOps":null,"height":"23","codespace":""}}`},
		{"abci_query missing key", &abci.ResponseQuery{Log: "does not exist", Key: []byte("nokey"), Height: 23},
			`{"code":0,"log":"does not exist","info":"","index":"0","key":"bm9rZXk=","value":null,"proofOps":null,"height":"23","codespace":""}`},
		{"tx_result by pointer", tx,
			`{"code":0,"data":null,"log":"","info":"","gas_wanted":"0","gas_used":"0","events":[{"type":"app","attributes":[{"key":"creator","value":"Cosmoshi Netowoko","index":true},{"key":"noindex_key","value":"index is working","index":false}]}],"codespace":""}`},
		{"slice of tx results", []*abci.ExecTxResult{{Code: 5, Log: "bad tx", Codespace: "test"}},
			`[{"code":5,"data":null,"log":"bad tx","info":"","gas_wanted":"0","gas_used":"0","events":[],"codespace":"test"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.in)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tc.want {
				t.Fatalf("Marshal:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

type txEventResult struct {
	Height int64             `json:"height"`
	Index  uint32            `json:"index,omitempty"`
	Tx     []byte            `json:"tx"`
	Result abci.ExecTxResult `json:"result"`
}

// txEvent is shaped like CometBFT's EventDataTx.
type txEvent struct{ TxResult txEventResult }

func init() { RegisterType(txEvent{}, "test/event/Tx") }

// TestMarshalValueReachedTxResult is the websocket Tx event shape: a registered event
// value holding an ExecTxResult by value is encoded generically.
func TestMarshalValueReachedTxResult(t *testing.T) {
	in := struct {
		Data any `json:"data"`
	}{txEvent{txEventResult{Height: 134, Index: 1, Tx: []byte("k3=v3"), Result: abci.ExecTxResult{
		Events: []abci.Event{{Type: "app", Attributes: []abci.EventAttribute{{Key: "key", Value: "k3", Index: true}}}},
	}}}}
	got, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"data":{"type":"test/event/Tx","value":{"TxResult":{"height":"134","index":1,"tx":"azM9djM=","result":{"events":[{"type":"app","attributes":[{"key":"key","value":"k3","index":true}]}]}}}}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"unregistered in interface", struct{ E event }{unregisteredEvent{}}, "cannot encode unregistered type"},
		{"non-string map key", map[int]string{1: "a"}, "map key must be a string"},
		{"channel", struct{ C chan int }{make(chan int)}, "unsupported type"},
		{"NaN", struct{ F float64 }{F: nan()}, "unsupported value"},
		{"year out of range", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "year outside of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Marshal = %s, %v; want error containing %q", got, err, tc.want)
			}
		})
	}
}

func TestMarshalIndent(t *testing.T) {
	got, err := MarshalIndent(struct {
		H int64 `json:"h"`
		L []int32
	}{1, []int32{2}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"h\": \"1\",\n  \"L\": [\n    2\n  ]\n}"
	if string(got) != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestRegisterTypeConflicts(t *testing.T) {
	type fresh struct{}
	for _, tc := range []struct {
		name  string
		value any
		tname string
	}{
		{"nil value", nil, "x"},
		{"empty name", fresh{}, ""},
		{"duplicate name", fresh{}, "test/NewRound"},
		{"duplicate type", newRound{}, "test/Other"},
		{"duplicate type via pointer", &newRound{}, "test/Other2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("RegisterType did not panic")
				}
			}()
			RegisterType(tc.value, tc.tname)
		})
	}
	if name, ok := RegisteredName(&pointerEvent{}); !ok || name != "test/PointerEvent" {
		t.Fatalf("RegisteredName = %q, %v", name, ok)
	}
	if _, ok := RegisteredName(unregisteredEvent{}); ok {
		t.Fatal("unregistered type reported as registered")
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	var b []byte
	if err := json.Unmarshal([]byte(`"`+s+`"`), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}
