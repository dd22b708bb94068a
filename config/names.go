package config

// CompatibleCometBFTVersion is the CometBFT release whose config.toml,
// home layout and behaviour ballot claims to reproduce. It is the default of
// the top-level "version" key.
const CompatibleCometBFTVersion = "0.38.26"

// EnvPrefix is the prefix of every environment variable the node reads
// (BALLOT_HOME, BALLOT_RPC_LADDR, ...), without the trailing underscore.
const EnvPrefix = "BALLOT"

// Names of the directories and files of a home directory, relative to it.
const (
	DefaultHomeDirName = ".ballot"
	DefaultConfigDir   = "config"
	DefaultDataDir     = "data"

	DefaultConfigFileName   = "config.toml"
	DefaultGenesisJSONName  = "genesis.json"
	DefaultPrivValKeyName   = "priv_validator_key.json"
	DefaultPrivValStateName = "priv_validator_state.json"
	DefaultNodeKeyName      = "node_key.json"
	DefaultAddrBookName     = "addrbook.json"
)

// Values accepted by enumerated keys.
const (
	LogFormatPlain = "plain"
	LogFormatJSON  = "json"

	ABCISocket = "socket"
	ABCIGRPC   = "grpc"

	MempoolTypeFlood = "flood"
	MempoolTypeNop   = "nop"

	BlockSyncV0 = "v0"

	IndexerKV   = "kv"
	IndexerNull = "null"
	IndexerPsql = "psql"
)

// DBBackends lists the database backend names db_backend accepts (the names
// cometbft-db knows). Whether a backend is compiled into the binary is
// checked when the database is opened, not here.
func DBBackends() []string {
	return []string{"goleveldb", "cleveldb", "boltdb", "rocksdb", "badgerdb", "pebbledb", "memdb"}
}
