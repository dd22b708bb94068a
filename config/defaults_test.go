package config

import (
	"os"
	"testing"
)

// tomlLiteral returns key's value in cfg exactly as Encode writes it.
func tomlLiteral(t *testing.T, cfg *Config, key string) string {
	t.Helper()
	f, ok := schema().byKey[key]
	if !ok {
		t.Fatalf("unknown key %q", key)
	}
	v, err := cfg.fieldValue(f)
	if err != nil {
		t.Fatal(err)
	}
	return formatTOML(f, v)
}

// operatorDefaults is operator.md §4 (and consensus.md §3.1): every key of
// CometBFT v0.38.26's config.toml with its default as written in the file.
// moniker (the hostname) is checked separately.
var operatorDefaults = map[string]string{
	"version":                   `"0.38.26"`,
	"proxy_app":                 `"tcp://127.0.0.1:26658"`,
	"db_backend":                `"goleveldb"`,
	"db_dir":                    `"data"`,
	"log_level":                 `"info"`,
	"log_format":                `"plain"`,
	"genesis_file":              `"config/genesis.json"`,
	"priv_validator_key_file":   `"config/priv_validator_key.json"`,
	"priv_validator_state_file": `"data/priv_validator_state.json"`,
	"priv_validator_laddr":      `""`,
	"node_key_file":             `"config/node_key.json"`,
	"abci":                      `"socket"`,
	"filter_peers":              `false`,
	"event_bus_buffer_capacity": `0`,

	"rpc.laddr":                                    `"tcp://127.0.0.1:26657"`,
	"rpc.cors_allowed_origins":                     `[]`,
	"rpc.cors_allowed_methods":                     `["HEAD", "GET", "POST", ]`,
	"rpc.cors_allowed_headers":                     `["Origin", "Accept", "Content-Type", "X-Requested-With", "X-Server-Time", ]`,
	"rpc.grpc_laddr":                               `""`,
	"rpc.grpc_max_open_connections":                `900`,
	"rpc.unsafe":                                   `false`,
	"rpc.max_open_connections":                     `900`,
	"rpc.max_subscription_clients":                 `100`,
	"rpc.max_subscriptions_per_client":             `5`,
	"rpc.experimental_subscription_buffer_size":    `200`,
	"rpc.experimental_websocket_write_buffer_size": `200`,
	"rpc.experimental_close_on_slow_client":        `false`,
	"rpc.timeout_broadcast_tx_commit":              `"10s"`,
	"rpc.max_request_batch_size":                   `10`,
	"rpc.max_body_bytes":                           `1000000`,
	"rpc.max_header_bytes":                         `1048576`,
	"rpc.tls_cert_file":                            `""`,
	"rpc.tls_key_file":                             `""`,
	"rpc.pprof_laddr":                              `""`,

	"p2p.laddr":                            `"tcp://0.0.0.0:26656"`,
	"p2p.external_address":                 `""`,
	"p2p.seeds":                            `""`,
	"p2p.persistent_peers":                 `""`,
	"p2p.addr_book_file":                   `"config/addrbook.json"`,
	"p2p.addr_book_strict":                 `true`,
	"p2p.max_num_inbound_peers":            `40`,
	"p2p.max_num_outbound_peers":           `10`,
	"p2p.unconditional_peer_ids":           `""`,
	"p2p.persistent_peers_max_dial_period": `"0s"`,
	"p2p.flush_throttle_timeout":           `"100ms"`,
	"p2p.max_packet_msg_payload_size":      `1024`,
	"p2p.send_rate":                        `5120000`,
	"p2p.recv_rate":                        `5120000`,
	"p2p.pex":                              `true`,
	"p2p.seed_mode":                        `false`,
	"p2p.private_peer_ids":                 `""`,
	"p2p.allow_duplicate_ip":               `false`,
	"p2p.handshake_timeout":                `"20s"`,
	"p2p.dial_timeout":                     `"3s"`,

	"mempool.type":                      `"flood"`,
	"mempool.recheck":                   `true`,
	"mempool.recheck_timeout":           `"1s"`,
	"mempool.broadcast":                 `true`,
	"mempool.wal_dir":                   `""`,
	"mempool.size":                      `5000`,
	"mempool.max_txs_bytes":             `1073741824`,
	"mempool.cache_size":                `10000`,
	"mempool.keep-invalid-txs-in-cache": `false`,
	"mempool.max_tx_bytes":              `1048576`,
	"mempool.max_batch_bytes":           `0`,
	"mempool.experimental_max_gossip_connections_to_persistent_peers":     `0`,
	"mempool.experimental_max_gossip_connections_to_non_persistent_peers": `0`,

	"statesync.enable":                `false`,
	"statesync.rpc_servers":           `""`,
	"statesync.trust_height":          `0`,
	"statesync.trust_hash":            `""`,
	"statesync.trust_period":          `"168h0m0s"`,
	"statesync.discovery_time":        `"15s"`,
	"statesync.temp_dir":              `""`,
	"statesync.chunk_request_timeout": `"10s"`,
	"statesync.chunk_fetchers":        `"4"`,
	"statesync.max_snapshot_chunks":   `100000`,

	"blocksync.version": `"v0"`,

	"consensus.wal_file":                        `"data/cs.wal/wal"`,
	"consensus.timeout_propose":                 `"3s"`,
	"consensus.timeout_propose_delta":           `"500ms"`,
	"consensus.timeout_prevote":                 `"1s"`,
	"consensus.timeout_prevote_delta":           `"500ms"`,
	"consensus.timeout_precommit":               `"1s"`,
	"consensus.timeout_precommit_delta":         `"500ms"`,
	"consensus.timeout_commit":                  `"1s"`,
	"consensus.double_sign_check_height":        `0`,
	"consensus.skip_timeout_commit":             `false`,
	"consensus.create_empty_blocks":             `true`,
	"consensus.create_empty_blocks_interval":    `"0s"`,
	"consensus.peer_gossip_sleep_duration":      `"100ms"`,
	"consensus.peer_query_maj23_sleep_duration": `"2s"`,
	"consensus.block_time_tolerance":            `"1m0s"`,

	"storage.discard_abci_responses": `false`,

	"tx_index.indexer":   `"kv"`,
	"tx_index.psql-conn": `""`,

	"instrumentation.prometheus":             `false`,
	"instrumentation.prometheus_listen_addr": `":26660"`,
	"instrumentation.max_open_connections":   `3`,
	"instrumentation.namespace":              `"cometbft"`,
}

