package types

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameGenesis compares two documents field by field (times with Equal, keys with Equals).
func sameGenesis(a, b *GenesisDoc) bool {
	if !a.GenesisTime.Equal(b.GenesisTime) || a.ChainID != b.ChainID || a.InitialHeight != b.InitialHeight ||
		!reflect.DeepEqual(a.ConsensusParams, b.ConsensusParams) || !bytes.Equal(a.AppHash, b.AppHash) ||
		!sameJSON(a.AppState, b.AppState) || len(a.Validators) != len(b.Validators) {
		return false
	}
	for i, v := range a.Validators {
		w := b.Validators[i]
		if !bytes.Equal(v.Address, w.Address) || v.Power != w.Power || v.Name != w.Name ||
			(v.PubKey == nil) != (w.PubKey == nil) || (v.PubKey != nil && !v.PubKey.Equals(w.PubKey)) {
			return false
		}
	}
	return true
}

// sameJSON reports whether a and b hold the same JSON value (encoding re-indents app_state and
// escapes HTML characters in it).
func sameJSON(a, b json.RawMessage) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	decode := func(raw json.RawMessage) (any, error) {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		err := d.Decode(&v)
		return v, err
	}
	va, errA := decode(a)
	vb, errB := decode(b)
	if errA != nil || errB != nil {
		return bytes.Equal(a, b)
	}
	return reflect.DeepEqual(va, vb)
}

func TestGenesisCometBFTInitExample(t *testing.T) {
	// operator.md §5.2: the genesis.json written by `cometbft init`, verbatim.
	path := filepath.Join("testdata", "genesis_cometbft_init.json")
	doc, hash, err := LoadGenesisFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 11, 23, 6, 47, 16, 641470918, time.UTC)
	if !doc.GenesisTime.Equal(want) || doc.ChainID != "test-chain-YV9vH5" || doc.InitialHeight != 1 {
		t.Fatalf("header fields: %v %q %d", doc.GenesisTime, doc.ChainID, doc.InitialHeight)
	}
	if !reflect.DeepEqual(doc.ConsensusParams, DefaultConsensusParams()) {
		t.Fatalf("params %+v", doc.ConsensusParams)
	}
	if len(doc.Validators) != 1 {
		t.Fatalf("%d validators", len(doc.Validators))
	}
	v := doc.Validators[0]
	// operator.md §7: the address is the first 20 bytes of SHA-256 of the key.
	if v.Address.String() != "7D9B1EC512F97B772D1B625448CFEC3ACCF14890" || v.Power != 10 || v.Name != "" ||
		!bytes.Equal(v.PubKey.Address(), v.Address) {
		t.Fatalf("validator %+v", v)
	}
	if len(doc.AppHash) != 0 || doc.AppState != nil {
		t.Fatalf("app hash %X, app state %s", doc.AppHash, doc.AppState)
	}
	raw := readTestdata(t, "genesis_cometbft_init.json")
	if sum := sha256.Sum256(raw); !bytes.Equal(hash, sum[:]) || !bytes.Equal(GenesisHash(raw), sum[:]) {
		t.Fatalf("genesis hash %X, want %X", hash, sum)
	}
}

func TestGenesisEndToEndVector(t *testing.T) {
	// types.md §7.4: chain "test-chain", 2024-01-01, default params, key "a" with power 10.
	doc, err := GenesisDocFromJSON(readTestdata(t, "genesis_test_chain.json"))
	if err != nil {
		t.Fatal(err)
	}
	vh, err := doc.ValidatorHash()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(vh); got != "2b07705070e01ca77252b8eb9f0cde7b00d809317c452fb54b32afb4c51e9957" {
		t.Fatalf("validators hash %s", got)
	}
	if got := hex.EncodeToString(doc.ConsensusParams.Hash()); got != "048091bc7ddc283f77bfbf91d73c44da58c3df8a9cbc867405d8b7f3daada22f" {
		t.Fatalf("consensus hash %s", got)
	}
}

