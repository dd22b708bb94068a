package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI with args and environ, returning stdout and the error.
func run(t *testing.T, environ []string, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := newRootCmd(&stdout, &stderr, environ)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return stdout.String(), err
}

func mustRun(t *testing.T, environ []string, args ...string) string {
	t.Helper()
	out, err := run(t, environ, args...)
	if err != nil {
		t.Fatalf("ballot %s: %v\noutput:\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestVersion(t *testing.T) {
	out := mustRun(t, nil, "version")
	if strings.TrimSpace(out) == "" {
		t.Fatal("version printed nothing")
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, nil, "version", "-v")), &info); err != nil {
		t.Fatal(err)
	}
	if info["cometbft"] != "0.38.26" || info["abci"] != "2.0.0" || info["block_protocol"] != float64(11) || info["p2p_protocol"] != float64(8) {
		t.Fatalf("unexpected verbose version %v", info)
	}
}

// Files written by `cometbft init` (v0.38.26, in testdata/cometbft-home) load in ballot and give the
// node ID and validator key that cometbft itself printed for them.
func TestCometBFTInitFilesLoad(t *testing.T) {
	home := t.TempDir()
	copyTree(t, "testdata/cometbft-home", home)
	for cmd, golden := range map[string]string{"show-node-id": "show-node-id.golden", "show-validator": "show-validator.golden"} {
		want, err := os.ReadFile(filepath.Join("testdata/cometbft-home", golden))
		if err != nil {
			t.Fatal(err)
		}
		if got := mustRun(t, nil, cmd, "--home", home); got != string(want) {
			t.Errorf("%s = %q, want %q (what cometbft printed)", cmd, got, want)
		}
	}
	// init finds and validates every existing file instead of replacing it.
	out := mustRun(t, nil, "init", "--home", home)
	for _, line := range []string{"Found private validator", "Found node key", "Found genesis file"} {
		if !strings.Contains(out, line) {
			t.Errorf("init output lacks %q:\n%s", line, out)
		}
	}
	genesis, _ := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	orig, _ := os.ReadFile("testdata/cometbft-home/config/genesis.json")
	if !bytes.Equal(genesis, orig) {
		t.Error("init rewrote an existing genesis.json")
	}
}

func TestInitWritesCometBFTLayout(t *testing.T) {
	home := t.TempDir()
	out := mustRun(t, nil, "init", "--home", home)
	for _, line := range []string{"Generated private validator", "Generated node key", "Generated genesis file"} {
		if !strings.Contains(out, line) {
			t.Errorf("init output lacks %q:\n%s", line, out)
		}
	}
	for path, mode := range map[string]os.FileMode{
		"config/config.toml":             0o600,
		"config/genesis.json":            0o644,
		"config/node_key.json":           0o600,
		"config/priv_validator_key.json": 0o600,
		"data/priv_validator_state.json": 0o600,
	} {
		info, err := os.Stat(filepath.Join(home, path))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if path != "config/config.toml" && info.Mode().Perm() != mode {
			t.Errorf("%s has mode %o, want %o", path, info.Mode().Perm(), mode)
		}
	}
	var genesis struct {
		ChainID    string `json:"chain_id"`
		Validators []struct {
			Address string `json:"address"`
			Power   string `json:"power"`
			PubKey  struct {
				Type  string `json:"type"`
				Value string `json:"value"`
			} `json:"pub_key"`
		} `json:"validators"`
		InitialHeight string `json:"initial_height"`
	}
	b, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &genesis); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(genesis.ChainID, "test-chain-") || len(genesis.ChainID) != len("test-chain-")+6 {
		t.Errorf("chain id %q, want test-chain-XXXXXX", genesis.ChainID)
	}
	if len(genesis.Validators) != 1 || genesis.Validators[0].Power != "10" || genesis.Validators[0].PubKey.Type != "tendermint/PubKeyEd25519" {
		t.Fatalf("unexpected validators %+v", genesis.Validators)
	}
	validator := mustRun(t, nil, "show-validator", "--home", home)
	if !strings.Contains(validator, genesis.Validators[0].PubKey.Value) {
		t.Errorf("show-validator %s does not match the genesis validator %s", validator, genesis.Validators[0].PubKey.Value)
	}
	id := strings.TrimSpace(mustRun(t, nil, "show-node-id", "--home", home))
	if len(id) != 40 || strings.ToLower(id) != id {
		t.Errorf("node ID %q is not 40 lowercase hex characters", id)
	}
}

