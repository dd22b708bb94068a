package p2p

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/ballot-bft/ballot/crypto"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
	"github.com/ballot-bft/ballot/version"
)

// MaxNodeInfoSize is the largest encoded NodeInfo accepted from a peer, in bytes (length prefix
// excluded).
const MaxNodeInfoSize = 10240

// maxNumChannels is the most channels a NodeInfo may list.
const maxNumChannels = 16

// Errors of the NodeInfo acceptance checks (CheckPeerNodeInfo); returned wrapped with details.
var (
	// ErrInvalidNodeInfo: the peer's NodeInfo fails Validate.
	ErrInvalidNodeInfo = errors.New("invalid node info")
	// ErrNodeIDMismatch: the NodeInfo's ID is not the ID of the key the peer authenticated with.
	ErrNodeIDMismatch = errors.New("node info ID differs from the authenticated ID")
	// ErrSelfConnection: the peer is this node.
	ErrSelfConnection = errors.New("connected to self")
	// ErrIncompatibleNodeInfo: the peer fails CompatibleWith.
	ErrIncompatibleNodeInfo = errors.New("incompatible peer")
)

// ProtocolVersion holds the protocol versions a node runs. In JSON (RPC /status) the numbers are
// strings, as CometBFT writes them.
type ProtocolVersion struct {
	P2P   uint64 `json:"p2p,string"`
	Block uint64 `json:"block,string"`
	App   uint64 `json:"app,string"`
}

// NewProtocolVersion returns ballot's p2p and block protocol versions with the given app version.
func NewProtocolVersion(app uint64) ProtocolVersion {
	return ProtocolVersion{P2P: version.P2PProtocol, Block: version.BlockProtocol, App: app}
}

// NodeInfoOther holds the optional, informational parts of a NodeInfo.
type NodeInfoOther struct {
	// TxIndex is "on", "off" or empty.
	TxIndex string `json:"tx_index"`
	// RPCAddress is the node's RPC listen address.
	RPCAddress string `json:"rpc_address"`
}

// NodeInfo is what a node tells a peer about itself right after the SecretConnection handshake
// (tendermint.p2p.DefaultNodeInfo). Its JSON form is the "node_info" of RPC /status. A NodeInfo
// from a peer is untrusted until CheckPeerNodeInfo accepts it.
type NodeInfo struct {
	ProtocolVersion ProtocolVersion `json:"protocol_version"`
	// ID is the node ID; a peer's must equal the ID of its authenticated node key.
	ID ID `json:"id"`
	// ListenAddr is where the node accepts peers, e.g. "tcp://0.0.0.0:26656".
	ListenAddr string `json:"listen_addr"`
	// Network is the chain ID.
	Network string `json:"network"`
	// Version is the software version, e.g. "0.38.26"; informational only.
	Version string `json:"version"`
	// Channels are the IDs of the channels the node's reactors use.
	Channels crypto.HexBytes `json:"channels"`
	// Moniker is the operator-chosen node name.
	Moniker string        `json:"moniker"`
	Other   NodeInfoOther `json:"other"`
}

// Validate checks the NodeInfo as CometBFT v0.38 does before accepting a peer: "<id>@<listen
// address without proto://>" parses as a NetAddress (the host resolving, if it is a name);
// Version is empty or non-blank printable ASCII; at most 16 channels and none twice; Moniker is
// non-blank printable ASCII; TxIndex is "", "on" or "off"; RPCAddress is empty or non-blank
// printable ASCII. Network and protocol versions are checked by CompatibleWith.
func (info NodeInfo) Validate() error {
	if _, err := info.NetAddress(); err != nil {
		return fmt.Errorf("listen address: %w", err)
	}
	if info.Version != "" && !isASCIIText(info.Version) {
		return fmt.Errorf("version %q is not printable ASCII text", info.Version)
	}
	if len(info.Channels) > maxNumChannels {
		return fmt.Errorf("%d channels, at most %d allowed", len(info.Channels), maxNumChannels)
	}
	var seen [256]bool
	for _, ch := range info.Channels {
		if seen[ch] {
			return fmt.Errorf("channel %#02x listed twice", ch)
		}
		seen[ch] = true
	}
	if !isASCIIText(info.Moniker) {
		return fmt.Errorf("moniker %q is not non-empty printable ASCII text", info.Moniker)
	}
	switch info.Other.TxIndex {
	case "", "on", "off":
	default:
		return fmt.Errorf("tx_index %q is not \"on\", \"off\" or empty", info.Other.TxIndex)
	}
	if info.Other.RPCAddress != "" && !isASCIIText(info.Other.RPCAddress) {
		return fmt.Errorf("rpc_address %q is not printable ASCII text", info.Other.RPCAddress)
	}
	return nil
}

