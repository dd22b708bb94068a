package config

import (
	"path/filepath"
	"time"
)

// P2PConfig is the [p2p] section: the peer-to-peer transport and peer
// management.
type P2PConfig struct {
	// RootDir is the home directory (set by SetRoot, not a key).
	RootDir string `toml:"-"`

	// ListenAddress is the address the node accepts peers on.
	ListenAddress string `toml:"laddr"`
	// ExternalAddress is the host:port advertised to peers; empty means
	// the listen address.
	ExternalAddress string `toml:"external_address"`
	// Seeds is a comma-separated list of ID@host:port seed nodes.
	Seeds string `toml:"seeds"`
	// PersistentPeers is a comma-separated list of ID@host:port peers the
	// node keeps connected.
	PersistentPeers string `toml:"persistent_peers"`
	// AddrBook is the address book path (see AddrBookFile).
	AddrBook string `toml:"addr_book_file"`
	// AddrBookStrict accepts only routable addresses; false for local networks.
	AddrBookStrict bool `toml:"addr_book_strict"`
	// MaxNumInboundPeers caps inbound peers.
	MaxNumInboundPeers int `toml:"max_num_inbound_peers"`
	// MaxNumOutboundPeers caps outbound peers, persistent peers excluded.
	MaxNumOutboundPeers int `toml:"max_num_outbound_peers"`
	// UnconditionalPeerIDs is a comma-separated list of IDs exempt from the caps.
	UnconditionalPeerIDs string `toml:"unconditional_peer_ids"`
	// PersistentPeersMaxDialPeriod caps the redial pause of a persistent
	// peer; 0 means exponential backoff.
	PersistentPeersMaxDialPeriod time.Duration `toml:"persistent_peers_max_dial_period"`
	// FlushThrottleTimeout is how long a connection batches outgoing packets.
	FlushThrottleTimeout time.Duration `toml:"flush_throttle_timeout"`
	// MaxPacketMsgPayloadSize is the largest packet payload in bytes (> 0).
	MaxPacketMsgPayloadSize int `toml:"max_packet_msg_payload_size"`
	// SendRate caps the send rate per connection, in bytes per second.
	SendRate int64 `toml:"send_rate"`
	// RecvRate caps the receive rate per connection, in bytes per second.
	RecvRate int64 `toml:"recv_rate"`
	// PexReactor enables peer exchange.
	PexReactor bool `toml:"pex"`
	// SeedMode makes the node crawl the network and hand out addresses.
	SeedMode bool `toml:"seed_mode"`
	// PrivatePeerIDs is a comma-separated list of IDs never gossiped.
	PrivatePeerIDs string `toml:"private_peer_ids"`
	// AllowDuplicateIP allows several peers from one IP address.
	AllowDuplicateIP bool `toml:"allow_duplicate_ip"`
	// HandshakeTimeout bounds the connection handshake.
	HandshakeTimeout time.Duration `toml:"handshake_timeout"`
	// DialTimeout bounds a dial.
	DialTimeout time.Duration `toml:"dial_timeout"`
}

// DefaultP2PConfig returns the default [p2p] section.
func DefaultP2PConfig() *P2PConfig {
	return &P2PConfig{
		ListenAddress:           "tcp://0.0.0.0:26656",
		AddrBook:                filepath.Join(DefaultConfigDir, DefaultAddrBookName),
		AddrBookStrict:          true,
		MaxNumInboundPeers:      40,
		MaxNumOutboundPeers:     10,
		FlushThrottleTimeout:    100 * time.Millisecond,
		MaxPacketMsgPayloadSize: 1024,
		SendRate:                5120000,
		RecvRate:                5120000,
		PexReactor:              true,
		HandshakeTimeout:        20 * time.Second,
		DialTimeout:             3 * time.Second,
	}
}

// TestP2PConfig returns a [p2p] section for tests: 127.0.0.1 with an
// OS-chosen port, local addresses and duplicate IPs allowed.
func TestP2PConfig() *P2PConfig {
	p2p := DefaultP2PConfig()
	p2p.ListenAddress = "tcp://127.0.0.1:0"
	p2p.AddrBookStrict = false
	p2p.AllowDuplicateIP = true
	return p2p
}

// AddrBookFile returns the address book path.
func (p2p *P2PConfig) AddrBookFile() string { return rootify(p2p.AddrBook, p2p.RootDir) }

// ValidateBasic checks the [p2p] keys; see (*Config).ValidateBasic.
func (p2p *P2PConfig) ValidateBasic() error {
	c := checker{section: "p2p"}
	nonNegative(&c, "max_num_inbound_peers", p2p.MaxNumInboundPeers)
	nonNegative(&c, "max_num_outbound_peers", p2p.MaxNumOutboundPeers)
	nonNegative(&c, "persistent_peers_max_dial_period", p2p.PersistentPeersMaxDialPeriod)
	nonNegative(&c, "flush_throttle_timeout", p2p.FlushThrottleTimeout)
	atLeast(&c, "max_packet_msg_payload_size", p2p.MaxPacketMsgPayloadSize, 1, "must be positive")
	nonNegative(&c, "send_rate", p2p.SendRate)
	nonNegative(&c, "recv_rate", p2p.RecvRate)
	nonNegative(&c, "handshake_timeout", p2p.HandshakeTimeout)
	nonNegative(&c, "dial_timeout", p2p.DialTimeout)
	return c.err()
}
