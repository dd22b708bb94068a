package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeTemp writes a config file into a fresh temporary directory.
func writeTemp(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// diffConfigs lists the keys whose values differ between a and b.
func diffConfigs(t *testing.T, a, b *Config) []string {
	t.Helper()
	var diff []string
	for _, key := range Keys() {
		va, err := Get(a, key)
		if err != nil {
			t.Fatal(err)
		}
		vb, err := Get(b, key)
		if err != nil {
			t.Fatal(err)
		}
		if va != vb {
			diff = append(diff, key+": "+va+" != "+vb)
		}
	}
	return diff
}

func TestLoadCometBFTWrittenFile(t *testing.T) {
	cfg, unknown, err := Load(filepath.Join("testdata", "cometbft-v0.38.26-default.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown keys %v", unknown)
	}
	if cfg.Moniker != "fixture-host" {
		t.Errorf("moniker = %q", cfg.Moniker)
	}
	want := DefaultConfig()
	want.Moniker = cfg.Moniker
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("fixture does not load to the defaults: %v", diffConfigs(t, cfg, want))
	}
	if cfg.StateSync.ChunkFetchers != 4 {
		t.Errorf("chunk_fetchers = %d", cfg.StateSync.ChunkFetchers)
	}
}

// The config.toml that the real `cometbft init` (v0.38.26) wrote loads to the defaults.
func TestLoadRealCometBFTInitConfig(t *testing.T) {
	cfg, unknown, err := Load(filepath.Join("testdata", "cometbft-v0.38.26-init-config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown keys %v", unknown)
	}
	want := DefaultConfig()
	want.Moniker = "vm" // the host it was written on
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("cometbft's own config.toml does not load to the defaults: %v", diffConfigs(t, cfg, want))
	}
}

func TestRoundTripDefaults(t *testing.T) {
	for name, cfg := range map[string]*Config{"default": DefaultConfig(), "test": TestConfig()} {
		path := filepath.Join(t.TempDir(), "config.toml")
		if err := WriteConfigFile(path, cfg); err != nil {
			t.Fatal(err)
		}
		got, unknown, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(unknown) != 0 {
			t.Errorf("%s: unknown keys %v in our own output", name, unknown)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Errorf("%s: round trip differs: %v", name, diffConfigs(t, got, cfg))
		}
	}
}

// otherValue returns a value of f's kind different from cur, with
// characters that need escaping in strings.
func otherValue(t *testing.T, f Field, cur string) string {
	t.Helper()
	switch f.Kind {
	case KindString:
		return cur + "-x \"q\" \\ \t\n\x01 ü"
	case KindBool:
		if cur == "true" {
			return "false"
		}
		return "true"
	case KindInt:
		if cur == "4294967295" {
			return "7"
		}
		if cur == "0" {
			return "3"
		}
		return "1" + cur
	case KindDuration:
		d, err := time.ParseDuration(cur)
		if err != nil {
			t.Fatal(err)
		}
		return (d + 1234567*time.Nanosecond + 3*time.Hour).String()
	case KindList:
		return `a b,c"d,ü`
	case KindCommaList:
		return "tcp://a:1,tcp://b:2"
	}
	t.Fatalf("kind %v", f.Kind)
	return ""
}

func TestRoundTripEveryKeyChanged(t *testing.T) {
	def := DefaultConfig()
	cfg := DefaultConfig()
	for _, f := range Fields() {
		cur, _ := Get(def, f.Key)
		if err := Set(cfg, f.Key, otherValue(t, f, cur)); err != nil {
			t.Fatal(err)
		}
	}
	data, err := Encode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := DefaultConfig()
	unknown, err := Decode(data, got)
	if err != nil {
		t.Fatalf("decode of our own output: %v\n%s", err, data)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown keys %v", unknown)
	}
	if d := diffConfigs(t, got, cfg); len(d) != 0 {
		t.Errorf("round trip lost values: %v", d)
	}
	// Every key really differs from the default, so a key the encoder
	// forgot to write would have shown up above.
	if d := diffConfigs(t, got, def); len(d) != len(Keys()) {
		t.Errorf("%d of %d keys differ from the defaults", len(d), len(Keys()))
	}
}

