package config

import (
	"os"
	"path/filepath"
)

// Config is the whole node configuration: the top-level keys of config.toml
// (BaseConfig, embedded) and one pointer per [section]. DefaultConfig,
// TestConfig and the loaders return a Config with every section non-nil;
// the functions of this package report an error for a nil section.
type Config struct {
	BaseConfig `toml:""`

	RPC             *RPCConfig             `toml:"rpc"`
	P2P             *P2PConfig             `toml:"p2p"`
	Mempool         *MempoolConfig         `toml:"mempool"`
	StateSync       *StateSyncConfig       `toml:"statesync"`
	BlockSync       *BlockSyncConfig       `toml:"blocksync"`
	Consensus       *ConsensusConfig       `toml:"consensus"`
	Storage         *StorageConfig         `toml:"storage"`
	TxIndex         *TxIndexConfig         `toml:"tx_index"`
	Instrumentation *InstrumentationConfig `toml:"instrumentation"`
}

// DefaultConfig returns a new Config holding the defaults CometBFT v0.38.26
// writes into a fresh config.toml. Its moniker is the OS hostname and its
// root directory is empty (paths resolve against the working directory until
// SetRoot is called).
func DefaultConfig() *Config {
	return &Config{
		BaseConfig:      DefaultBaseConfig(),
		RPC:             DefaultRPCConfig(),
		P2P:             DefaultP2PConfig(),
		Mempool:         DefaultMempoolConfig(),
		StateSync:       DefaultStateSyncConfig(),
		BlockSync:       DefaultBlockSyncConfig(),
		Consensus:       DefaultConsensusConfig(),
		Storage:         DefaultStorageConfig(),
		TxIndex:         DefaultTxIndexConfig(),
		Instrumentation: DefaultInstrumentationConfig(),
	}
}

// TestConfig returns a new Config for tests: consensus timeouts of a few
// milliseconds, RPC and P2P on 127.0.0.1 with port 0 (the OS picks a free
// port), the in-memory database, and the built-in kvstore application. It
// passes ValidateBasic.
func TestConfig() *Config {
	return &Config{
		BaseConfig:      TestBaseConfig(),
		RPC:             TestRPCConfig(),
		P2P:             TestP2PConfig(),
		Mempool:         TestMempoolConfig(),
		StateSync:       DefaultStateSyncConfig(),
		BlockSync:       DefaultBlockSyncConfig(),
		Consensus:       TestConsensusConfig(),
		Storage:         DefaultStorageConfig(),
		TxIndex:         DefaultTxIndexConfig(),
		Instrumentation: DefaultInstrumentationConfig(),
	}
}

// SetRoot sets the home directory against which every relative path of cfg
// resolves, in the base config and in each section that holds paths (nil
// sections are skipped). It returns cfg.
func (cfg *Config) SetRoot(home string) *Config {
	cfg.RootDir = home
	if cfg.RPC != nil {
		cfg.RPC.RootDir = home
	}
	if cfg.P2P != nil {
		cfg.P2P.RootDir = home
	}
	if cfg.Mempool != nil {
		cfg.Mempool.RootDir = home
	}
	if cfg.Consensus != nil {
		cfg.Consensus.RootDir = home
	}
	return cfg
}

// defaultMoniker is the OS hostname, or "anonymous" when the OS has none.
func defaultMoniker() string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		return "anonymous"
	}
	return name
}

// rootify resolves path against root unless it is absolute.
func rootify(path, root string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}
