package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must never panic, and a
// successful decode must survive Encode → Decode: after one round the
// config is a fixed point (the first round may normalise comma lists).
//
// Run it with a short minimisation budget, e.g.
//
//	go test ./config -run '^$' -fuzz FuzzDecode -fuzztime 30s -fuzzminimizetime 2s
//
// With the default 60 s budget the worker spends long stretches minimising
// the large seed files and the progress line looks stalled.
func FuzzDecode(f *testing.F) {
	def, err := Encode(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(def)
	fixture, err := os.ReadFile(filepath.Join("testdata", "cometbft-v0.38.26-default.toml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	for _, s := range []string{
		"",
		"moniker = \"a\\u0000b\"\n",
		"[rpc]\ncors_allowed_methods = [\"HEAD\", ]\n",
		"[statesync]\nchunk_fetchers = \"4\"\nrpc_servers = [\" a,b\", \"\"]\n",
		"rpc = 5\n",
		"p2p = { pex = false, test_fuzz_config = { a = 1 } }\n",
		"[consensus]\ntimeout_commit = \"1.5h\"\n",
		"[[rpc]]\nladdr = 1\n",
		"a.b.c = 1\n[x.y]\nz = [[1], {q = 2}]\n",
		"moniker = '''\nraw\n'''\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := DefaultConfig()
		if _, err := Decode(data, cfg); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		once := roundTrip(t, cfg)
		twice := roundTrip(t, once)
		if !reflect.DeepEqual(once, twice) {
			t.Fatalf("not a fixed point after one round:\n%v", diffConfigs(t, once, twice))
		}
	})
}

func roundTrip(t *testing.T, cfg *Config) *Config {
	t.Helper()
	data, err := Encode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := DefaultConfig()
	unknown, err := Decode(data, out)
	if err != nil {
		t.Fatalf("our own output does not decode: %v\n%s", err, data)
	}
	if len(unknown) != 0 {
		t.Fatalf("our own output has unknown keys %v", unknown)
	}
	return out
}
