package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestApplyEnv(t *testing.T) {
	cfg := DefaultConfig()
	err := ApplyEnv(cfg, []string{
		"PATH=/usr/bin",
		"BALLOT_HOME=/somewhere", // not a config key
		"BALLOT_MONIKER=envnode",
		"BALLOT_RPC_LADDR=tcp://0.0.0.0:1234",
		"BALLOT_P2P_SEEDS=id1@a:1,id2@b:2",
		"BALLOT_CONSENSUS_TIMEOUT_COMMIT=250ms",
		"BALLOT_MEMPOOL_KEEP_INVALID_TXS_IN_CACHE=true",
		"BALLOT_TX_INDEX_PSQL_CONN=postgresql://u@h/db",
		"BALLOT_STATESYNC_CHUNK_FETCHERS=9",
		"BALLOT_STATESYNC_RPC_SERVERS=tcp://a:1,tcp://b:2",
		"BALLOT_RPC_CORS_ALLOWED_ORIGINS=*",
		"BALLOT_BLOCKSYNC_VERSION=v0",
		"BALLOT_VERSION=0.38.20",
		"BALLOT_PROXY_APP=",                // empty: ignored
		"BALLOT_MONIKER=second-occurrence", // os.Getenv returns the first
		"BALLOT_NOT_A_KEY=1",
		"malformed-entry",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Moniker = "envnode"
	want.RPC.ListenAddress = "tcp://0.0.0.0:1234"
	want.P2P.Seeds = "id1@a:1,id2@b:2"
	want.Consensus.TimeoutCommit = 250 * time.Millisecond
	want.Mempool.KeepInvalidTxsInCache = true
	want.TxIndex.PsqlConn = "postgresql://u@h/db"
	want.StateSync.ChunkFetchers = 9
	want.StateSync.RPCServers = []string{"tcp://a:1", "tcp://b:2"}
	want.RPC.CORSAllowedOrigins = []string{"*"}
	want.Version = "0.38.20"
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("env not applied as expected: %v", diffConfigs(t, cfg, want))
	}
}

func TestApplyEnvBadValues(t *testing.T) {
	cfg := DefaultConfig()
	err := ApplyEnv(cfg, []string{
		"BALLOT_CONSENSUS_TIMEOUT_COMMIT=soon",
		"BALLOT_RPC_UNSAFE=perhaps",
		"BALLOT_P2P_MAX_NUM_INBOUND_PEERS=many",
		"BALLOT_STATESYNC_MAX_SNAPSHOT_CHUNKS=-1",
		"BALLOT_MONIKER=still-applied",
	})
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, want := range []string{
		`BALLOT_CONSENSUS_TIMEOUT_COMMIT (consensus.timeout_commit): invalid duration "soon"`,
		`BALLOT_RPC_UNSAFE (rpc.unsafe): invalid boolean "perhaps"`,
		`BALLOT_P2P_MAX_NUM_INBOUND_PEERS (p2p.max_num_inbound_peers): invalid integer "many"`,
		`BALLOT_STATESYNC_MAX_SNAPSHOT_CHUNKS (statesync.max_snapshot_chunks): integer -1 out of range`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if cfg.Moniker != "still-applied" {
		t.Error("valid variables were not applied next to bad ones")
	}
	def := DefaultConfig()
	if cfg.Consensus.TimeoutCommit != def.Consensus.TimeoutCommit || cfg.RPC.Unsafe != def.RPC.Unsafe {
		t.Error("a bad value changed the config")
	}
}

func TestEveryKeyOverridableFromEnv(t *testing.T) {
	def := DefaultConfig()
	cfg := DefaultConfig()
	want := DefaultConfig()
	var environ []string
	for _, f := range Fields() {
		cur, _ := Get(def, f.Key)
		v := otherValue(t, f, cur)
		if f.Kind == KindString {
			v = "env-" + f.Key // keep it free of newlines for the environment
		}
		environ = append(environ, f.Env()+"="+v)
		if err := Set(want, f.Key, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := ApplyEnv(cfg, environ); err != nil {
		t.Fatal(err)
	}
	if d := diffConfigs(t, cfg, want); len(d) != 0 {
		t.Errorf("keys not overridden by env: %v", d)
	}
}

func TestEnvNames(t *testing.T) {
	for key, want := range map[string]string{
		"moniker":                           "BALLOT_MONIKER",
		"rpc.laddr":                         "BALLOT_RPC_LADDR",
		"p2p.seeds":                         "BALLOT_P2P_SEEDS",
		"consensus.timeout_commit":          "BALLOT_CONSENSUS_TIMEOUT_COMMIT",
		"mempool.keep-invalid-txs-in-cache": "BALLOT_MEMPOOL_KEEP_INVALID_TXS_IN_CACHE",
		"tx_index.psql-conn":                "BALLOT_TX_INDEX_PSQL_CONN",
	} {
		if got := EnvName(key); got != want {
			t.Errorf("EnvName(%s) = %s, want %s", key, got, want)
		}
	}
	seen := map[string]string{}
	for _, f := range Fields() {
		if other, dup := seen[f.Env()]; dup {
			t.Errorf("%s and %s share %s", f.Key, other, f.Env())
		}
		seen[f.Env()] = f.Key
	}
}

func TestSetGetAndKeys(t *testing.T) {
	keys := Keys()
	if len(keys) != len(Fields()) || len(keys) < 100 {
		t.Fatalf("%d keys", len(keys))
	}
	for _, k := range []string{"rpc.laddr", "p2p.persistent_peers", "consensus.create_empty_blocks", "proxy_app", "moniker"} {
		if _, ok := Lookup(k); !ok {
			t.Errorf("key %s missing", k)
		}
	}
	if f, _ := Lookup("consensus.create_empty_blocks"); f.Kind != KindBool || f.Section != "consensus" || f.Name != "create_empty_blocks" {
		t.Errorf("Lookup = %+v", f)
	}
	// Get then Set of the same text changes nothing, for every key.
	def := DefaultConfig()
	cfg := TestConfig()
	for _, k := range keys {
		v, err := Get(cfg, k)
		if err != nil {
			t.Fatal(err)
		}
		if err := Set(cfg, k, v); err != nil {
			t.Errorf("Set(%s, Get) = %v", k, err)
		}
	}
	if !reflect.DeepEqual(cfg, TestConfig()) {
		t.Errorf("Set(Get) changed the config: %v", diffConfigs(t, cfg, TestConfig()))
	}
	// Values set are read back.
	for k, v := range map[string]string{
		"rpc.laddr":                     "tcp://127.0.0.1:9",
		"consensus.create_empty_blocks": "false",
		"consensus.timeout_propose":     "1m30s",
		"rpc.cors_allowed_headers":      "A,B",
		"statesync.chunk_fetchers":      "12",
	} {
		if err := Set(def, k, v); err != nil {
			t.Fatal(err)
		}
		if got, _ := Get(def, k); got != v {
			t.Errorf("Get(%s) = %q after Set %q", k, got, v)
		}
	}
	if !slicesEqual(def.RPC.CORSAllowedHeaders, []string{"A", "B"}) || def.Consensus.TimeoutPropose != 90*time.Second {
		t.Error("typed values not stored")
	}
}

func slicesEqual(a, b []string) bool { return reflect.DeepEqual(a, b) }

func TestSetErrors(t *testing.T) {
	cfg := DefaultConfig()
	err := Set(cfg, "rpc.nope", "1")
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"rpc.nope"`) {
		t.Errorf("unknown key error = %v", err)
	}
	if _, err := Get(cfg, "nope"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Get unknown key error = %v", err)
	}
	err = Set(cfg, "consensus.create_empty_blocks", "yes please")
	if err == nil || err.Error() != `config: consensus.create_empty_blocks: invalid boolean "yes please"` {
		t.Errorf("bad value error = %v", err)
	}
	if !cfg.Consensus.CreateEmptyBlocks {
		t.Error("failed Set changed the value")
	}
	if err := Set(cfg, "p2p.max_packet_msg_payload_size", "99999999999999999999"); err == nil {
		t.Error("overflowing integer accepted")
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindString: "string", KindBool: "bool", KindInt: "int",
		KindDuration: "duration", KindList: "list", KindCommaList: "comma-list", Kind(99): "Kind(99)"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q", int(k), k.String())
		}
	}
}
