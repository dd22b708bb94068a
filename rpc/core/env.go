package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/p2p"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/types"
)

// The interfaces below are what the routes use of the node's parts. Every method may be called
// from any goroutine, concurrently; values returned belong to the caller unless said otherwise.

// BlockStore is the committed chain (*blockstore.BlockStore). Load methods fail with an error
// when nothing is stored for the height or hash.
type BlockStore interface {
	// Base and Height are the lowest and highest stored heights; 0 when the store is empty.
	Base() int64
	Height() int64
	LoadBlockMeta(height int64) (*types.BlockMeta, error)
	LoadBlockMetaByHash(hash []byte) (*types.BlockMeta, error)
	LoadBlock(height int64) (*types.Block, error)
	LoadBlockByHash(hash []byte) (*types.Block, error)
	// LoadBlockCommit is the commit of height carried by block height+1.
	LoadBlockCommit(height int64) (*types.Commit, error)
	// LoadSeenCommit is the commit this node saw for height.
	LoadSeenCommit(height int64) (*types.Commit, error)
}

// StateStore is the state history (*state.DBStore). LoadFinalizeBlockResponse fails with an
// error wrapping state.ErrNotFound when no response is stored for the height and with
// state.ErrFinalizeBlockResponsesNotPersisted when responses are discarded.
type StateStore interface {
	LoadValidators(height int64) (*types.ValidatorSet, error)
	LoadConsensusParams(height int64) (types.ConsensusParams, error)
	LoadFinalizeBlockResponse(height int64) (*abci.ResponseFinalizeBlock, error)
}

// Mempool is the node's mempool (mempool.Mempool); see that interface for the meaning of
// CheckTx's results and admission errors, which the broadcast routes report verbatim.
type Mempool interface {
	CheckTx(ctx context.Context, tx types.Tx, sender p2p.ID) (*abci.ResponseCheckTx, error)
	CheckTxAsync(ctx context.Context, tx types.Tx, sender p2p.ID, cb func(*abci.ResponseCheckTx, error)) error
	// ReapMaxTxs returns up to max transactions in admission order; they must not be modified.
	ReapMaxTxs(max int) types.Txs
	Size() int
	SizeBytes() int64
	// Flush empties the pool and its cache (unsafe_flush_mempool).
	Flush()
}

// AppQuery is the application's query connection (appconn.Query): abci_info, abci_query.
type AppQuery interface {
	Info(ctx context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error)
	Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error)
}

// AppMempool is the application's mempool connection (appconn.Mempool): check_tx asks the app
// directly, without touching the mempool.
type AppMempool interface {
	CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error)
}

// EvidencePool takes evidence from broadcast_evidence (*evidence.Pool): AddEvidence verifies it
// and keeps it as pending.
type EvidencePool interface {
	AddEvidence(ev types.Evidence) error
}

// TxIndexer is the transaction indexer (txindex.TxIndexer); see there for Get and Search.
type TxIndexer interface {
	Get(hash []byte) (*abci.TxResult, error)
	Search(ctx context.Context, q *query.Query, opts txindex.SearchOptions) ([]*abci.TxResult, int, error)
}

// BlockIndexer is the block indexer (indexer.BlockIndexer); Search returns matching heights,
// each once.
type BlockIndexer interface {
	Search(ctx context.Context, q *query.Query) ([]int64, error)
}

// EventBus is the node's event bus (*types.EventBus), for subscriptions and
// broadcast_tx_commit.
type EventBus interface {
	Subscribe(ctx context.Context, subscriber string, q pubsub.Query, outCapacity int) (*pubsub.Subscription, error)
	Unsubscribe(ctx context.Context, subscriber string, q pubsub.Query) error
	UnsubscribeAll(ctx context.Context, subscriber string) error
	// NumClients counts subscribers with at least one subscription (internal ones included).
	NumClients() int
	NumClientSubscriptions(subscriber string) int
}