// ballotOnlyDefaults are the keys ballot has beyond CometBFT's, with their defaults, which keep
// CometBFT's behaviour. A CometBFT file without them loads with these.
var ballotOnlyDefaults = map[string]string{
	"consensus.skip_timeout_commit_txs": `0`,
}

func TestDefaultsMatchOperatorSheet(t *testing.T) {
	cfg := DefaultConfig()
	for _, table := range []map[string]string{operatorDefaults, ballotOnlyDefaults} {
		for key, want := range table {
			if got := tomlLiteral(t, cfg, key); got != want {
				t.Errorf("%s = %s, want %s", key, got, want)
			}
		}
	}
	// The key table is the sheet's keys, moniker and ballot's own, and nothing else.
	for _, key := range Keys() {
		_, sheet := operatorDefaults[key]
		_, own := ballotOnlyDefaults[key]
		if !sheet && !own && key != "moniker" {
			t.Errorf("key %s is not in the operator sheet table", key)
		}
	}
	if len(Keys()) != len(operatorDefaults)+len(ballotOnlyDefaults)+1 {
		t.Errorf("%d keys, operator sheet has %d (+ moniker and %d of ballot's)", len(Keys()), len(operatorDefaults), len(ballotOnlyDefaults))
	}
}

func TestDefaultMonikerIsHostname(t *testing.T) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		t.Skip("no hostname on this machine")
	}
	if got := DefaultConfig().Moniker; got != host {
		t.Fatalf("moniker = %q, want hostname %q", got, host)
	}
}

