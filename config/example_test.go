package config_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ballot-bft/ballot/config"
)

// The order a command applies the sources in: defaults and config.toml
// (LoadFromHome), then the environment, then flags; the last writer wins.
func Example_precedence() {
	home, err := os.MkdirTemp("", "ballot-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(home)
	if err := config.EnsureRoot(home); err != nil { // writes a default config.toml
		fmt.Println(err)
		return
	}
	file := config.DefaultConfig()
	file.Moniker = "from-file"
	file.RPC.ListenAddress = "tcp://127.0.0.1:1111"
	file.P2P.Seeds = "id@seed:26656"
	if err := config.WriteConfigFile(config.ConfigFile(home), file); err != nil {
		fmt.Println(err)
		return
	}

	cfg, unknown, err := config.LoadFromHome(home)
	if err != nil {
		fmt.Println(err)
		return
	}
	environ := []string{"BALLOT_RPC_LADDR=tcp://127.0.0.1:2222", "BALLOT_MONIKER=from-env"}
	if err := config.ApplyEnv(cfg, environ); err != nil {
		fmt.Println(err)
		return
	}
	if err := config.Set(cfg, "moniker", "from-flag"); err != nil { // --moniker from-flag
		fmt.Println(err)
		return
	}
	if err := cfg.ValidateBasic(); err != nil {
		fmt.Println(err)
		return
	}
	rel, _ := filepath.Rel(home, cfg.GenesisFile())
	fmt.Println(cfg.Moniker, cfg.RPC.ListenAddress, cfg.P2P.Seeds, rel, len(unknown))
	// Output: from-flag tcp://127.0.0.1:2222 id@seed:26656 config/genesis.json 0
}
