package config

// sectionTitle is the banner written above each [section] of config.toml.
var sectionTitle = map[string]string{
	"":                "Base options",
	"rpc":             "RPC server options",
	"p2p":             "Peer-to-peer options",
	"mempool":         "Mempool options",
	"statesync":       "State sync options",
	"blocksync":       "Block sync options",
	"consensus":       "Consensus options",
	"storage":         "Storage options",
	"tx_index":        "Transaction indexer options",
	"instrumentation": "Instrumentation options",
}

// keyUsage is the comment written above each key in config.toml and the
// usage text of its command-line flag. Every key must have one.
var keyUsage = map[string]string{
	"version": "CometBFT version this file was written for; used to recognise old files.\n" +
		"Leave it as it is.",
	"proxy_app": "Address of the ABCI application (tcp://host:port or unix://path), or the\n" +
		"name of an application built into the binary (e.g. kvstore).",
	"moniker":    "Human-readable name of this node, shown to peers and in /status.",
	"db_backend": "Database engine: goleveldb (default, pure Go), cleveldb, boltdb, rocksdb,\nbadgerdb, pebbledb or memdb; engines other than goleveldb and memdb must be\ncompiled in.",
	"db_dir":     "Directory of the databases (blocks, state, evidence, index).",
	"log_level": "Log verbosity: one level (debug, info, error, none) or a comma list of\n" +
		"module:level pairs, e.g. \"consensus:debug,*:error\".",
	"log_format":                "Log output format: \"plain\" or \"json\".",
	"genesis_file":              "Genesis document (initial validators, chain ID, consensus parameters).",
	"priv_validator_key_file":   "Validator signing key.",
	"priv_validator_state_file": "Last-signed height/round/step of the validator, protecting against\ndouble signing.",
	"priv_validator_laddr": "If set, listen here (tcp:// or unix://) for an external signer and use it\n" +
		"instead of the two files above.",
	"node_key_file": "Node key: the p2p identity of this node.",
	"abci":          "How to talk to the application: \"socket\" or \"grpc\".",
	"filter_peers": "If true, ask the application (ABCI Query on /p2p/filter/addr/<addr> and\n" +
		"/p2p/filter/id/<id>) whether to keep each new peer.",
	"event_bus_buffer_capacity": "Buffer size of the internal event bus; 0 means unbuffered.",

	"rpc.laddr": "Address(es) the RPC server listens on, comma-separated, each with a scheme\n" +
		"(tcp:// or unix://).",
	"rpc.cors_allowed_origins": "Origins allowed to make cross-origin requests; [] disables CORS and\n" +
		"[\"*\"] allows every origin. One \"*\" wildcard per origin is allowed.",
	"rpc.cors_allowed_methods": "HTTP methods allowed in cross-origin requests.",
	"rpc.cors_allowed_headers": "Non-simple headers allowed in cross-origin requests.",
	"rpc.grpc_laddr": "Address of the gRPC BroadcastAPI server (broadcast_tx_commit only);\n" +
		"empty disables it.",
	"rpc.grpc_max_open_connections": "Most simultaneous gRPC connections; 0 means no limit. Raise the OS\n" +
		"file limit before raising this.",
	"rpc.unsafe": "Enable the unsafe routes (dial_seeds, dial_peers, unsafe_flush_mempool).",
	"rpc.max_open_connections": "Most simultaneous HTTP and websocket connections; 0 means no limit.\n" +
		"Keep it below the OS file limit minus peers, databases and WAL files.",
	"rpc.max_subscription_clients":     "Most distinct clients that may /subscribe at once.",
	"rpc.max_subscriptions_per_client": "Most queries one client may subscribe to.",
	"rpc.experimental_subscription_buffer_size": "Events buffered per subscription before the subscriber is treated as\n" +
		"too slow; at least 100.",
	"rpc.experimental_websocket_write_buffer_size": "Responses buffered per websocket client; at least\n" +
		"experimental_subscription_buffer_size.",
	"rpc.experimental_close_on_slow_client": "Close a websocket whose reader cannot keep up, instead of dropping\n" +
		"its events.",
	"rpc.timeout_broadcast_tx_commit": "How long /broadcast_tx_commit waits for the transaction to be\n" +
		"committed. Values above 10s also raise the server's write timeout.",
	"rpc.max_request_batch_size": "Most requests in one JSON-RPC batch; 0 means no limit.",
	"rpc.max_body_bytes":         "Largest accepted request body, in bytes.",
	"rpc.max_header_bytes":       "Largest accepted request header, in bytes.",
	"rpc.tls_cert_file": "TLS certificate for HTTPS (absolute, or relative to the config\n" +
		"directory). HTTPS is used only when both this and tls_key_file are set.",
	"rpc.tls_key_file": "TLS private key for HTTPS (absolute, or relative to the config directory).",
	"rpc.pprof_laddr":  "Address of the Go pprof HTTP server (e.g. localhost:6060); empty disables it.",

	"p2p.laddr":            "Address to accept peer connections on.",
	"p2p.external_address": "Address (host:port) announced to peers; empty announces laddr.",
	"p2p.seeds": "Seed nodes to ask for peer addresses, as comma-separated ID@host:port.\n" +
		"Used when the address book cannot supply peers.",
	"p2p.persistent_peers":       "Peers to stay connected to, as comma-separated ID@host:port.",
	"p2p.addr_book_file":         "Address book of known peers.",
	"p2p.addr_book_strict":       "Accept only publicly routable addresses; set false for private or\nlocal networks.",
	"p2p.max_num_inbound_peers":  "Most inbound peers.",
	"p2p.max_num_outbound_peers": "Most outbound peers, not counting persistent peers.",
	"p2p.unconditional_peer_ids": "Comma-separated node IDs that may connect even when the peer limits\nare reached.",
	"p2p.persistent_peers_max_dial_period": "Longest pause between redials of a persistent peer; 0 means\n" +
		"exponential backoff.",
	"p2p.flush_throttle_timeout":      "How long a connection gathers outgoing packets before flushing them.",
	"p2p.max_packet_msg_payload_size": "Largest payload of one packet, in bytes.",
	"p2p.send_rate":                   "Upper bound on the send rate per connection, in bytes per second.",
	"p2p.recv_rate":                   "Upper bound on the receive rate per connection, in bytes per second.",
	"p2p.pex":                         "Exchange peer addresses with peers (PEX).",
	"p2p.seed_mode": "Run as a seed: crawl the network, hand out addresses, then disconnect.\n" +
		"Needs pex = true.",
	"p2p.private_peer_ids":   "Comma-separated node IDs that are never gossiped to other peers.",
	"p2p.allow_duplicate_ip": "Allow several peers from one IP address.",
	"p2p.handshake_timeout":  "Longest time for the connection handshake.",
	"p2p.dial_timeout":       "Longest time for dialing a peer.",

	"mempool.type": "Mempool kind: \"flood\" (keep transactions and gossip them to all peers)\n" +
		"or \"nop\" (keep nothing; the application disseminates transactions; then\n" +
		"create_empty_blocks = false is not allowed).",
	"mempool.recheck": "Re-run CheckTx on the remaining transactions after every block.",
	"mempool.recheck_timeout": "How long to wait for the application's recheck answers once all are\n" +
		"sent; later answers are dropped. Applies to remote applications only.",
	"mempool.broadcast": "Gossip transactions to peers. If false, a transaction stays on the node\n" +
		"that received it until it is in a block.",
	"mempool.wal_dir":       "Directory of the mempool write-ahead log; empty disables it.",
	"mempool.size":          "Most transactions held.",
	"mempool.max_txs_bytes": "Most bytes held, counting the raw transactions only.",
	"mempool.cache_size": "Entries of the cache of already-seen transactions; 0 disables the\n" +
		"cache.",
	"mempool.keep-invalid-txs-in-cache": "Keep transactions rejected by CheckTx in the cache, so they are not\n" +
		"checked again. Safe only if an invalid transaction can never become valid.",
	"mempool.max_tx_bytes":    "Largest single transaction, in bytes.",
	"mempool.max_batch_bytes": "Unused; kept for compatibility.",
	"mempool.experimental_max_gossip_connections_to_persistent_peers": "Gossip transactions to at most this many persistent peers; 0 means\n" +
		"all of them.",
	"mempool.experimental_max_gossip_connections_to_non_persistent_peers": "Gossip transactions to at most this many other peers; 0 means all\n" +
		"of them.",

	"statesync.enable": "Bootstrap from a snapshot offered by peers instead of replaying every\n" +
		"block. Needs rpc_servers, trust_height, trust_hash and trust_period.",
	"statesync.rpc_servers": "At least two RPC servers (comma-separated) used by the light client to\n" +
		"verify the snapshot.",
	"statesync.trust_height": "Height of a header trusted out of band.",
	"statesync.trust_hash":   "Hash (hex) of the header at trust_height.",
	"statesync.trust_period": "How long a verified header stays trusted; keep it shorter than the\n" +
		"unbonding period.",
	"statesync.discovery_time":        "How long to look for snapshots before choosing one; 0 or at least 5s.",
	"statesync.temp_dir":              "Directory for downloaded chunks; empty uses the OS temporary directory.",
	"statesync.chunk_request_timeout": "How long to wait for one chunk before asking again; at least 5s.",
	"statesync.chunk_fetchers":        "Number of chunks fetched concurrently.",
	"statesync.max_snapshot_chunks":   "Reject snapshots with more chunks than this.",

	"blocksync.version": "Block sync protocol; only \"v0\" exists.",

	"consensus.wal_file":                "Consensus write-ahead log.",
	"consensus.timeout_propose":         "How long to wait for a proposal before prevoting nil (round 0).",
	"consensus.timeout_propose_delta":   "Added to timeout_propose for every further round.",
	"consensus.timeout_prevote":         "How long to wait after prevotes from +2/3 for anything (round 0).",
	"consensus.timeout_prevote_delta":   "Added to timeout_prevote for every further round.",
	"consensus.timeout_precommit":       "How long to wait after precommits from +2/3 for anything (round 0).",
	"consensus.timeout_precommit_delta": "Added to timeout_precommit for every further round.",
	"consensus.timeout_commit": "Pause after committing a block before starting the next height, so\n" +
		"that late precommits still make it into the next block.",
	"consensus.double_sign_check_height": "At startup, look this many recent heights back for our own\n" +
		"signatures and refuse to start if one is found; 0 disables the check.",
	"consensus.skip_timeout_commit": "Start the next height as soon as every validator's precommit is in.",
	"consensus.skip_timeout_commit_txs": "A ballot key: with N > 0, start the next height before timeout_commit\n" +
		"has passed as soon as every validator's precommit is in and at least N\n" +
		"transactions wait in the mempool. The block interval is then timeout_commit\n" +
		"while the chain is idle and shrinks to the time consensus takes under load;\n" +
		"a larger N puts more transactions in each block. While a validator's\n" +
		"precommit is missing, timeout_commit is waited out. 0 waits it out always,\n" +
		"as CometBFT does; with skip_timeout_commit = true the key has no effect.",
	"consensus.create_empty_blocks": "Propose blocks even without transactions; if false, round 0 waits\n" +
		"for a transaction.",
	"consensus.create_empty_blocks_interval": "If positive, propose an empty block after this long without\ntransactions.",
	"consensus.peer_gossip_sleep_duration":   "Pause of the gossip routines when there is nothing to send.",
	"consensus.peer_query_maj23_sleep_duration": "Period of the queries asking peers which +2/3 majorities they have\n" +
		"seen.",
	"consensus.block_time_tolerance": "Reject a proposed block whose time is later than now plus this.",

	"storage.discard_abci_responses": "Do not keep the application's FinalizeBlock responses; this disables\n" +
		"/block_results and reindex-event.",

	"tx_index.indexer": "Transaction and block event indexer: \"kv\" (local database), \"null\"\n" +
		"(none) or \"psql\" (PostgreSQL, see psql-conn).",
	"tx_index.psql-conn": "PostgreSQL connection string for the psql indexer:\n" +
		"postgresql://<user>:<password>@<host>:<port>/<db>?<opts>",

	"instrumentation.prometheus":             "Serve Prometheus metrics at /metrics.",
	"instrumentation.prometheus_listen_addr": "Address of the metrics server.",
	"instrumentation.max_open_connections":   "Most simultaneous metrics connections; 0 means no limit.",
	"instrumentation.namespace":              "Prefix of every metric name.",
}
