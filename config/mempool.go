package config

import "time"

// MempoolConfig is the [mempool] section.
type MempoolConfig struct {
	// RootDir is the home directory (set by SetRoot, not a key).
	RootDir string `toml:"-"`

	// Type is MempoolTypeFlood or MempoolTypeNop; "" is read as flood.
	Type string `toml:"type"`
	// Recheck re-runs CheckTx on the remaining txs after each block.
	Recheck bool `toml:"recheck"`
	// RecheckTimeout bounds the wait for recheck responses.
	RecheckTimeout time.Duration `toml:"recheck_timeout"`
	// Broadcast gossips txs to peers.
	Broadcast bool `toml:"broadcast"`
	// WalPath is the mempool WAL directory; empty disables the WAL.
	WalPath string `toml:"wal_dir"`
	// Size caps the number of txs.
	Size int `toml:"size"`
	// MaxTxsBytes caps the total raw bytes of all txs.
	MaxTxsBytes int64 `toml:"max_txs_bytes"`
	// CacheSize is the number of entries of the seen-tx cache; 0 disables it.
	CacheSize int `toml:"cache_size"`
	// KeepInvalidTxsInCache keeps txs that failed CheckTx in the cache.
	KeepInvalidTxsInCache bool `toml:"keep-invalid-txs-in-cache"`
	// MaxTxBytes caps the size of one tx.
	MaxTxBytes int `toml:"max_tx_bytes"`
	// MaxBatchBytes is accepted for compatibility and unused.
	MaxBatchBytes int `toml:"max_batch_bytes"`
	// ExperimentalMaxGossipConnectionsToPersistentPeers caps the persistent
	// peers txs are gossiped to; 0 is no cap.
	ExperimentalMaxGossipConnectionsToPersistentPeers int `toml:"experimental_max_gossip_connections_to_persistent_peers"`
	// ExperimentalMaxGossipConnectionsToNonPersistentPeers caps the other
	// peers txs are gossiped to; 0 is no cap.
	ExperimentalMaxGossipConnectionsToNonPersistentPeers int `toml:"experimental_max_gossip_connections_to_non_persistent_peers"`
}

// DefaultMempoolConfig returns the default [mempool] section.
func DefaultMempoolConfig() *MempoolConfig {
	return &MempoolConfig{
		Type:           MempoolTypeFlood,
		Recheck:        true,
		RecheckTimeout: time.Second,
		Broadcast:      true,
		Size:           5000,
		MaxTxsBytes:    1 << 30,
		CacheSize:      10000,
		MaxTxBytes:     1 << 20,
	}
}

// TestMempoolConfig returns a [mempool] section for tests (smaller cache).
func TestMempoolConfig() *MempoolConfig {
	mempool := DefaultMempoolConfig()
	mempool.CacheSize = 1000
	return mempool
}

// WalDir returns the mempool WAL directory.
func (mempool *MempoolConfig) WalDir() string { return rootify(mempool.WalPath, mempool.RootDir) }

// WalEnabled reports whether the mempool WAL is configured.
func (mempool *MempoolConfig) WalEnabled() bool { return mempool.WalPath != "" }

// ValidateBasic checks the [mempool] keys; see (*Config).ValidateBasic.
func (mempool *MempoolConfig) ValidateBasic() error {
	c := checker{section: "mempool"}
	if mempool.Type != "" {
		c.oneOf("type", mempool.Type, MempoolTypeFlood, MempoolTypeNop)
	}
	nonNegative(&c, "recheck_timeout", mempool.RecheckTimeout)
	nonNegative(&c, "size", mempool.Size)
	nonNegative(&c, "max_txs_bytes", mempool.MaxTxsBytes)
	nonNegative(&c, "cache_size", mempool.CacheSize)
	nonNegative(&c, "max_tx_bytes", mempool.MaxTxBytes)
	nonNegative(&c, "max_batch_bytes", mempool.MaxBatchBytes)
	nonNegative(&c, "experimental_max_gossip_connections_to_persistent_peers",
		mempool.ExperimentalMaxGossipConnectionsToPersistentPeers)
	nonNegative(&c, "experimental_max_gossip_connections_to_non_persistent_peers",
		mempool.ExperimentalMaxGossipConnectionsToNonPersistentPeers)
	return c.err()
}