func TestHomeFromEnvironment(t *testing.T) {
	home := filepath.Join(t.TempDir(), "viaenv")
	mustRun(t, []string{"BALLOT_HOME=" + home}, "init")
	if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err != nil {
		t.Fatalf("BALLOT_HOME was not used: %v", err)
	}
	// --home wins over BALLOT_HOME.
	other := filepath.Join(t.TempDir(), "viaflag")
	mustRun(t, []string{"BALLOT_HOME=" + home}, "init", "--home", other)
	if _, err := os.Stat(filepath.Join(other, "config", "genesis.json")); err != nil {
		t.Fatalf("--home was not used: %v", err)
	}
}

func TestBadEnvironmentOverrideIsOneClearError(t *testing.T) {
	_, err := run(t, []string{"BALLOT_CONSENSUS_TIMEOUT_COMMIT=soon"}, "show-node-id", "--home", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "BALLOT_CONSENSUS_TIMEOUT_COMMIT") {
		t.Fatalf("error = %v, want it to name BALLOT_CONSENSUS_TIMEOUT_COMMIT", err)
	}
}

func TestGenValidatorPrintsKeyAndEmptyState(t *testing.T) {
	out := mustRun(t, nil, "gen-validator", "--home", t.TempDir())
	var doc struct {
		Key struct {
			Address string          `json:"address"`
			PubKey  json.RawMessage `json:"pub_key"`
			PrivKey json.RawMessage `json:"priv_key"`
		} `json:"Key"`
		LastSignState map[string]any `json:"LastSignState"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(doc.Key.Address) != 40 || doc.Key.PubKey == nil || doc.Key.PrivKey == nil {
		t.Fatalf("incomplete key %s", out)
	}
	if doc.LastSignState["height"] != "0" || doc.LastSignState["round"] != float64(0) || doc.LastSignState["step"] != float64(0) {
		t.Fatalf("unexpected LastSignState %v", doc.LastSignState)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("gen-validator should print one line:\n%s", out)
	}
}

func TestGenNodeKeyRefusesToOverwrite(t *testing.T) {
	home := t.TempDir()
	id := strings.TrimSpace(mustRun(t, nil, "gen-node-key", "--home", home))
	if got := strings.TrimSpace(mustRun(t, nil, "show-node-id", "--home", home)); got != id {
		t.Fatalf("show-node-id %s, gen-node-key printed %s", got, id)
	}
	_, err := run(t, nil, "gen-node-key", "--home", home)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second gen-node-key: %v, want 'already exists'", err)
	}
}

func TestBadFilesGiveOneLineErrors(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		content string
		cmd     string
		wantErr []string
	}{
		{"truncated genesis", "config/genesis.json", `{"genesis_time":"2024-01-01T00:00:00Z","chain_id":"x","valid`, "init", []string{"genesis.json"}},
		{"bad chain id", "config/genesis.json", `{"genesis_time":"2024-01-01T00:00:00Z","chain_id":""}`, "init", []string{"genesis.json", "chain_id"}},
		{"long chain id", "config/genesis.json", `{"genesis_time":"2024-01-01T00:00:00Z","chain_id":"` + strings.Repeat("c", 51) + `"}`, "init", []string{"genesis.json", "chain_id"}},
		{"wrong validator key type", "config/priv_validator_key.json", `{"address":"7D9B1EC512F97B772D1B625448CFEC3ACCF14890","pub_key":{"type":"tendermint/PubKeySr25519","value":"JEa/zOr5ysvDJWJov8eRHurTKaeHuhi04jnJ6cUNBik="},"priv_key":{"type":"tendermint/PrivKeySr25519","value":"vHuBseEYnQ6E7cyuUfSM3AYwL4iQvZN+O2WsGzKeZZQkRr/M6vnKy8MlYmi/x5Ee6tMpp4e6GLTiOcnpxQ0GKQ=="}}`, "show-validator", []string{"priv_validator_key.json", "Sr25519"}},
		{"truncated node key", "config/node_key.json", `{"priv_key":{"type":"tendermint/PrivKeyEd25519","val`, "show-node-id", []string{"node_key.json"}},
		{"truncated config", "config/config.toml", "proxy_app = \"tcp://127.0.0.1:26658\"\n[rpc\nladdr = 1", "show-node-id", []string{"config.toml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			copyTree(t, "testdata/cometbft-home", home)
			if err := os.WriteFile(filepath.Join(home, tc.file), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := run(t, nil, tc.cmd, "--home", home)
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines:\n%s", msg)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
		})
	}
}
