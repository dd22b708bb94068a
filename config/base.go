package config

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// BaseConfig holds the top-level keys of config.toml.
type BaseConfig struct {
	// RootDir is the home directory; relative paths resolve against it. It
	// is not a config.toml key: SetRoot and LoadFromHome set it.
	RootDir string `toml:"-"`

	// Version is the CometBFT version that wrote the file; empty or semver.
	Version string `toml:"version"`
	// ProxyApp is the ABCI application address or a built-in app name.
	ProxyApp string `toml:"proxy_app"`
	// Moniker is the human-readable node name.
	Moniker string `toml:"moniker"`
	// DBBackend is the database backend name, one of DBBackends().
	DBBackend string `toml:"db_backend"`
	// DBPath is the database directory (see DBDir).
	DBPath string `toml:"db_dir"`
	// LogLevel is "level" or "module:level,*:level".
	LogLevel string `toml:"log_level"`
	// LogFormat is LogFormatPlain or LogFormatJSON.
	LogFormat string `toml:"log_format"`
	// Genesis is the genesis.json path (see GenesisFile).
	Genesis string `toml:"genesis_file"`
	// PrivValidatorKey is the validator key file path (see PrivValidatorKeyFile).
	PrivValidatorKey string `toml:"priv_validator_key_file"`
	// PrivValidatorState is the last-sign state path (see PrivValidatorStateFile).
	PrivValidatorState string `toml:"priv_validator_state_file"`
	// PrivValidatorListenAddr, when set, is where the node listens for an
	// external signer (tcp:// or unix://) instead of using the key files.
	PrivValidatorListenAddr string `toml:"priv_validator_laddr"`
	// NodeKey is the p2p identity key path (see NodeKeyFile).
	NodeKey string `toml:"node_key_file"`
	// ABCI is the transport to the application: ABCISocket or ABCIGRPC.
	ABCI string `toml:"abci"`
	// FilterPeers makes the node ask the application (ABCI Query
	// /p2p/filter/...) before keeping a new peer.
	FilterPeers bool `toml:"filter_peers"`
	// EventBusBufferCapacity is the event bus buffer size; 0 is unbuffered.
	EventBusBufferCapacity int `toml:"event_bus_buffer_capacity"`
}

// DefaultBaseConfig returns the default top-level keys.
func DefaultBaseConfig() BaseConfig {
	return BaseConfig{
		Version:            CompatibleCometBFTVersion,
		ProxyApp:           "tcp://127.0.0.1:26658",
		Moniker:            defaultMoniker(),
		DBBackend:          "goleveldb",
		DBPath:             DefaultDataDir,
		LogLevel:           "info",
		LogFormat:          LogFormatPlain,
		Genesis:            filepath.Join(DefaultConfigDir, DefaultGenesisJSONName),
		PrivValidatorKey:   filepath.Join(DefaultConfigDir, DefaultPrivValKeyName),
		PrivValidatorState: filepath.Join(DefaultDataDir, DefaultPrivValStateName),
		NodeKey:            filepath.Join(DefaultConfigDir, DefaultNodeKeyName),
		ABCI:               ABCISocket,
	}
}

// TestBaseConfig returns top-level keys for tests: the built-in kvstore
// application and the in-memory database.
func TestBaseConfig() BaseConfig {
	base := DefaultBaseConfig()
	base.ProxyApp = "kvstore"
	base.DBBackend = "memdb"
	return base
}

// GenesisFile returns the absolute or home-relative path of genesis.json.
func (base BaseConfig) GenesisFile() string { return rootify(base.Genesis, base.RootDir) }

// PrivValidatorKeyFile returns the path of priv_validator_key.json.
func (base BaseConfig) PrivValidatorKeyFile() string {
	return rootify(base.PrivValidatorKey, base.RootDir)
}

// PrivValidatorStateFile returns the path of priv_validator_state.json.
func (base BaseConfig) PrivValidatorStateFile() string {
	return rootify(base.PrivValidatorState, base.RootDir)
}

// NodeKeyFile returns the path of node_key.json.
func (base BaseConfig) NodeKeyFile() string { return rootify(base.NodeKey, base.RootDir) }

// DBDir returns the database directory.
func (base BaseConfig) DBDir() string { return rootify(base.DBPath, base.RootDir) }

// semverPattern is the regular expression of semver.org for a version
// without a leading "v".
var semverPattern = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// ValidateBasic checks the top-level keys; see (*Config).ValidateBasic.
func (base BaseConfig) ValidateBasic() error {
	var c checker
	if base.Version != "" && !semverPattern.MatchString(base.Version) {
		c.fail("version", base.Version, "is not a semantic version")
	}
	if !slices.Contains(DBBackends(), base.DBBackend) {
		c.fail("db_backend", base.DBBackend, "must be one of "+strings.Join(DBBackends(), ", "))
	}
	c.oneOf("log_format", base.LogFormat, LogFormatPlain, LogFormatJSON)
	c.oneOf("abci", base.ABCI, ABCISocket, ABCIGRPC)
	if addr := base.PrivValidatorListenAddr; addr != "" &&
		!strings.HasPrefix(addr, "tcp://") && !strings.HasPrefix(addr, "unix://") {
		c.fail("priv_validator_laddr", addr, "must start with tcp:// or unix://")
	}
	nonNegative(&c, "event_bus_buffer_capacity", base.EventBusBufferCapacity)
	return c.err()
}