func TestVersionConstant(t *testing.T) {
	if CompatibleCometBFTVersion != "0.38.26" {
		t.Fatalf("CompatibleCometBFTVersion = %q", CompatibleCometBFTVersion)
	}
	if DefaultConfig().Version != CompatibleCometBFTVersion {
		t.Fatal("default version is not CompatibleCometBFTVersion")
	}
}

func TestKeyOrderFollowsCometBFTTemplate(t *testing.T) {
	keys := Keys()
	// Spot checks of the template order: top-level keys first, sections in
	// CometBFT's order, keys within a section in the template's order.
	wantOrder := []string{
		"version", "proxy_app", "moniker", "abci", "filter_peers", "event_bus_buffer_capacity",
		"rpc.laddr", "rpc.pprof_laddr",
		"p2p.laddr", "p2p.dial_timeout",
		"mempool.type", "mempool.keep-invalid-txs-in-cache", "mempool.experimental_max_gossip_connections_to_non_persistent_peers",
		"statesync.enable", "statesync.max_snapshot_chunks",
		"blocksync.version",
		"consensus.wal_file", "consensus.timeout_commit", "consensus.double_sign_check_height", "consensus.block_time_tolerance",
		"storage.discard_abci_responses",
		"tx_index.indexer", "tx_index.psql-conn",
		"instrumentation.prometheus", "instrumentation.namespace",
	}
	pos := map[string]int{}
	for i, k := range keys {
		pos[k] = i
	}
	for i := 1; i < len(wantOrder); i++ {
		if pos[wantOrder[i-1]] >= pos[wantOrder[i]] {
			t.Errorf("%s should come before %s", wantOrder[i-1], wantOrder[i])
		}
	}
	if keys[0] != "version" || keys[len(keys)-1] != "instrumentation.namespace" {
		t.Errorf("first/last keys = %s/%s", keys[0], keys[len(keys)-1])
	}
}

func TestTestConfig(t *testing.T) {
	cfg := TestConfig()
	if err := cfg.ValidateBasic(); err != nil {
		t.Fatalf("TestConfig does not validate: %v", err)
	}
	cs := cfg.Consensus
	checks := map[string]bool{
		"propose 40ms":        cs.TimeoutPropose.Milliseconds() == 40,
		"prevote 10ms":        cs.TimeoutPrevote.Milliseconds() == 10,
		"precommit 10ms":      cs.TimeoutPrecommit.Milliseconds() == 10,
		"commit 10ms":         cs.TimeoutCommit.Milliseconds() == 10,
		"deltas 1ms":          cs.TimeoutProposeDelta.Milliseconds() == 1 && cs.TimeoutPrevoteDelta.Milliseconds() == 1 && cs.TimeoutPrecommitDelta.Milliseconds() == 1,
		"skip_timeout_commit": cs.SkipTimeoutCommit,
		"rpc on port 0":       cfg.RPC.ListenAddress == "tcp://127.0.0.1:0",
		"p2p on port 0":       cfg.P2P.ListenAddress == "tcp://127.0.0.1:0",
		"memdb":               cfg.DBBackend == "memdb",
	}
	for what, ok := range checks {
		if !ok {
			t.Errorf("TestConfig: %s does not hold", what)
		}
	}
	if DefaultConfig().Consensus.TimeoutPropose == cs.TimeoutPropose {
		t.Error("TestConfig shares the default propose timeout")
	}
}

func TestDefaultConfigValidates(t *testing.T) {
	if err := DefaultConfig().ValidateBasic(); err != nil {
		t.Fatal(err)
	}
}

func TestEveryKeyHasUsageAndNoStrayUsage(t *testing.T) {
	keys := map[string]bool{}
	for _, f := range Fields() {
		keys[f.Key] = true
		if f.Usage == "" {
			t.Errorf("%s has empty usage", f.Key)
		}
	}
	for k := range keyUsage {
		if !keys[k] {
			t.Errorf("usage text for unknown key %s", k)
		}
	}
	for _, s := range schema().sections {
		if sectionTitle[s.name] == "" {
			t.Errorf("section %q has no title", s.name)
		}
	}
}