func TestGenesisSaveAsMatchesGolden(t *testing.T) {
	// Build the §7.4 document in code; SaveAs must write testdata/genesis_test_chain.json byte for
	// byte (2-space indent, no trailing newline, as CometBFT writes it).
	val := secretValidator("a", 10)
	doc := &GenesisDoc{
		GenesisTime:     time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		ChainID:         "test-chain",
		InitialHeight:   1,
		ConsensusParams: DefaultConsensusParams(),
		Validators:      []GenesisValidator{{Address: val.Address, PubKey: val.PubKey, Power: 10, Name: "a"}},
	}
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := doc.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "genesis_test_chain.json"); !bytes.Equal(got, want) {
		t.Fatalf("SaveAs wrote\n%s\nwant\n%s", got, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	back, err := GenesisDocFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameGenesis(back, doc) {
		t.Fatalf("reloaded %+v, want %+v", back, doc)
	}
	// Saving again replaces the file.
	doc.ChainID = "other-chain"
	if err := doc.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	if back, err := GenesisDocFromFile(path); err != nil || back.ChainID != "other-chain" {
		t.Fatalf("after overwrite: %v, %v", back, err)
	}
}

func TestGenesisRoundTripAndOmitEmpty(t *testing.T) {
	doc, err := GenesisDocFromJSON(readTestdata(t, "genesis_cometbft_init.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc.AppState = json.RawMessage(`{"accounts":[{"name":"x","balance":"5"}]}`)
	doc.AppHash = []byte{0xab, 0xcd}
	bz, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := GenesisDocFromJSON(bz)
	if err != nil {
		t.Fatal(err)
	}
	if !sameGenesis(back, doc) {
		t.Fatalf("round trip\n%+v\nwant\n%+v", back, doc)
	}
	if !strings.Contains(string(bz), `"app_hash":"ABCD"`) || !strings.Contains(string(bz), `"initial_height":"1"`) {
		t.Fatalf("JSON %s", bz)
	}

	bare := GenesisDoc{ChainID: "c", GenesisTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	bz, err = json.Marshal(bare)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"genesis_time":"2024-01-01T00:00:00Z","chain_id":"c","initial_height":"0","app_hash":""}`
	if string(bz) != want {
		t.Fatalf("bare doc JSON %s, want %s", bz, want)
	}
	// A time in another zone is written in UTC.
	bare.GenesisTime = time.Date(2024, 1, 1, 2, 0, 0, 5, time.FixedZone("X", 7200))
	if bz, _ = json.Marshal(bare); !strings.Contains(string(bz), `"genesis_time":"2024-01-01T00:00:00.000000005Z"`) {
		t.Fatalf("non-UTC time JSON %s", bz)
	}
}

func TestGenesisValidateAndComplete(t *testing.T) {
	now := time.Date(2030, 5, 6, 7, 8, 9, 0, time.FixedZone("Y", -3600))
	doc := &GenesisDoc{ChainID: "c", Validators: []GenesisValidator{{PubKey: secretValidator("a", 1).PubKey, Power: 3}}}
	if err := doc.ValidateAndCompleteAt(now); err != nil {
		t.Fatal(err)
	}
	if !doc.GenesisTime.Equal(now) || doc.GenesisTime.Location() != time.UTC {
		t.Fatalf("genesis time %v", doc.GenesisTime)
	}
	if doc.InitialHeight != 1 || !reflect.DeepEqual(doc.ConsensusParams, DefaultConsensusParams()) {
		t.Fatalf("defaults not filled: %d %+v", doc.InitialHeight, doc.ConsensusParams)
	}
	if !bytes.Equal(doc.Validators[0].Address, doc.Validators[0].PubKey.Address()) {
		t.Fatal("address not filled in")
	}
	// A set time and height are kept.
	set := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	doc = &GenesisDoc{ChainID: "c", GenesisTime: set, InitialHeight: 7}
	if err := doc.ValidateAndCompleteAt(now); err != nil || !doc.GenesisTime.Equal(set) || doc.InitialHeight != 7 {
		t.Fatalf("kept fields changed: %v %d %v", doc.GenesisTime, doc.InitialHeight, err)
	}
}

func TestGenesisValidationErrors(t *testing.T) {
	a, b := secretValidator("a", 1), secretValidator("b", 1)
	valid := func() *GenesisDoc {
		return &GenesisDoc{
			ChainID:     "chain",
			GenesisTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			Validators:  []GenesisValidator{{PubKey: a.PubKey, Power: 1, Name: "alice"}},
		}
	}
	tests := []struct {
		name   string
		mutate func(*GenesisDoc)
		want   string
	}{
		{"empty chain id", func(g *GenesisDoc) { g.ChainID = "" }, "chain_id must not be empty"},
		{"long chain id", func(g *GenesisDoc) { g.ChainID = strings.Repeat("x", 51) }, "is 51 bytes long, the maximum is 50"},
		{"negative height", func(g *GenesisDoc) { g.InitialHeight = -1 }, "initial_height must not be negative, got -1"},
		{"bad params", func(g *GenesisDoc) {
			g.ConsensusParams = DefaultConsensusParams()
			g.ConsensusParams.Block.MaxBytes = 0
		}, "consensus_params: invalid consensus params: block.max_bytes must not be 0"},
		{"zero power", func(g *GenesisDoc) { g.Validators[0].Power = 0 }, `validators[0] ("alice"): power must not be zero`},
		{"negative power", func(g *GenesisDoc) { g.Validators[0].Power = -4 }, `validators[0] ("alice"): power must be positive, got -4`},
		{"no key", func(g *GenesisDoc) { g.Validators[0].PubKey = nil }, `validators[0] ("alice"): pub_key is missing`},
		{"address mismatch", func(g *GenesisDoc) { g.Validators[0].Address = b.Address }, "does not match pub_key"},
		{"duplicate", func(g *GenesisDoc) {
			g.Validators = append(g.Validators, GenesisValidator{PubKey: a.PubKey, Power: 2, Name: "again"})
		}, `validators[1] ("again"): same address`},
		{"total power", func(g *GenesisDoc) {
			g.Validators[0].Power = MaxTotalVotingPower
			g.Validators = append(g.Validators, GenesisValidator{PubKey: b.PubKey, Power: 1})
		}, "total power exceeds the maximum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := valid()
			tt.mutate(g)
			err := g.ValidateAndCompleteAt(time.Time{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("error = %v, want ErrInvalidGenesis containing %q", err, tt.want)
			}
		})
	}
	g := valid()
	g.ChainID = strings.Repeat("x", 50)
	if err := g.ValidateAndCompleteAt(time.Time{}); err != nil {
		t.Fatalf("50-byte chain id: %v", err)
	}
}

func TestGenesisDecodeErrors(t *testing.T) {
	good := string(readTestdata(t, "genesis_cometbft_init.json"))
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "unexpected end of JSON input at byte 0"},
		{"garbage", "\x00\xffnot json", "invalid character"},
		{"array", `[1,2]`, "genesis must be a JSON object, got array"},
		{"string", `"genesis"`, "genesis must be a JSON object"},
		{"bare initial height", strings.Replace(good, `"initial_height": "0"`, `"initial_height": 0`, 1),
			"initial_height: invalid 64-bit integer encoding: got number 0"},
		{"bare power", strings.Replace(good, `"power": "10"`, `"power": 10`, 1),
			"validators[0].power: invalid 64-bit integer encoding: got number 10"},
		{"bare max bytes", strings.Replace(good, `"max_bytes": "22020096"`, `"max_bytes": 22020096`, 1),
			"consensus_params.block.max_bytes: invalid 64-bit integer encoding"},
		{"bare duration", strings.Replace(good, `"172800000000000"`, `172800000000000`, 1),
			"consensus_params.evidence.max_age_duration: invalid 64-bit integer encoding"},
		{"bare app version", strings.Replace(good, `"app": "0"`, `"app": 0`, 1),
			"consensus_params.version.app: invalid 64-bit integer encoding"},
		{"non-decimal height", strings.Replace(good, `"initial_height": "0"`, `"initial_height": "0x10"`, 1),
			"initial_height: invalid 64-bit integer encoding"},
		{"wrong key type", strings.Replace(good, "tendermint/PubKeyEd25519", "tendermint/PubKeyRSA", 1),
			`validators[0].pub_key: public key JSON: unsupported key type: unknown type name "tendermint/PubKeyRSA"`},
		{"short key", strings.Replace(good, "JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik=", "JEa/zOr5", 1),
			"validators[0].pub_key: public key JSON: tendermint/PubKeyEd25519: ed25519: wrong key size"},
		{"numeric chain id", strings.Replace(good, `"test-chain-YV9vH5"`, `17`, 1),
			"chain_id: cannot decode number into string"},
		{"bad address hex", strings.Replace(good, "7D9B1EC512F97B772D1B625448CFEC3ACCF14890", "XYZ", 1),
			"validators[0].address: "},
		{"address mismatch", strings.Replace(good, "7D9B1EC512F97B772D1B625448CFEC3ACCF14890", "7D9B1EC512F97B772D1B625448CFEC3ACCF14891", 1),
			"does not match pub_key"},
		{"bad app hash", strings.Replace(good, `"app_hash": ""`, `"app_hash": "zz"`, 1), "app_hash: "},
		{"bad time", strings.Replace(good, "2026-11-23T06:47:16.641470918Z", "yesterday", 1), "genesis_time: "},
		{"validators not array", `{"chain_id":"c","validators":{}}`,
			"validators: cannot decode object"},
		{"invalid params", strings.Replace(good, `"max_bytes": "1048576"`, `"max_bytes": "-5"`, 1),
			"consensus_params: invalid consensus params: evidence.max_bytes must not be negative, got -5"},
		{"missing chain id", strings.Replace(good, `"chain_id": "test-chain-YV9vH5",`, ``, 1), "chain_id must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := GenesisDocFromJSON([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidGenesis) {
				t.Fatalf("error = %v, want ErrInvalidGenesis containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func TestGenesisTruncatedFiles(t *testing.T) {
	good := bytes.TrimSpace(readTestdata(t, "genesis_cometbft_init.json"))
	for n := 0; n < len(good); n++ {
		_, err := GenesisDocFromJSON(good[:n])
		if err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
		if strings.Contains(err.Error(), "\n") || (n > 0 && !strings.Contains(err.Error(), "unexpected end of JSON input at byte")) {
			t.Fatalf("truncated to %d bytes: error %q", n, err)
		}
	}
	// From a file, the error starts with the path.
	path := filepath.Join(t.TempDir(), "genesis.json")
	if err := os.WriteFile(path, good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := GenesisDocFromFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": invalid genesis: unexpected end of JSON input at byte ") {
		t.Fatalf("truncated file: %v", err)
	}
	if _, err := GenesisDocFromFile(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing file: %v", err)
	}
}

func FuzzGenesisDocFromJSON(f *testing.F) {
	f.Add(readTestdata(f, "genesis_cometbft_init.json"))
	f.Add(readTestdata(f, "genesis_test_chain.json"))
	f.Add([]byte(`{"chain_id":"c","validators":[{"pub_key":null,"power":"1"}]}`))
	f.Add([]byte(`{"chain_id":"c","initial_height":"-1","app_state":{"a":[1,2,{}]}}`))
	f.Add([]byte(`{"chain_id":"c","consensus_params":{"block":{"max_bytes":"1"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := GenesisDocFromJSON(data)
		if err != nil {
			if doc != nil {
				t.Fatal("document returned with an error")
			}
			return
		}
		// An accepted document survives a save/load cycle unchanged.
		bz, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatalf("marshal accepted doc: %v", err)
		}
		back, err := GenesisDocFromJSON(bz)
		if err != nil {
			t.Fatalf("re-reading %s: %v", bz, err)
		}
		if !sameGenesis(back, doc) {
			t.Fatalf("round trip changed the document:\n%s", bz)
		}
		if _, err := doc.ValidatorHash(); err != nil {
			t.Fatalf("validated doc has no validator set: %v", err)
		}
	})
}
