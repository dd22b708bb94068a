package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateBasicNamesKeyAndValue(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(*Config)
		key     string
		value   string // as it must appear in the message
		message string // exact message, when given
	}{
		{"negative propose", func(c *Config) { c.Consensus.TimeoutPropose = -time.Second },
			"consensus.timeout_propose", "-1s", "config: consensus.timeout_propose can't be negative (got -1s)"},
		{"negative propose delta", func(c *Config) { c.Consensus.TimeoutProposeDelta = -1 }, "consensus.timeout_propose_delta", "-1ns", ""},
		{"negative prevote", func(c *Config) { c.Consensus.TimeoutPrevote = -time.Millisecond }, "consensus.timeout_prevote", "-1ms", ""},
		{"negative prevote delta", func(c *Config) { c.Consensus.TimeoutPrevoteDelta = -time.Millisecond }, "consensus.timeout_prevote_delta", "-1ms", ""},
		{"negative precommit", func(c *Config) { c.Consensus.TimeoutPrecommit = -time.Millisecond }, "consensus.timeout_precommit", "-1ms", ""},
		{"negative precommit delta", func(c *Config) { c.Consensus.TimeoutPrecommitDelta = -time.Millisecond }, "consensus.timeout_precommit_delta", "-1ms", ""},
		{"negative commit", func(c *Config) { c.Consensus.TimeoutCommit = -time.Millisecond }, "consensus.timeout_commit", "-1ms", ""},
		{"negative empty interval", func(c *Config) { c.Consensus.CreateEmptyBlocksInterval = -time.Second }, "consensus.create_empty_blocks_interval", "-1s", ""},
		{"negative gossip sleep", func(c *Config) { c.Consensus.PeerGossipSleepDuration = -time.Second }, "consensus.peer_gossip_sleep_duration", "-1s", ""},
		{"negative maj23 sleep", func(c *Config) { c.Consensus.PeerQueryMaj23SleepDuration = -time.Second }, "consensus.peer_query_maj23_sleep_duration", "-1s", ""},
		{"negative double sign height", func(c *Config) { c.Consensus.DoubleSignCheckHeight = -3 }, "consensus.double_sign_check_height", "-3", ""},
		{"zero block time tolerance", func(c *Config) { c.Consensus.BlockTimeTolerance = 0 }, "consensus.block_time_tolerance", "0s", ""},

		{"bad version", func(c *Config) { c.Version = "v0.38" }, "version", `"v0.38"`, ""},
		{"bad db backend", func(c *Config) { c.DBBackend = "sqlite" }, "db_backend", `"sqlite"`, ""},
		{"bad log format", func(c *Config) { c.LogFormat = "xml" }, "log_format", `"xml"`,
			`config: log_format must be one of "plain", "json" (got "xml")`},
		{"bad abci", func(c *Config) { c.ABCI = "http" }, "abci", `"http"`, ""},
		{"bad privval laddr", func(c *Config) { c.PrivValidatorListenAddr = "127.0.0.1:1234" }, "priv_validator_laddr", `"127.0.0.1:1234"`, ""},
		{"negative event bus", func(c *Config) { c.EventBusBufferCapacity = -1 }, "event_bus_buffer_capacity", "-1", ""},

		{"negative grpc conns", func(c *Config) { c.RPC.GRPCMaxOpenConnections = -1 }, "rpc.grpc_max_open_connections", "-1", ""},
		{"negative rpc conns", func(c *Config) { c.RPC.MaxOpenConnections = -1 }, "rpc.max_open_connections", "-1", ""},
		{"negative sub clients", func(c *Config) { c.RPC.MaxSubscriptionClients = -1 }, "rpc.max_subscription_clients", "-1", ""},
		{"negative subs per client", func(c *Config) { c.RPC.MaxSubscriptionsPerClient = -1 }, "rpc.max_subscriptions_per_client", "-1", ""},
		{"small sub buffer", func(c *Config) { c.RPC.SubscriptionBufferSize = 99 }, "rpc.experimental_subscription_buffer_size", "99", ""},
		{"ws buffer below sub buffer", func(c *Config) { c.RPC.WebSocketWriteBufferSize = 150 }, "rpc.experimental_websocket_write_buffer_size", "150", ""},
		{"negative broadcast timeout", func(c *Config) { c.RPC.TimeoutBroadcastTxCommit = -time.Second }, "rpc.timeout_broadcast_tx_commit", "-1s", ""},
		{"negative batch", func(c *Config) { c.RPC.MaxRequestBatchSize = -1 }, "rpc.max_request_batch_size", "-1", ""},
		{"negative body", func(c *Config) { c.RPC.MaxBodyBytes = -1 }, "rpc.max_body_bytes", "-1", ""},
		{"negative header", func(c *Config) { c.RPC.MaxHeaderBytes = -1 }, "rpc.max_header_bytes", "-1", ""},

		{"negative inbound", func(c *Config) { c.P2P.MaxNumInboundPeers = -1 }, "p2p.max_num_inbound_peers", "-1", ""},
		{"negative outbound", func(c *Config) { c.P2P.MaxNumOutboundPeers = -1 }, "p2p.max_num_outbound_peers", "-1", ""},
		{"negative dial period", func(c *Config) { c.P2P.PersistentPeersMaxDialPeriod = -time.Second }, "p2p.persistent_peers_max_dial_period", "-1s", ""},
		{"negative flush", func(c *Config) { c.P2P.FlushThrottleTimeout = -time.Second }, "p2p.flush_throttle_timeout", "-1s", ""},
		{"zero payload", func(c *Config) { c.P2P.MaxPacketMsgPayloadSize = 0 }, "p2p.max_packet_msg_payload_size", "0", ""},
		{"negative send rate", func(c *Config) { c.P2P.SendRate = -5 }, "p2p.send_rate", "-5", ""},
		{"negative recv rate", func(c *Config) { c.P2P.RecvRate = -5 }, "p2p.recv_rate", "-5", ""},
		{"negative handshake", func(c *Config) { c.P2P.HandshakeTimeout = -time.Second }, "p2p.handshake_timeout", "-1s", ""},
		{"negative dial", func(c *Config) { c.P2P.DialTimeout = -time.Second }, "p2p.dial_timeout", "-1s", ""},

		{"bad mempool type", func(c *Config) { c.Mempool.Type = "priority" }, "mempool.type", `"priority"`, ""},
		{"negative recheck timeout", func(c *Config) { c.Mempool.RecheckTimeout = -time.Second }, "mempool.recheck_timeout", "-1s", ""},
		{"negative size", func(c *Config) { c.Mempool.Size = -1 }, "mempool.size", "-1", ""},
		{"negative txs bytes", func(c *Config) { c.Mempool.MaxTxsBytes = -1 }, "mempool.max_txs_bytes", "-1", ""},
		{"negative cache", func(c *Config) { c.Mempool.CacheSize = -1 }, "mempool.cache_size", "-1", ""},
		{"negative tx bytes", func(c *Config) { c.Mempool.MaxTxBytes = -1 }, "mempool.max_tx_bytes", "-1", ""},
		{"negative batch bytes", func(c *Config) { c.Mempool.MaxBatchBytes = -1 }, "mempool.max_batch_bytes", "-1", ""},
		{"negative gossip persistent", func(c *Config) { c.Mempool.ExperimentalMaxGossipConnectionsToPersistentPeers = -1 },
			"mempool.experimental_max_gossip_connections_to_persistent_peers", "-1", ""},
		{"negative gossip others", func(c *Config) { c.Mempool.ExperimentalMaxGossipConnectionsToNonPersistentPeers = -1 },
			"mempool.experimental_max_gossip_connections_to_non_persistent_peers", "-1", ""},
		{"nop without empty blocks", func(c *Config) {
			c.Mempool.Type = MempoolTypeNop
			c.Consensus.CreateEmptyBlocks = false
		}, "consensus.create_empty_blocks", "false", ""},

		{"statesync one server", func(c *Config) { enableStateSync(c); c.StateSync.RPCServers = []string{"a:1"} }, "statesync.rpc_servers", `"a:1"`, ""},
		{"statesync empty server", func(c *Config) { enableStateSync(c); c.StateSync.RPCServers = []string{"a:1", ""} }, "statesync.rpc_servers", `"a:1,"`, ""},
		{"statesync no height", func(c *Config) { enableStateSync(c); c.StateSync.TrustHeight = 0 }, "statesync.trust_height", "0", ""},
		{"statesync no hash", func(c *Config) { enableStateSync(c); c.StateSync.TrustHash = "" }, "statesync.trust_hash", `""`, ""},
		{"statesync bad hash", func(c *Config) { enableStateSync(c); c.StateSync.TrustHash = "zz" }, "statesync.trust_hash", `"zz"`, ""},
		{"statesync no period", func(c *Config) { enableStateSync(c); c.StateSync.TrustPeriod = 0 }, "statesync.trust_period", "0s", ""},
		{"statesync short discovery", func(c *Config) { enableStateSync(c); c.StateSync.DiscoveryTime = time.Second }, "statesync.discovery_time", "1s", ""},
		{"statesync short chunk timeout", func(c *Config) { enableStateSync(c); c.StateSync.ChunkRequestTimeout = 4 * time.Second }, "statesync.chunk_request_timeout", "4s", ""},
		{"statesync no fetchers", func(c *Config) { enableStateSync(c); c.StateSync.ChunkFetchers = 0 }, "statesync.chunk_fetchers", "0", ""},
		{"statesync no chunks", func(c *Config) { enableStateSync(c); c.StateSync.MaxSnapshotChunks = 0 }, "statesync.max_snapshot_chunks", "0", ""},

		{"blocksync v1", func(c *Config) { c.BlockSync.Version = "v1" }, "blocksync.version", `"v1"`, ""},
		{"blocksync v9", func(c *Config) { c.BlockSync.Version = "v9" }, "blocksync.version", `"v9"`, ""},

		{"bad indexer", func(c *Config) { c.TxIndex.Indexer = "elastic" }, "tx_index.indexer", `"elastic"`, ""},
		{"psql without conn", func(c *Config) { c.TxIndex.Indexer = IndexerPsql }, "tx_index.psql-conn", `""`, ""},

		{"negative metrics conns", func(c *Config) { c.Instrumentation.MaxOpenConnections = -1 }, "instrumentation.max_open_connections", "-1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.mutate(cfg)
			err := cfg.ValidateBasic()
			if err == nil {
				t.Fatal("ValidateBasic accepted the config")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			if ve.Key != tc.key {
				t.Errorf("key = %q, want %q (error: %v)", ve.Key, tc.key, err)
			}
			if _, ok := Lookup(ve.Key); !ok {
				t.Errorf("error names %q, which is not a config key", ve.Key)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.key) || !strings.Contains(msg, "(got "+tc.value+")") {
				t.Errorf("message %q does not name key %s and value %s", msg, tc.key, tc.value)
			}
			if tc.message != "" && msg != tc.message {
				t.Errorf("message = %q, want %q", msg, tc.message)
			}
		})
	}
}

