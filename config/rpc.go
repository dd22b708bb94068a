package config

import (
	"net/http"
	"path/filepath"
	"time"
)

// minSubscriptionBufferSize is the smallest accepted
// rpc.experimental_subscription_buffer_size.
const minSubscriptionBufferSize = 100

// RPCConfig is the [rpc] section: the HTTP/JSON-RPC/websocket server.
type RPCConfig struct {
	// RootDir is the home directory (set by SetRoot, not a key).
	RootDir string `toml:"-"`

	// ListenAddress is a comma-separated list of listen addresses with scheme.
	ListenAddress string `toml:"laddr"`
	// CORSAllowedOrigins lists allowed origins; empty disables CORS, "*" any.
	CORSAllowedOrigins []string `toml:"cors_allowed_origins"`
	// CORSAllowedMethods lists methods allowed in cross-origin requests.
	CORSAllowedMethods []string `toml:"cors_allowed_methods"`
	// CORSAllowedHeaders lists non-simple headers allowed in cross-origin requests.
	CORSAllowedHeaders []string `toml:"cors_allowed_headers"`
	// GRPCListenAddress is the BroadcastAPI gRPC address; empty disables it.
	GRPCListenAddress string `toml:"grpc_laddr"`
	// GRPCMaxOpenConnections caps gRPC connections; 0 is unlimited.
	GRPCMaxOpenConnections int `toml:"grpc_max_open_connections"`
	// Unsafe enables the unsafe routes (dial_seeds, dial_peers, unsafe_flush_mempool).
	Unsafe bool `toml:"unsafe"`
	// MaxOpenConnections caps HTTP and websocket connections; 0 is unlimited.
	MaxOpenConnections int `toml:"max_open_connections"`
	// MaxSubscriptionClients caps the clients that may /subscribe.
	MaxSubscriptionClients int `toml:"max_subscription_clients"`
	// MaxSubscriptionsPerClient caps the queries one client may subscribe to.
	MaxSubscriptionsPerClient int `toml:"max_subscriptions_per_client"`
	// SubscriptionBufferSize is the per-subscription event buffer (>= 100).
	SubscriptionBufferSize int `toml:"experimental_subscription_buffer_size"`
	// WebSocketWriteBufferSize is the per-websocket-client response buffer
	// (>= SubscriptionBufferSize).
	WebSocketWriteBufferSize int `toml:"experimental_websocket_write_buffer_size"`
	// CloseOnSlowClient closes a websocket that cannot keep up instead of
	// dropping its events.
	CloseOnSlowClient bool `toml:"experimental_close_on_slow_client"`
	// TimeoutBroadcastTxCommit bounds the wait of /broadcast_tx_commit.
	TimeoutBroadcastTxCommit time.Duration `toml:"timeout_broadcast_tx_commit"`
	// MaxRequestBatchSize caps a JSON-RPC batch; 0 is unlimited.
	MaxRequestBatchSize int `toml:"max_request_batch_size"`
	// MaxBodyBytes caps a request body.
	MaxBodyBytes int64 `toml:"max_body_bytes"`
	// MaxHeaderBytes caps request headers.
	MaxHeaderBytes int `toml:"max_header_bytes"`
	// TLSCertFile is the HTTPS certificate, relative to the config directory
	// (see CertFile). HTTPS needs both TLSCertFile and TLSKeyFile.
	TLSCertFile string `toml:"tls_cert_file"`
	// TLSKeyFile is the HTTPS private key, relative to the config directory.
	TLSKeyFile string `toml:"tls_key_file"`
	// PprofListenAddress is the pprof HTTP address; empty disables it.
	PprofListenAddress string `toml:"pprof_laddr"`
}

// DefaultRPCConfig returns the default [rpc] section.
func DefaultRPCConfig() *RPCConfig {
	return &RPCConfig{
		ListenAddress:             "tcp://127.0.0.1:26657",
		CORSAllowedOrigins:        []string{},
		CORSAllowedMethods:        []string{http.MethodHead, http.MethodGet, http.MethodPost},
		CORSAllowedHeaders:        []string{"Origin", "Accept", "Content-Type", "X-Requested-With", "X-Server-Time"},
		GRPCMaxOpenConnections:    900,
		MaxOpenConnections:        900,
		MaxSubscriptionClients:    100,
		MaxSubscriptionsPerClient: 5,
		SubscriptionBufferSize:    200,
		WebSocketWriteBufferSize:  200,
		TimeoutBroadcastTxCommit:  10 * time.Second,
		MaxRequestBatchSize:       10,
		MaxBodyBytes:              1000000,
		MaxHeaderBytes:            1 << 20,
	}
}

// TestRPCConfig returns an [rpc] section for tests: 127.0.0.1 with an
// OS-chosen port, unsafe routes enabled.
func TestRPCConfig() *RPCConfig {
	rpc := DefaultRPCConfig()
	rpc.ListenAddress = "tcp://127.0.0.1:0"
	rpc.Unsafe = true
	return rpc
}

// IsCorsEnabled reports whether any CORS origin is allowed.
func (rpc *RPCConfig) IsCorsEnabled() bool { return len(rpc.CORSAllowedOrigins) != 0 }

// IsPprofEnabled reports whether the pprof server is configured.
func (rpc *RPCConfig) IsPprofEnabled() bool { return rpc.PprofListenAddress != "" }

// IsTLSEnabled reports whether both TLS files are configured.
func (rpc *RPCConfig) IsTLSEnabled() bool { return rpc.TLSCertFile != "" && rpc.TLSKeyFile != "" }

// CertFile returns the TLS certificate path; a relative one resolves
// against <home>/config.
func (rpc *RPCConfig) CertFile() string { return rpc.configPath(rpc.TLSCertFile) }

// KeyFile returns the TLS key path; a relative one resolves against
// <home>/config.
func (rpc *RPCConfig) KeyFile() string { return rpc.configPath(rpc.TLSKeyFile) }

func (rpc *RPCConfig) configPath(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return rootify(filepath.Join(DefaultConfigDir, path), rpc.RootDir)
}

// ValidateBasic checks the [rpc] keys; see (*Config).ValidateBasic.
func (rpc *RPCConfig) ValidateBasic() error {
	c := checker{section: "rpc"}
	nonNegative(&c, "grpc_max_open_connections", rpc.GRPCMaxOpenConnections)
	nonNegative(&c, "max_open_connections", rpc.MaxOpenConnections)
	nonNegative(&c, "max_subscription_clients", rpc.MaxSubscriptionClients)
	nonNegative(&c, "max_subscriptions_per_client", rpc.MaxSubscriptionsPerClient)
	atLeast(&c, "experimental_subscription_buffer_size", rpc.SubscriptionBufferSize,
		minSubscriptionBufferSize, "must be at least 100")
	if rpc.WebSocketWriteBufferSize < rpc.SubscriptionBufferSize {
		c.fail("experimental_websocket_write_buffer_size", rpc.WebSocketWriteBufferSize,
			"must be at least rpc.experimental_subscription_buffer_size")
	}
	nonNegative(&c, "timeout_broadcast_tx_commit", rpc.TimeoutBroadcastTxCommit)
	nonNegative(&c, "max_request_batch_size", rpc.MaxRequestBatchSize)
	nonNegative(&c, "max_body_bytes", rpc.MaxBodyBytes)
	nonNegative(&c, "max_header_bytes", rpc.MaxHeaderBytes)
	return c.err()
}
