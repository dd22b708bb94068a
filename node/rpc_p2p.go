package node

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	"github.com/ballot-bft/ballot/rpc/core"
)

// peerStatesTimeout bounds how long dump_consensus_state waits for the peers' gossip goroutines.
const peerStatesTimeout = 2 * time.Second

// catchingUp reports whether block sync has not caught up yet (status.catching_up).
func (net *network) catchingUp() bool {
	select {
	case <-net.blocksync.Done():
		return false
	default:
		return true
	}
}

// p2pView is the p2p layer as the RPC reads it (net_info, dump_consensus_state, dial_*).
type p2pView struct {
	net          *network
	externalAddr string
}

var _ core.P2P = p2pView{}

func (v p2pView) Listening() bool { return true }

// Listeners is written as CometBFT writes it: the external address, empty when not set.
func (v p2pView) Listeners() []string { return []string{fmt.Sprintf("Listener(@%s)", v.externalAddr)} }

func (v p2pView) Peers() []core.Peer {
	peers := v.net.sw.Peers()
	out := make([]core.Peer, 0, len(peers))
	for _, p := range peers {
		status, ok := v.net.sw.PeerConnectionStatus(p.ID())
		if !ok {
			continue // gone meanwhile
		}
		out = append(out, core.Peer{
			NodeInfo:         p.NodeInfo(),
			IsOutbound:       p.IsOutbound(),
			ConnectionStatus: connectionStatus(status),
			RemoteIP:         remoteIP(p.RemoteAddr()),
		})
	}
	return out
}

// connectionStatus turns a connection's counters into net_info's connection_status.
func connectionStatus(s conn.ConnectionStatus) core.ConnectionStatus {
	out := core.ConnectionStatus{
		Duration:    s.Duration,
		SendMonitor: core.FlowStatus{Bytes: s.SentBytes, Duration: s.Duration, Active: true},
		RecvMonitor: core.FlowStatus{Bytes: s.RecvBytes, Duration: s.Duration, Active: true},
		Channels:    make([]core.ChannelStatus, 0, len(s.Channels)),
	}
	if s.Duration > 0 {
		secs := s.Duration.Seconds()
		out.SendMonitor.AvgRate = int64(float64(s.SentBytes) / secs)
		out.RecvMonitor.AvgRate = int64(float64(s.RecvBytes) / secs)
	}
	for _, ch := range s.Channels {
		out.Channels = append(out.Channels, core.ChannelStatus{
			ID: ch.ID, SendQueueCapacity: ch.SendQueueCapacity, SendQueueSize: ch.SendQueueSize,
			Priority: ch.Priority, RecentlySent: ch.RecentlySent,
		})
	}
	return out
}

func remoteIP(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	if addr == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

func (v p2pView) PeerStates() []core.PeerStateInfo {
	ctx, cancel := context.WithTimeout(context.Background(), peerStatesTimeout)
	defer cancel()
	dumps := v.net.consensus.PeerStates(ctx)
	out := make([]core.PeerStateInfo, 0, len(dumps))
	for _, d := range dumps {
		out = append(out, core.PeerStateInfo{NodeAddress: d.NetAddress, PeerState: d.State})
	}
	return out
}

func (v p2pView) DialSeeds(addrs []string) error { return v.net.sw.DialPeersAsync(addrs) }

func (v p2pView) DialPeers(addrs []string, persistent, unconditional, private bool) error {
	ids := make([]string, 0, len(addrs))
	for _, a := range addrs {
		addr, err := p2p.ParseNetAddress(a)
		if err != nil {
			return err
		}
		ids = append(ids, string(addr.ID))
	}
	if persistent {
		if err := v.net.sw.AddPersistentPeers(addrs); err != nil {
			return err
		}
	}
	if unconditional {
		if err := v.net.sw.AddUnconditionalPeerIDs(ids); err != nil {
			return err
		}
	}
	if private {
		if err := v.net.sw.AddPrivatePeerIDs(ids); err != nil { // tells the address book too
			return err
		}
	}
	return v.net.sw.DialPeersAsync(addrs)
}
