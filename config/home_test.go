package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDefaultHome(t *testing.T) {
	t.Setenv("HOME", "/home/alice")
	t.Setenv(HomeEnv, "")
	if got := DefaultHome(); got != "/home/alice/.ballot" {
		t.Errorf("DefaultHome() = %q without BALLOT_HOME", got)
	}
	t.Setenv(HomeEnv, "/srv/node")
	if got := DefaultHome(); got != "/srv/node" {
		t.Errorf("DefaultHome() = %q with BALLOT_HOME", got)
	}
}

func TestEnsureRoot(t *testing.T) {
	home := filepath.Join(t.TempDir(), "node")
	if err := EnsureRoot(home); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{home, filepath.Join(home, "config"), filepath.Join(home, "data")} {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, err %v; want a 0700 directory", dir, fi.Mode(), err)
		}
	}
	cfg, unknown, err := LoadFromHome(home)
	if err != nil || len(unknown) != 0 {
		t.Fatalf("err %v unknown %v", err, unknown)
	}
	want := DefaultConfig().SetRoot(home)
	if d := diffConfigs(t, cfg, want); len(d) != 0 || cfg.RootDir != home || cfg.Consensus.RootDir != home {
		t.Errorf("written config is not the default rooted at home: %v", d)
	}

	// An existing config.toml is left alone.
	edited := DefaultConfig()
	edited.Moniker = "kept"
	if err := WriteConfigFile(ConfigFile(home), edited); err != nil {
		t.Fatal(err)
	}
	if err := EnsureRoot(home); err != nil {
		t.Fatal(err)
	}
	cfg, _, err = LoadFromHome(home)
	if err != nil || cfg.Moniker != "kept" {
		t.Errorf("EnsureRoot overwrote config.toml (moniker %q, err %v)", cfg.Moniker, err)
	}
}

func TestLoadFromHomeWithoutFile(t *testing.T) {
	home := t.TempDir()
	cfg, unknown, err := LoadFromHome(home)
	if err != nil || unknown != nil {
		t.Fatalf("err %v unknown %v", err, unknown)
	}
	if cfg.RootDir != home || cfg.Consensus.TimeoutCommit != time.Second {
		t.Errorf("not the rooted defaults: root %q", cfg.RootDir)
	}
	if err := os.MkdirAll(filepath.Join(home, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ConfigFile(home), []byte("moniker = ["), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadFromHome(home); err == nil {
		t.Error("malformed file accepted")
	}
}

func TestPaths(t *testing.T) {
	cfg := DefaultConfig().SetRoot("/h")
	for got, want := range map[string]string{
		cfg.GenesisFile():            "/h/config/genesis.json",
		cfg.PrivValidatorKeyFile():   "/h/config/priv_validator_key.json",
		cfg.PrivValidatorStateFile(): "/h/data/priv_validator_state.json",
		cfg.NodeKeyFile():            "/h/config/node_key.json",
		cfg.DBDir():                  "/h/data",
		cfg.Consensus.WalFile():      "/h/data/cs.wal/wal",
		cfg.P2P.AddrBookFile():       "/h/config/addrbook.json",
		ConfigFile("/h"):             "/h/config/config.toml",
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
	cfg.Genesis = "/abs/genesis.json"
	cfg.RPC.TLSCertFile = "cert.pem"
	cfg.RPC.TLSKeyFile = "/etc/key.pem"
	cfg.Mempool.WalPath = "data/mempool.wal"
	if cfg.GenesisFile() != "/abs/genesis.json" || cfg.RPC.CertFile() != "/h/config/cert.pem" ||
		cfg.RPC.KeyFile() != "/etc/key.pem" || cfg.Mempool.WalDir() != "/h/data/mempool.wal" ||
		!cfg.RPC.IsTLSEnabled() || !cfg.Mempool.WalEnabled() {
		t.Error("absolute paths, TLS paths or mempool WAL resolved wrongly")
	}
}

func TestConsensusTimeoutsPerRound(t *testing.T) {
	cs := DefaultConsensusConfig()
	if cs.Propose(0) != 3*time.Second || cs.Propose(2) != 4*time.Second ||
		cs.Prevote(3) != 2500*time.Millisecond || cs.Precommit(1) != 1500*time.Millisecond {
		t.Error("round timeouts are not linear in the round")
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !cs.Commit(t0).Equal(t0.Add(time.Second)) {
		t.Error("Commit time")
	}
	if cs.WaitForTxs() {
		t.Error("defaults wait for txs")
	}
	cs.CreateEmptyBlocksInterval = time.Second
	if !cs.WaitForTxs() {
		t.Error("an empty-blocks interval must wait for txs")
	}
}
