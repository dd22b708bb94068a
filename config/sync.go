package config

import (
	"encoding/hex"
	"time"
)

// StateSyncConfig is the [statesync] section: bootstrapping from an
// application snapshot instead of replaying blocks.
type StateSyncConfig struct {
	// Enable turns state sync on; it then needs RPCServers, TrustHeight,
	// TrustHash and TrustPeriod.
	Enable bool `toml:"enable"`
	// RPCServers lists at least two light-client RPC servers. In
	// config.toml it is one comma-separated string.
	RPCServers []string `toml:"rpc_servers,commalist"`
	// TrustHeight is the height of the trusted header.
	TrustHeight int64 `toml:"trust_height"`
	// TrustHash is the hex hash of the trusted header.
	TrustHash string `toml:"trust_hash"`
	// TrustPeriod is the light-client trusting period.
	TrustPeriod time.Duration `toml:"trust_period"`
	// DiscoveryTime is how long to look for snapshots; 0 or at least 5s.
	DiscoveryTime time.Duration `toml:"discovery_time"`
	// TempDir holds snapshot chunks; empty means the OS temp directory.
	TempDir string `toml:"temp_dir"`
	// ChunkRequestTimeout bounds one chunk request; at least 5s.
	ChunkRequestTimeout time.Duration `toml:"chunk_request_timeout"`
	// ChunkFetchers is the number of concurrent chunk fetchers (> 0).
	// config.toml writes it as a quoted string.
	ChunkFetchers int32 `toml:"chunk_fetchers,quoted"`
	// MaxSnapshotChunks caps the chunks of an accepted snapshot (> 0).
	MaxSnapshotChunks uint32 `toml:"max_snapshot_chunks"`
}

// DefaultStateSyncConfig returns the default [statesync] section (disabled).
func DefaultStateSyncConfig() *StateSyncConfig {
	return &StateSyncConfig{
		RPCServers:          []string{},
		TrustPeriod:         168 * time.Hour,
		DiscoveryTime:       15 * time.Second,
		ChunkRequestTimeout: 10 * time.Second,
		ChunkFetchers:       4,
		MaxSnapshotChunks:   100000,
	}
}

// TrustHashBytes returns the decoded TrustHash. It must only be called on
// a section that passed ValidateBasic with Enable set; otherwise a malformed
// hash yields nil.
func (ss *StateSyncConfig) TrustHashBytes() []byte {
	b, err := hex.DecodeString(ss.TrustHash)
	if err != nil {
		return nil
	}
	return b
}

// ValidateBasic checks the [statesync] keys. As in CometBFT, the rules only
// apply when state sync is enabled; see (*Config).ValidateBasic.
func (ss *StateSyncConfig) ValidateBasic() error {
	c := checker{section: "statesync"}
	if !ss.Enable {
		return nil
	}
	if len(ss.RPCServers) < 2 {
		c.fail("rpc_servers", joinList(ss.RPCServers), "needs at least two servers when state sync is enabled")
	}
	for _, server := range ss.RPCServers {
		if server == "" {
			c.fail("rpc_servers", joinList(ss.RPCServers), "has an empty entry")
			break
		}
	}
	if ss.TrustHeight <= 0 {
		c.fail("trust_height", ss.TrustHeight, "must be positive when state sync is enabled")
	}
	if ss.TrustHash == "" {
		c.fail("trust_hash", ss.TrustHash, "is required when state sync is enabled")
	} else if _, err := hex.DecodeString(ss.TrustHash); err != nil {
		c.fail("trust_hash", ss.TrustHash, "is not hex")
	}
	if ss.TrustPeriod <= 0 {
		c.fail("trust_period", ss.TrustPeriod, "must be positive when state sync is enabled")
	}
	if ss.DiscoveryTime != 0 && ss.DiscoveryTime < 5*time.Second {
		c.fail("discovery_time", ss.DiscoveryTime, "must be 0 or at least 5s")
	}
	if ss.ChunkRequestTimeout < 5*time.Second {
		c.fail("chunk_request_timeout", ss.ChunkRequestTimeout, "must be at least 5s")
	}
	atLeast(&c, "chunk_fetchers", ss.ChunkFetchers, 1, "must be positive")
	if ss.MaxSnapshotChunks == 0 {
		c.fail("max_snapshot_chunks", ss.MaxSnapshotChunks, "must be positive")
	}
	return c.err()
}

// BlockSyncConfig is the [blocksync] section.
type BlockSyncConfig struct {
	// Version is the block sync protocol; only BlockSyncV0 exists.
	Version string `toml:"version"`
}

// DefaultBlockSyncConfig returns the default [blocksync] section.
func DefaultBlockSyncConfig() *BlockSyncConfig {
	return &BlockSyncConfig{Version: BlockSyncV0}
}

// ValidateBasic checks the [blocksync] keys; see (*Config).ValidateBasic.
func (bs *BlockSyncConfig) ValidateBasic() error {
	c := checker{section: "blocksync"}
	switch bs.Version {
	case BlockSyncV0:
	case "v1", "v2":
		c.fail("version", bs.Version, `is deprecated, use "v0"`)
	default:
		c.fail("version", bs.Version, `is unknown, use "v0"`)
	}
	return c.err()
}