func TestDecodeOverlaysOnlyPresentKeys(t *testing.T) {
	cfg := DefaultConfig()
	unknown, err := Decode([]byte(`
moniker = "n1"
[consensus]
timeout_commit = "5s"
create_empty_blocks = false
[statesync]
chunk_fetchers = 8
rpc_servers = "tcp://a:1, tcp://b:2"
[mempool]
size = "77"
[rpc]
cors_allowed_origins = "*"
`), cfg)
	if err != nil || len(unknown) != 0 {
		t.Fatalf("err %v, unknown %v", err, unknown)
	}
	want := DefaultConfig()
	want.Moniker = "n1"
	want.Consensus.TimeoutCommit = 5 * time.Second
	want.Consensus.CreateEmptyBlocks = false
	want.StateSync.ChunkFetchers = 8
	want.StateSync.RPCServers = []string{"tcp://a:1", "tcp://b:2"}
	want.Mempool.Size = 77
	want.RPC.CORSAllowedOrigins = []string{"*"}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("overlay differs: %v", diffConfigs(t, cfg, want))
	}
}

func TestDecodeDottedAndInlineKeys(t *testing.T) {
	cfg := DefaultConfig()
	_, err := Decode([]byte("rpc.laddr = \"tcp://1.2.3.4:5\"\np2p = { seeds = \"id@h:1\", pex = false }\n"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RPC.ListenAddress != "tcp://1.2.3.4:5" || cfg.P2P.Seeds != "id@h:1" || cfg.P2P.PexReactor {
		t.Errorf("got laddr %q seeds %q pex %v", cfg.RPC.ListenAddress, cfg.P2P.Seeds, cfg.P2P.PexReactor)
	}
}

func TestUnknownKeysReported(t *testing.T) {
	path := writeTemp(t, `
fast_sync = true
moniker = "m"
[rpc]
bogus = 1
[fastsync]
version = "v0"
[p2p]
test_dial_fail = false
test_fuzz = false
[p2p.test_fuzz_config]
Mode = 0
MaxDelay = "3s"
[empty]
`)
	cfg, unknown, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"empty", "fast_sync", "fastsync.version", "rpc.bogus"}
	if !slices.Equal(unknown, want) {
		t.Errorf("unknown = %v, want %v", unknown, want)
	}
	if cfg.Moniker != "m" {
		t.Errorf("known keys not applied next to unknown ones: moniker %q", cfg.Moniker)
	}
}

func TestMalformedFile(t *testing.T) {
	cases := []struct {
		name, content string
		line          int
		key           string
		contains      []string
	}{
		{"syntax", "moniker = \"a\"\n[rpc]\nladdr = \n", 3, "", []string{"config.toml:3:"}},
		{"unterminated string", "moniker = \"abc\n", 1, "", []string{"config.toml:1:"}},
		{"duplicate key", "[rpc]\nunsafe = true\nunsafe = false\n", 3, "rpc.unsafe", []string{"rpc.unsafe"}},
		{"duration as integer", "[consensus]\n\ntimeout_propose = 5\n", 3, "consensus.timeout_propose",
			[]string{"config.toml:3:1: consensus.timeout_propose: want a duration string", "got integer 5"}},
		{"bad duration", "[consensus]\ntimeout_commit = \"fast\"\n", 2, "consensus.timeout_commit",
			[]string{`invalid duration "fast"`}},
		{"string as integer", "[rpc]\nladdr = 5\n", 2, "rpc.laddr", []string{"want a string, got integer 5"}},
		{"section not a table", "rpc = 5\n", 1, "rpc", []string{"want a table"}},
		{"key is a table", "[rpc.laddr]\nx = 1\n", 1, "rpc.laddr", []string{"want a string, got a table"}},
		{"array of numbers", "[rpc]\ncors_allowed_methods = [1, 2]\n", 2, "rpc.cors_allowed_methods",
			[]string{"want an array of strings, got an array holding integer 1"}},
		{"float for int", "[mempool]\nsize = 1.5\n", 2, "mempool.size", []string{"want an integer, got float 1.5"}},
		{"out of range", "[statesync]\nmax_snapshot_chunks = -1\n", 2, "statesync.max_snapshot_chunks",
			[]string{"integer -1 out of range for uint32"}},
		{"int32 overflow", "[statesync]\nchunk_fetchers = \"99999999999\"\n", 2, "statesync.chunk_fetchers",
			[]string{"out of range for int32"}},
		{"bad bool string", "[p2p]\npex = \"maybe\"\n", 2, "p2p.pex", []string{`invalid boolean "maybe"`}},
		{"date for bool", "[p2p]\n\n\npex = 1979-05-27\n", 4, "p2p.pex", []string{"got a date/time"}},
		{"inline table value", "p2p = { pex = 3 }\n", 1, "p2p.pex", []string{"want a boolean, got integer 3"}},
		{"first error by line", "[rpc]\nunsafe = 1\n[consensus]\ntimeout_commit = 1\n", 2, "rpc.unsafe", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, tc.content)
			_, _, err := Load(path)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			if fe.Path != path || fe.Line != tc.line || (tc.key != "" && fe.Key != tc.key) {
				t.Errorf("got path %q line %d key %q, want line %d key %q (%v)", fe.Path, fe.Line, fe.Key, tc.line, tc.key, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: "+path+":") {
				t.Errorf("message %q does not start with the file name", msg)
			}
			for _, s := range tc.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q does not contain %q", msg, s)
				}
			}
		})
	}
}