// isASCIIText reports whether s is non-empty, all printable ASCII (0x20..0x7e), and not only
// spaces.
func isASCIIText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return strings.Trim(s, " ") != ""
}

// CompatibleWith reports whether a node described by info can be a peer of one described by
// other: the block protocol versions and networks are equal and, unless info lists no
// channels, they share at least one channel. The p2p and app versions and the software version
// are deliberately not compared.
func (info NodeInfo) CompatibleWith(other NodeInfo) error {
	if info.ProtocolVersion.Block != other.ProtocolVersion.Block {
		return fmt.Errorf("peer runs block protocol %d, we run %d", other.ProtocolVersion.Block, info.ProtocolVersion.Block)
	}
	if info.Network != other.Network {
		return fmt.Errorf("peer is on network %q, we are on %q", other.Network, info.Network)
	}
	if len(info.Channels) == 0 {
		return nil
	}
	for _, ch := range info.Channels {
		if other.HasChannel(ch) {
			return nil
		}
	}
	return fmt.Errorf("no common channel: ours %X, peer's %X", []byte(info.Channels), []byte(other.Channels))
}

// HasChannel reports whether the node lists channel chID.
func (info NodeInfo) HasChannel(chID byte) bool { return bytes.IndexByte(info.Channels, chID) >= 0 }

// NetAddress returns the address "<id>@<listen address>" (proto:// prefix dropped) the node
// says it accepts peers on, resolving a host name. The listen address is self-reported and not
// authenticated. Errors are ParseNetAddress's.
func (info NodeInfo) NetAddress() (NetAddress, error) {
	return ParseNetAddress(string(info.ID) + "@" + removeProtocol(info.ListenAddr))
}

// CheckPeerNodeInfo runs the checks a node applies, in CometBFT's order, to the NodeInfo theirs
// a peer sent: theirs.Validate(); theirs.ID equals authenticatedID, the ID of the key the peer
// proved in the SecretConnection handshake; it is not ours.ID; ours.CompatibleWith(theirs).
// Errors wrap ErrInvalidNodeInfo, ErrNodeIDMismatch, ErrSelfConnection or
// ErrIncompatibleNodeInfo.
func CheckPeerNodeInfo(ours, theirs NodeInfo, authenticatedID ID) error {
	if err := theirs.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidNodeInfo, err)
	}
	if theirs.ID != authenticatedID {
		return fmt.Errorf("%w: node info says %q, key is %q", ErrNodeIDMismatch, theirs.ID, authenticatedID)
	}
	if theirs.ID == ours.ID {
		return fmt.Errorf("%w: %s", ErrSelfConnection, theirs.ID)
	}
	if err := ours.CompatibleWith(theirs); err != nil {
		return fmt.Errorf("%w: %v", ErrIncompatibleNodeInfo, err)
	}
	return nil
}

// ToProto returns the wire form. It shares Channels with info.
func (info NodeInfo) ToProto() *tmp2p.DefaultNodeInfo {
	return &tmp2p.DefaultNodeInfo{
		ProtocolVersion: tmp2p.ProtocolVersion{
			P2P:   info.ProtocolVersion.P2P,
			Block: info.ProtocolVersion.Block,
			App:   info.ProtocolVersion.App,
		},
		DefaultNodeID: string(info.ID),
		ListenAddr:    info.ListenAddr,
		Network:       info.Network,
		Version:       info.Version,
		Channels:      info.Channels,
		Moniker:       info.Moniker,
		Other: tmp2p.DefaultNodeInfoOther{
			TxIndex:    info.Other.TxIndex,
			RPCAddress: info.Other.RPCAddress,
		},
	}
}

// NodeInfoFromProto converts the wire form without validating it (see Validate). It fails only
// for a nil pb. The result shares Channels with pb.
func NodeInfoFromProto(pb *tmp2p.DefaultNodeInfo) (NodeInfo, error) {
	if pb == nil {
		return NodeInfo{}, errors.New("node info from proto: nil")
	}
	return NodeInfo{
		ProtocolVersion: ProtocolVersion{
			P2P:   pb.ProtocolVersion.P2P,
			Block: pb.ProtocolVersion.Block,
			App:   pb.ProtocolVersion.App,
		},
		ID:         ID(pb.DefaultNodeID),
		ListenAddr: pb.ListenAddr,
		Network:    pb.Network,
		Version:    pb.Version,
		Channels:   pb.Channels,
		Moniker:    pb.Moniker,
		Other: NodeInfoOther{
			TxIndex:    pb.Other.TxIndex,
			RPCAddress: pb.Other.RPCAddress,
		},
	}, nil
}