// enableStateSync turns state sync on with a valid setting.
func enableStateSync(c *Config) {
	c.StateSync.Enable = true
	c.StateSync.RPCServers = []string{"tcp://a:26657", "tcp://b:26657"}
	c.StateSync.TrustHeight = 100
	c.StateSync.TrustHash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}

func TestValidateBasicAcceptsValidVariants(t *testing.T) {
	cases := map[string]func(*Config){
		"statesync enabled":         enableStateSync,
		"statesync discovery zero":  func(c *Config) { enableStateSync(c); c.StateSync.DiscoveryTime = 0 },
		"statesync off, bad fields": func(c *Config) { c.StateSync.ChunkFetchers = 0; c.StateSync.TrustHash = "zz" },
		"empty version":             func(c *Config) { c.Version = "" },
		"prerelease version":        func(c *Config) { c.Version = "0.38.26-rc1+abc" },
		"empty mempool type":        func(c *Config) { c.Mempool.Type = "" },
		"nop with empty blocks":     func(c *Config) { c.Mempool.Type = MempoolTypeNop },
		"json logs, grpc":           func(c *Config) { c.LogFormat = LogFormatJSON; c.ABCI = ABCIGRPC },
		"psql with conn":            func(c *Config) { c.TxIndex.Indexer = IndexerPsql; c.TxIndex.PsqlConn = "postgresql://u@h/db" },
		"null indexer":              func(c *Config) { c.TxIndex.Indexer = IndexerNull },
		"unix privval":              func(c *Config) { c.PrivValidatorListenAddr = "unix:///tmp/pv.sock" },
		"zero timeouts":             func(c *Config) { c.Consensus.TimeoutCommit = 0; c.Consensus.TimeoutPropose = 0 },
	}
	for name, mutate := range cases {
		cfg := DefaultConfig()
		mutate(cfg)
		if err := cfg.ValidateBasic(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateBasicReportsEveryBadKey(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Consensus.TimeoutCommit = -time.Second
	cfg.RPC.MaxBodyBytes = -1
	cfg.LogFormat = "xml"
	err := cfg.ValidateBasic()
	for _, key := range []string{"consensus.timeout_commit", "rpc.max_body_bytes", "log_format"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("error %v does not mention %s", err, key)
		}
	}
}

func TestNilSections(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mempool = nil
	for name, err := range map[string]error{
		"ValidateBasic": cfg.ValidateBasic(),
		"Set":           Set(cfg, "mempool.size", "1"),
		"ApplyEnv":      ApplyEnv(cfg, nil),
	} {
		if err == nil || !strings.Contains(err.Error(), "[mempool]") {
			t.Errorf("%s: error %v, want one naming [mempool]", name, err)
		}
	}
	if _, err := Encode(cfg); err == nil {
		t.Error("Encode accepted a nil section")
	}
	if _, err := Decode(nil, cfg); err == nil {
		t.Error("Decode accepted a nil section")
	}
	if cfg.SetRoot("/x").Consensus.RootDir != "/x" {
		t.Error("SetRoot skipped the sections after a nil one")
	}
	var none *Config
	if err := none.ValidateBasic(); err == nil {
		t.Error("nil *Config validated")
	}
}