// ConsensusState is the consensus driver as the routes see it. Neither method may wait on
// consensus.
type ConsensusState interface {
	// Height is the height consensus is deciding, as last published: every block below it has
	// been executed and its results, validators and params are stored. (The block store may
	// already hold the block of Height while it executes.)
	Height() int64
	// RoundState returns the latest published round state, never nil. The value is shared and
	// must not be modified.
	RoundState() *RoundState
}

// P2P is the peer-to-peer switch. The routes only read peers and ask for dials.
type P2P interface {
	// Listening reports whether the node accepts peer connections; Listeners describes the
	// listeners (CometBFT writes "Listener(@<external address>)").
	Listening() bool
	Listeners() []string
	// Peers describes the connected peers, for net_info.
	Peers() []Peer
	// PeerStates returns each peer's consensus state (dump_consensus_state).
	PeerStates() []PeerStateInfo
	// DialSeeds dials the seeds ("id@host:port") in the background; an error means an address
	// is invalid and nothing was dialed.
	DialSeeds(addrs []string) error
	// DialPeers dials the peers ("id@host:port") in the background, first recording them as
	// persistent, unconditional or private as asked; an error means nothing was dialed.
	DialPeers(addrs []string, persistent, unconditional, private bool) error
}

// Environment holds what the routes read. The node fills it once, before Routes; it must not
// change afterwards. Every field is required except P2P, CatchingUp and Logger.
type Environment struct {
	// Config is the [rpc] section: unsafe routes, subscription limits and buffer, slow-client
	// policy, broadcast_tx_commit timeout.
	Config *config.RPCConfig

	BlockStore   BlockStore
	StateStore   StateStore
	Consensus    ConsensusState
	Mempool      Mempool
	AppQuery     AppQuery
	AppMempool   AppMempool
	Evidence     EvidencePool
	TxIndexer    TxIndexer
	BlockIndexer BlockIndexer
	EventBus     EventBus

	// GenesisDoc is the chain's genesis document, after ValidateAndComplete.
	GenesisDoc *types.GenesisDoc
	// NodeInfo is what status reports about this node (p2p.NodeInfo's JSON form).
	NodeInfo p2p.NodeInfo
	// PubKey is the node's validator key (status.validator_info).
	PubKey crypto.PubKey

	// P2P is nil while the node runs without a peer-to-peer layer: net_info then reports no
	// listener and no peers, dump_consensus_state no peers, and the dial routes fail with
	// ErrNoP2P.
	P2P P2P
	// CatchingUp reports whether the node is block- or state-syncing (status.catching_up; the
	// validators and consensus_params routes then default to the store height). Nil: never.
	CatchingUp func() bool

	Logger log.Logger // nil: no logging

	genesisChunks []string // base64 chunks of the genesis JSON; set by Routes
}

// ErrNoP2P is the error of dial_seeds and dial_peers on a node without a peer-to-peer layer.
var ErrNoP2P = errors.New("dialing is not supported: this node runs without a peer-to-peer layer")

// check reports the first missing required field.
func (env *Environment) check() error {
	missing := func(name string) error { return fmt.Errorf("rpc environment: %s is not set", name) }
	switch {
	case env.Config == nil:
		return missing("Config")
	case env.BlockStore == nil:
		return missing("BlockStore")
	case env.StateStore == nil:
		return missing("StateStore")
	case env.Consensus == nil:
		return missing("Consensus")
	case env.Mempool == nil:
		return missing("Mempool")
	case env.AppQuery == nil:
		return missing("AppQuery")
	case env.AppMempool == nil:
		return missing("AppMempool")
	case env.Evidence == nil:
		return missing("Evidence")
	case env.TxIndexer == nil:
		return missing("TxIndexer")
	case env.BlockIndexer == nil:
		return missing("BlockIndexer")
	case env.EventBus == nil:
		return missing("EventBus")
	case env.GenesisDoc == nil:
		return missing("GenesisDoc")
	case env.PubKey == nil:
		return missing("PubKey")
	}
	return nil
}

func (env *Environment) logger() log.Logger {
	if env.Logger == nil {
		return log.NewNop()
	}
	return env.Logger
}

func (env *Environment) catchingUp() bool {
	return env.CatchingUp != nil && env.CatchingUp()
}
