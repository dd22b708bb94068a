// Package config holds the node configuration of ballot: the Go form of
// config.toml, its defaults, its validation, and the ways an operator sets it.
//
// The configuration is plain data. Nothing in this package keeps global
// mutable state: callers build a *Config with DefaultConfig or TestConfig,
// overlay the sources they want, validate it once, and pass the pieces on.
// A *Config is not safe for concurrent mutation; share it read-only once the
// node starts.
//
// # Compatibility
//
// The file layout, key names, types and defaults mirror config.toml as
// written by CometBFT v0.38.26 (CompatibleCometBFTVersion), so an existing
// CometBFT home directory can be used as is. Two keys are kebab-case
// (mempool.keep-invalid-txs-in-cache, tx_index.psql-conn); statesync
// chunk_fetchers is written as a quoted string but read from either a string
// or an integer; statesync.rpc_servers is a comma-separated string in the
// file and a []string in Go. Durations are Go duration strings ("1m0s").
//
// # Sources and precedence
//
// A value comes from, in increasing order of precedence:
//
//  1. the built-in default (DefaultConfig),
//  2. config.toml (Load, LoadFromHome, Decode),
//  3. the environment (ApplyEnv): BALLOT_<SECTION>_<KEY>, upper-cased, with
//     "." and "-" replaced by "_" (BALLOT_RPC_LADDR, BALLOT_MONIKER),
//  4. command-line flags, which the CLI applies with Set using the dotted key
//     as the flag name (--rpc.laddr, --consensus.create_empty_blocks).
//
// The caller applies them in that order; later sources overwrite earlier
// ones. Then it calls (*Config).ValidateBasic.
//
// # Keys
//
// Every key is described by one table built from the struct tags of the
// section types: `toml:"name"` gives the key, with the options ",quoted"
// (an integer written as a quoted string) and ",commalist" (a []string
// written as one comma-separated string). Keys, Fields, Get, Set, EnvName and
// ApplyEnv, the encoder and the decoder all use that table, so a new field
// with a toml tag is readable, writable and overridable without further code.
// The tags are interpreted by this package only, not by a TOML library.
//
// Unknown keys in config.toml are ignored, as CometBFT does, but reported to
// the caller so that it can warn. The p2p test keys CometBFT accepts without
// writing them (test_dial_fail, test_fuzz, test_fuzz_config) are ignored
// without being reported.
package config
