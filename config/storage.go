package config

// StorageConfig is the [storage] section.
type StorageConfig struct {
	// DiscardABCIResponses drops stored FinalizeBlock responses, which
	// disables /block_results and reindex-event.
	DiscardABCIResponses bool `toml:"discard_abci_responses"`
}

// DefaultStorageConfig returns the default [storage] section.
func DefaultStorageConfig() *StorageConfig { return &StorageConfig{} }

// TxIndexConfig is the [tx_index] section.
type TxIndexConfig struct {
	// Indexer is IndexerKV, IndexerNull or IndexerPsql.
	Indexer string `toml:"indexer"`
	// PsqlConn is the PostgreSQL connection string, required by IndexerPsql.
	PsqlConn string `toml:"psql-conn"`
}

// DefaultTxIndexConfig returns the default [tx_index] section.
func DefaultTxIndexConfig() *TxIndexConfig { return &TxIndexConfig{Indexer: IndexerKV} }

// ValidateBasic checks the [tx_index] keys; see (*Config).ValidateBasic.
func (ti *TxIndexConfig) ValidateBasic() error {
	c := checker{section: "tx_index"}
	c.oneOf("indexer", ti.Indexer, IndexerKV, IndexerNull, IndexerPsql)
	if ti.Indexer == IndexerPsql && ti.PsqlConn == "" {
		c.fail("psql-conn", ti.PsqlConn, `is required when tx_index.indexer is "psql"`)
	}
	return c.err()
}

// InstrumentationConfig is the [instrumentation] section: Prometheus metrics.
type InstrumentationConfig struct {
	// Prometheus serves /metrics on PrometheusListenAddr.
	Prometheus bool `toml:"prometheus"`
	// PrometheusListenAddr is the metrics listen address.
	PrometheusListenAddr string `toml:"prometheus_listen_addr"`
	// MaxOpenConnections caps metrics connections; 0 is unlimited.
	MaxOpenConnections int `toml:"max_open_connections"`
	// Namespace prefixes every metric name.
	Namespace string `toml:"namespace"`
}

// DefaultInstrumentationConfig returns the default [instrumentation] section.
func DefaultInstrumentationConfig() *InstrumentationConfig {
	return &InstrumentationConfig{
		PrometheusListenAddr: ":26660",
		MaxOpenConnections:   3,
		Namespace:            "cometbft",
	}
}

// ValidateBasic checks the [instrumentation] keys; see (*Config).ValidateBasic.
func (in *InstrumentationConfig) ValidateBasic() error {
	c := checker{section: "instrumentation"}
	nonNegative(&c, "max_open_connections", in.MaxOpenConnections)
	return c.err()
}