func TestFileErrorWithoutPath(t *testing.T) {
	_, err := Decode([]byte("[rpc]\nunsafe = 1\n"), DefaultConfig())
	if err == nil || err.Error() != "config: line 2: rpc.unsafe: want a boolean, got integer 1" {
		t.Fatalf("error = %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestLoadOldFileKeepsDefaultsForNewKeys(t *testing.T) {
	// A v0.38.0 file lacks mempool.type, recheck_timeout, the gossip caps,
	// event_bus_buffer_capacity, max_snapshot_chunks and block_time_tolerance.
	path := writeTemp(t, "version = \"0.38.0\"\n[mempool]\nsize = 10\n[consensus]\ntimeout_commit = \"2s\"\n")
	cfg, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	if cfg.Mempool.Type != def.Mempool.Type || cfg.Consensus.BlockTimeTolerance != def.Consensus.BlockTimeTolerance ||
		cfg.StateSync.MaxSnapshotChunks != def.StateSync.MaxSnapshotChunks || cfg.Mempool.Size != 10 {
		t.Errorf("missing keys did not keep their defaults")
	}
	if err := cfg.ValidateBasic(); err != nil {
		t.Error(err)
	}
}

func TestEncodeLayout(t *testing.T) {
	data, err := Encode(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"\nchunk_fetchers = \"4\"\n",
		"\ncors_allowed_methods = [\"HEAD\", \"GET\", \"POST\", ]\n",
		"\ncors_allowed_origins = []\n",
		"\nkeep-invalid-txs-in-cache = false\n",
		"\npsql-conn = \"\"\n",
		"\nrpc_servers = \"\"\n",
		"\ntrust_period = \"168h0m0s\"\n",
		"\nblock_time_tolerance = \"1m0s\"\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Sections appear once each, in CometBFT's order, each under a comment.
	last := -1
	for _, sec := range []string{"rpc", "p2p", "mempool", "statesync", "blocksync", "consensus", "storage", "tx_index", "instrumentation"} {
		i := strings.Index(text, "\n["+sec+"]\n")
		if i < 0 || i < last || strings.Count(text, "\n["+sec+"]\n") != 1 {
			t.Errorf("section [%s] missing, repeated or out of order", sec)
		}
		last = i
	}
	// Every key line is preceded by a comment line.
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if strings.Contains(line, " = ") && !strings.HasPrefix(line, "#") {
			if i == 0 || !strings.HasPrefix(lines[i-1], "# ") {
				t.Errorf("key line %q has no comment above it", line)
			}
		}
	}
}

func TestWriteConfigFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Moniker = "new"
	if err := WriteConfigFile(path, cfg); err != nil {
		t.Fatal(err)
	}
	got, _, err := Load(path)
	if err != nil || got.Moniker != "new" {
		t.Fatalf("moniker %v, err %v", got, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v (err %v), want only config.toml", entries, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, err %v", fi.Mode(), err)
	}
	if err := WriteConfigFile(filepath.Join(dir, "missing", "config.toml"), cfg); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
