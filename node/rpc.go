package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/consensus"
	cscore "github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/rpc/core"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/server"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/version"
)

// Channel IDs the node advertises in its NodeInfo, in CometBFT v0.38's order: block sync,
// consensus (state, data, vote, vote-set bits), mempool, evidence; PEX is added when enabled.
// CometBFT also lists its state sync channels (0x60, 0x61); ballot serves no state sync, and a
// CometBFT peer never sends on a channel its peer does not list.
var nodeInfoChannels = []byte{0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38}

const pexChannel = 0x00

// rpcParts are the parts of a running node the RPC reads that only exist once the handshake is
// done: they are created in runConsensus.
type rpcParts struct {
	state     state.State // after the handshake
	mempool   mempool.Mempool
	consensus *consensusView
	network   *network
}

// rpcEnvironment gathers what the RPC routes read.
func (n *Node) rpcEnvironment(parts rpcParts) (*core.Environment, error) {
	pubKey, err := n.privVal.PubKey()
	if err != nil {
		return nil, fmt.Errorf("rpc: priv validator key: %w", err)
	}
	return &core.Environment{
		Config:       n.cfg.RPC,
		BlockStore:   n.blockStore,
		StateStore:   n.stateStore,
		Consensus:    parts.consensus,
		Mempool:      parts.mempool,
		AppQuery:     n.apps.Query(),
		AppMempool:   n.apps.Mempool(),
		Evidence:     n.evidence,
		TxIndexer:    n.txIndexer,
		BlockIndexer: n.blockIndexer,
		EventBus:     n.eventBus,
		GenesisDoc:   n.genDoc,
		NodeInfo:     parts.network.sw.NodeInfo(),
		PubKey:       pubKey,
		P2P:          p2pView{net: parts.network, externalAddr: n.cfg.P2P.ExternalAddress},
		CatchingUp:   parts.network.catchingUp,
		Logger:       n.logger.With("module", "rpc"),
	}, nil
}

// nodeInfo describes this node to peers and in status, as CometBFT's makeNodeInfo does: the node
// key's ID, the advertised p2p address, the chain, the protocol versions (the app's from st) and
// the channels of the reactors.
func (n *Node) nodeInfo(key *p2p.NodeKey, st state.State) p2p.NodeInfo {
	listenAddr := n.cfg.P2P.ExternalAddress
	if listenAddr == "" {
		listenAddr = n.cfg.P2P.ListenAddress
	}
	channels := append([]byte{}, nodeInfoChannels...)
	if n.cfg.P2P.PexReactor {
		channels = append(channels, pexChannel)
	}
	txIndex := "on"
	if n.cfg.TxIndex.Indexer == config.IndexerNull {
		txIndex = "off"
	}
	return p2p.NodeInfo{
		ProtocolVersion: p2p.NewProtocolVersion(st.Version.Consensus.App),
		ID:              key.ID(),
		ListenAddr:      listenAddr,
		Network:         st.ChainID,
		Version:         version.CometBFT,
		Channels:        channels,
		Moniker:         n.cfg.Moniker,
		Other:           p2p.NodeInfoOther{TxIndex: txIndex, RPCAddress: n.cfg.RPC.ListenAddress},
	}
}

// runRPC serves the RPC on every rpc.laddr address until ctx ends (nil) or a server fails.
func (n *Node) runRPC(ctx context.Context, env *core.Environment) error {
	if n.cfg.RPC.GRPCListenAddress != "" {
		n.logger.With("module", "rpc").Error("rpc.grpc_laddr is set, but ballot does not serve CometBFT's deprecated gRPC broadcast API; use the JSON-RPC's broadcast_tx_* routes",
			"grpc_laddr", n.cfg.RPC.GRPCListenAddress)
	}
	srv, err := n.listenRPC(env)
	if err != nil {
		return err
	}
	return srv.run(ctx)
}

// rpcServer is the RPC handler bound to its listeners, not yet serving.
type rpcServer struct {
	handler   *rpcHandler
	listeners []net.Listener
}

