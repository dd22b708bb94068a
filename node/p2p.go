package node

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ballot-bft/ballot/blocksync"
	csreactor "github.com/ballot-bft/ballot/consensus/reactor"
	"github.com/ballot-bft/ballot/crypto"
	evreactor "github.com/ballot-bft/ballot/evidence/reactor"
	"github.com/ballot-bft/ballot/mempool"
	mpreactor "github.com/ballot-bft/ballot/mempool/reactor"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/pex"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state"
)

// Reactor names, as CometBFT registers them on its switch (and in that order).
const (
	reactorMempool   = "MEMPOOL"
	reactorBlockSync = "BLOCKSYNC"
	reactorConsensus = "CONSENSUS"
	reactorEvidence  = "EVIDENCE"
	reactorPEX       = "PEX"
)

// deliverTimeout bounds how long a peer's consensus message waits for room in the driver's inbox.
const deliverTimeout = 10 * time.Second

// network is the node's peer-to-peer layer: the listener, the switch, the address book and the
// reactors. The node builds it after the handshake and runs it until it stops.
type network struct {
	info      p2p.NodeInfo
	transport *p2p.TCPTransport
	sw        *p2p.PeerSwitch
	book      *pex.AddrBook
	consensus *csreactor.Reactor
	blocksync *blocksync.Reactor
	mempool   *mpreactor.Reactor
	evidence  *evreactor.Reactor
	pex       *pex.Reactor // nil when p2p.pex is off
}

// newNetwork binds the p2p listener and builds the switch and its reactors for a node whose
// state after the handshake is st. Nothing runs until run. On error nothing stays bound.
func (n *Node) newNetwork(st state.State, mp mempool.Mempool, exec *state.BlockExecutor) (net *network, err error) {
	key, _, err := p2p.LoadOrGenNodeKey(n.cfg.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("p2p: node key: %w", err)
	}
	pubKey, err := n.privVal.PubKey()
	if err != nil {
		return nil, fmt.Errorf("p2p: priv validator key: %w", err)
	}
	logger := n.logger.With("module", "p2p")
	net = &network{info: n.nodeInfo(key, st)}

	if net.book, err = pex.NewAddrBook(n.cfg.P2P.AddrBookFile(), n.cfg.P2P.AddrBookStrict, rand.Uint64(), logger); err != nil {
		return nil, fmt.Errorf("p2p: address book: %w", err)
	}
	if net.transport, err = p2p.Listen(n.cfg.P2P.ListenAddress); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = net.transport.Close()
		}
	}()
	opts := append([]p2p.SwitchOption{p2p.WithAddrBook(net.book)}, n.metrics.switchOptions()...)
	if n.cfg.FilterPeers {
		opts = append(opts, p2p.WithAddrFilter(n.filterPeerAddr), p2p.WithIDFilter(n.filterPeerID))
	}
	if net.sw, err = p2p.NewSwitch(n.cfg.P2P, key, net.info, net.transport, n.logger, opts...); err != nil {
		return nil, err
	}

	cons := n.cfg.Consensus
	net.consensus, err = csreactor.New(
		csreactor.Config{PeerQueryMaj23SleepDuration: cons.PeerQueryMaj23SleepDuration, DeliverTimeout: deliverTimeout},
		csreactor.Deps{BlockStore: n.blockStore, InitialHeight: n.genDoc.InitialHeight,
			Logger: n.logger.With("module", "consensus"), Seed: rand.Uint64()})
	if err != nil {
		return nil, err
	}
	net.consensus.SetSwitch(net.sw)

	syncCfg := blocksync.DefaultConfig()
	syncCfg.LocalAddress = pubKey.Address()
	sync := !onlyValidatorIsUs(st, pubKey.Address())
	net.blocksync, err = blocksync.New(syncCfg, st, sync, blocksync.Deps{
		Switch: net.sw, BlockStore: n.blockStore, StateStore: n.stateStore, Executor: exec,
		Logger: n.logger.With("module", "blocksync"), Metrics: n.metrics.blocksync,
	})
	if err != nil {
		return nil, err
	}
	net.mempool = mpreactor.New(n.cfg.Mempool, mp, net.sw,
		mpreactor.WithLogger(n.logger.With("module", "mempool")), mpreactor.WithPeerHeights(net.consensus),
		mpreactor.WithMetrics(n.metrics.mempool))
	net.evidence, err = evreactor.New(n.evidence, net.sw, net.consensus, evreactor.WithLogger(n.logger.With("module", "evidence")))
	if err != nil {
		return nil, err
	}

	net.sw.AddReactor(reactorMempool, net.mempool)
	net.sw.AddReactor(reactorBlockSync, net.blocksync)
	net.sw.AddReactor(reactorConsensus, net.consensus)
	net.sw.AddReactor(reactorEvidence, net.evidence)
	if n.cfg.P2P.PexReactor {
		if net.pex, err = pex.NewReactor(net.book, net.sw, pex.ConfigFromP2P(n.cfg.P2P), logger); err != nil {
			return nil, err
		}
		net.sw.AddReactor(reactorPEX, net.pex)
	}
	return net, nil
}

// onlyValidatorIsUs reports whether this node holds the chain's only validator key: it then has
// nobody to sync from and starts consensus at once.
func onlyValidatorIsUs(st state.State, address crypto.Address) bool {
	if st.Validators == nil || st.Validators.Size() != 1 {
		return false
	}
	addr, _ := st.Validators.GetByIndex(0)
	return bytes.Equal(addr, address)
}

// run runs the switch and every reactor until ctx is done (nil) or one of them fails.
func (net *network) run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return net.sw.Run(ctx) })
	g.Go(func() error { return net.consensus.Run(ctx) })
	g.Go(func() error { return net.blocksync.Run(ctx) })
	g.Go(func() error { return net.mempool.Run(ctx) })
	g.Go(func() error { return net.evidence.Run(ctx) })
	g.Go(func() error {
		select { // the PEX reactor starts once the switch accepts and dials
		case <-net.sw.Started():
		case <-ctx.Done():
			return nil
		}
		if net.pex != nil {
			return net.pex.Run(ctx)
		}
		net.book.Run(ctx) // without PEX the book still keeps and saves what the switch learns
		return nil
	})
	return g.Wait()
}

// filterPeerAddr asks the application whether to accept a connection from or to addr
// (filter_peers): a non-zero code from the query /p2p/filter/addr/<ip:port> refuses it.
func (n *Node) filterPeerAddr(addr p2p.NetAddress) error {
	return n.filterPeer("/p2p/filter/addr/" + addr.DialString())
}

// filterPeerID asks the application whether to accept the peer with id (filter_peers): a
// non-zero code from the query /p2p/filter/id/<id> refuses it.
func (n *Node) filterPeerID(id p2p.ID) error {
	return n.filterPeer("/p2p/filter/id/" + string(id))
}

func (n *Node) filterPeer(path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), deliverTimeout)
	defer cancel()
	res, err := n.apps.Query().Query(ctx, &abci.RequestQuery{Path: path})
	if err != nil {
		return fmt.Errorf("asking the application (%s): %w", path, err)
	}
	if res.Code != 0 {
		return fmt.Errorf("the application refused the peer (%s): code %d, %s", path, res.Code, res.Log)
	}
	return nil
}
