package server

import (
	"time"

	"github.com/ballot-bft/ballot/config"
)

// Config holds the limits and options of one RPC HTTP server (rpc.md §1).
type Config struct {
	// MaxOpenConnections caps simultaneous connections (HTTP and websocket); 0 is
	// unlimited. Connections beyond it wait to be accepted.
	MaxOpenConnections int
	// ReadTimeout bounds reading a request (headers included).
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response, measured from the end of the request
	// headers.
	WriteTimeout time.Duration
	// MaxBodyBytes caps a request body; a larger body gets -32600 with HTTP 400. It is
	// also the websocket message size limit.
	MaxBodyBytes int64
	// MaxHeaderBytes caps request headers.
	MaxHeaderBytes int
	// MaxRequestBatchSize caps the requests in a JSON-RPC batch; 0 is unlimited.
	MaxRequestBatchSize int
	// TLSCertFile and TLSKeyFile, when both set, make the server speak HTTPS.
	TLSCertFile, TLSKeyFile string
	// CORSAllowedOrigins enables CORS when non-empty ("*" allows any origin), with the
	// allowed methods and headers.
	CORSAllowedOrigins, CORSAllowedMethods, CORSAllowedHeaders []string
	// ShutdownTimeout bounds the graceful part of a shutdown; connections still open
	// after it are closed.
	ShutdownTimeout time.Duration
}

// DefaultConfig returns CometBFT's defaults: 900 connections, 10 s timeouts, 1 MB bodies,
// 1 MiB headers, batches of 10, no TLS, no CORS.
func DefaultConfig() *Config {
	return &Config{
		MaxOpenConnections:  900,
		ReadTimeout:         10 * time.Second,
		WriteTimeout:        10 * time.Second,
		MaxBodyBytes:        1000000,
		MaxHeaderBytes:      1 << 20,
		MaxRequestBatchSize: 10,
		ShutdownTimeout:     5 * time.Second,
	}
}

// FromRPCConfig maps the [rpc] section onto a Config. As in CometBFT the write timeout is
// raised to timeout_broadcast_tx_commit + 1 s when that is larger, so a commit wait can
// finish writing its response; TLS file paths are resolved against the config directory.
func FromRPCConfig(rpc *config.RPCConfig) *Config {
	cfg := DefaultConfig()
	cfg.MaxOpenConnections = rpc.MaxOpenConnections
	cfg.MaxBodyBytes = rpc.MaxBodyBytes
	cfg.MaxHeaderBytes = rpc.MaxHeaderBytes
	cfg.MaxRequestBatchSize = rpc.MaxRequestBatchSize
	if commitWait := rpc.TimeoutBroadcastTxCommit + time.Second; cfg.WriteTimeout < commitWait {
		cfg.WriteTimeout = commitWait
	}
	if rpc.IsTLSEnabled() {
		cfg.TLSCertFile, cfg.TLSKeyFile = rpc.CertFile(), rpc.KeyFile()
	}
	if rpc.IsCorsEnabled() {
		cfg.CORSAllowedOrigins = rpc.CORSAllowedOrigins
		cfg.CORSAllowedMethods = rpc.CORSAllowedMethods
		cfg.CORSAllowedHeaders = rpc.CORSAllowedHeaders
	}
	return cfg
}

// WSOptionsFromRPCConfig returns the websocket options the [rpc] section implies: the
// send queue size (experimental_websocket_write_buffer_size) and the message size limit
// (max_body_bytes). experimental_close_on_slow_client is an argument of ForwardEvents.
func WSOptionsFromRPCConfig(rpc *config.RPCConfig) []WSOption {
	return []WSOption{
		WSWriteQueueSize(rpc.WebSocketWriteBufferSize),
		WSReadLimit(rpc.MaxBodyBytes),
	}
}