type rpcHandler struct {
	routes map[string]*server.RPCFunc
	wm     *server.WebsocketManager
	cfg    *server.Config
	logger log.Logger
}

// listenRPC builds the routes and binds every address of rpc.laddr (comma-separated). On error
// nothing stays bound.
func (n *Node) listenRPC(env *core.Environment) (*rpcServer, error) {
	routes, err := env.Routes()
	if err != nil {
		return nil, err
	}
	logger := n.logger.With("module", "rpc-server")
	wsOpts := append(server.WSOptionsFromRPCConfig(n.cfg.RPC), server.WSOnDisconnect(env.UnsubscribeClient))
	srv := &rpcServer{handler: &rpcHandler{
		routes: routes,
		wm:     server.NewWebsocketManager(routes, logger.With("protocol", "websocket"), wsOpts...),
		cfg:    server.FromRPCConfig(n.cfg.RPC),
		logger: logger,
	}}
	for _, laddr := range strings.Split(n.cfg.RPC.ListenAddress, ",") {
		laddr = strings.TrimSpace(laddr)
		if laddr == "" {
			continue
		}
		ln, err := server.Listen(laddr)
		if err != nil {
			srv.close()
			return nil, fmt.Errorf("rpc: %w", err)
		}
		srv.listeners = append(srv.listeners, ln)
	}
	if len(srv.listeners) == 0 {
		return nil, errors.New("rpc: rpc.laddr names no address")
	}
	return srv, nil
}

// addrs returns the bound addresses, in rpc.laddr order.
func (s *rpcServer) addrs() []net.Addr {
	addrs := make([]net.Addr, len(s.listeners))
	for i, ln := range s.listeners {
		addrs[i] = ln.Addr()
	}
	return addrs
}

// run serves every listener until ctx ends or one fails; the others are then shut down.
func (s *rpcServer) run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	h := s.handler
	handler := server.NewHandler(h.routes, h.wm, h.logger)
	for _, ln := range s.listeners {
		g.Go(func() error { return server.Serve(ctx, ln, handler, h.cfg, h.logger) })
	}
	s.listeners = nil
	return g.Wait()
}

// close releases listeners that never served.
func (s *rpcServer) close() {
	for _, ln := range s.listeners {
		_ = ln.Close()
	}
	s.listeners = nil
}

// consensusView is the consensus driver as the RPC reads it: the published snapshot's view of the
// current height, turned into the RPC's round state. Before the driver runs (while block sync
// catches up) and before its machine runs, only the position and the validator sets are known:
// they come from the latest saved state.
type consensusView struct {
	driver atomic.Pointer[consensus.Driver]
	states *state.DBStore
}

func newConsensusView(states *state.DBStore) *consensusView { return &consensusView{states: states} }

// attach makes the view follow driver from now on.
func (c *consensusView) attach(driver *consensus.Driver) { c.driver.Store(driver) }

// snapshot returns the driver's latest snapshot, or one made from the latest saved state while
// no driver runs.
func (c *consensusView) snapshot() *consensus.Snapshot {
	if d := c.driver.Load(); d != nil {
		return d.Snapshot()
	}
	st, err := c.states.Load()
	if err != nil {
		st = state.State{} // a read error leaves the position unknown: height 1, no validators
	}
	return &consensus.Snapshot{State: st, HRS: cscore.HRS{Height: st.LastBlockHeight + 1, Step: cscore.StepNewHeight}}
}

func (c *consensusView) Height() int64 { return c.snapshot().HRS.Height }

func (c *consensusView) RoundState() *core.RoundState {
	snap := c.snapshot()
	if v := snap.View; v != nil {
		return core.RoundStateFromView(v)
	}
	return &core.RoundState{
		Height:         snap.HRS.Height,
		Round:          snap.HRS.Round,
		Step:           uint8(snap.HRS.Step),
		Validators:     snap.State.Validators,
		LockedRound:    -1,
		ValidRound:     -1,
		CommitRound:    -1,
		Votes:          []core.RoundVotes{},
		LastValidators: snap.State.LastValidators,
	}
}
