package core

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/types"
)

// genesisChunkSize is the size of the genesis JSON slices genesis_chunked serves (16 MiB).
const genesisChunkSize = 16 * 1024 * 1024

// Health answers {} while the node runs.
func (env *Environment) Health(*rpctypes.Context) (*ResultHealth, error) {
	return &ResultHealth{}, nil
}

// Status reports the node, the block store's range and this node's validator key and power.
func (env *Environment) Status(*rpctypes.Context) (*ResultStatus, error) {
	var sync SyncInfo
	if base := env.BlockStore.Base(); base > 0 {
		if meta, err := env.BlockStore.LoadBlockMeta(base); err == nil {
			sync.EarliestBlockHash = meta.BlockID.Hash
			sync.EarliestAppHash = meta.Header.AppHash
			sync.EarliestBlockHeight = meta.Header.Height
			sync.EarliestBlockTime = meta.Header.Time
		}
	}
	latest := env.BlockStore.Height()
	sync.LatestBlockHeight = latest
	if latest > 0 {
		if meta, err := env.BlockStore.LoadBlockMeta(latest); err == nil {
			sync.LatestBlockHash = meta.BlockID.Hash
			sync.LatestAppHash = meta.Header.AppHash
			sync.LatestBlockTime = meta.Header.Time
		}
	}
	// An empty store reports the Unix epoch, as CometBFT does.
	if sync.EarliestBlockTime.IsZero() {
		sync.EarliestBlockTime = time.Unix(0, 0).UTC()
	}
	if sync.LatestBlockTime.IsZero() {
		sync.LatestBlockTime = time.Unix(0, 0).UTC()
	}
	sync.CatchingUp = env.catchingUp()

	// The power of the validator set that comes next, not the one of the last block.
	var power int64
	if vals, err := env.StateStore.LoadValidators(env.latestUncommittedHeight()); err == nil {
		if _, val := vals.GetByAddress(env.PubKey.Address()); val != nil {
			power = val.VotingPower
		}
	}
	return &ResultStatus{
		NodeInfo: env.NodeInfo,
		SyncInfo: sync,
		ValidatorInfo: ValidatorInfo{
			Address:     env.PubKey.Address(),
			PubKey:      env.PubKey,
			VotingPower: power,
		},
	}, nil
}

// NetInfo reports the peer-to-peer listeners and the connected peers.
func (env *Environment) NetInfo(*rpctypes.Context) (*ResultNetInfo, error) {
	if env.P2P == nil {
		return &ResultNetInfo{Listeners: []string{}, Peers: []Peer{}}, nil
	}
	peers := env.P2P.Peers()
	if peers == nil {
		peers = []Peer{}
	}
	listeners := env.P2P.Listeners()
	if listeners == nil {
		listeners = []string{}
	}
	return &ResultNetInfo{
		Listening: env.P2P.Listening(),
		Listeners: listeners,
		NPeers:    len(peers),
		Peers:     peers,
	}, nil
}

// Genesis returns the genesis document, unless its JSON is over one chunk (then
// genesis_chunked must be used).
func (env *Environment) Genesis(*rpctypes.Context) (*ResultGenesis, error) {
	if len(env.genesisChunks) > 1 {
		return nil, errors.New("genesis response is large, please use the genesis_chunked API instead")
	}
	return &ResultGenesis{Genesis: env.GenesisDoc}, nil
}

// GenesisChunked returns chunk number chunk of the genesis JSON.
func (env *Environment) GenesisChunked(_ *rpctypes.Context, chunk uint) (*ResultGenesisChunk, error) {
	if len(env.genesisChunks) == 0 {
		return nil, errors.New("service configuration error, there are no chunks")
	}
	if chunk > uint(len(env.genesisChunks)-1) {
		// CometBFT prints the last chunk number where it says the count.
		return nil, fmt.Errorf("there are %d chunks, %d is invalid", len(env.genesisChunks)-1, chunk)
	}
	return &ResultGenesisChunk{
		ChunkNumber: int(chunk),
		TotalChunks: len(env.genesisChunks),
		Data:        env.genesisChunks[chunk],
	}, nil
}

// genesisChunks splits the JSON of doc into base64-encoded slices of size bytes.
func genesisChunks(doc *types.GenesisDoc, size int) ([]string, error) {
	data, err := cmtjson.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("rpc: encoding the genesis document: %w", err)
	}
	var chunks []string
	for start := 0; start < len(data); start += size {
		end := min(start+size, len(data))
		chunks = append(chunks, base64.StdEncoding.EncodeToString(data[start:end]))
	}
	return chunks, nil
}

// UnsafeDialSeeds asks the switch to dial seeds ("id@host:port").
func (env *Environment) UnsafeDialSeeds(_ *rpctypes.Context, seeds []string) (*ResultDialSeeds, error) {
	if len(seeds) == 0 {
		return nil, errors.New("no seeds provided")
	}
	if env.P2P == nil {
		return nil, ErrNoP2P
	}
	env.logger().Info("DialSeeds", "seeds", seeds)
	if err := env.P2P.DialSeeds(seeds); err != nil {
		return nil, err
	}
	return &ResultDialSeeds{Log: "Dialing seeds in progress. See /net_info for details"}, nil
}

// UnsafeDialPeers asks the switch to dial peers ("id@host:port"), recording them as persistent,
// unconditional or private first.
func (env *Environment) UnsafeDialPeers(_ *rpctypes.Context, peers []string, persistent, unconditional, private bool) (*ResultDialPeers, error) {
	if len(peers) == 0 {
		return nil, errors.New("no peers provided")
	}
	for _, peer := range peers {
		if strings.Count(peer, "@") != 1 {
			return nil, fmt.Errorf("address (%s) does not contain ID", peer)
		}
	}
	if env.P2P == nil {
		return nil, ErrNoP2P
	}
	env.logger().Info("DialPeers", "peers", peers, "persistent", persistent, "unconditional", unconditional, "private", private)
	if err := env.P2P.DialPeers(peers, persistent, unconditional, private); err != nil {
		return nil, err
	}
	return &ResultDialPeers{Log: "Dialing peers in progress. See /net_info for details"}, nil
}

// UnsafeFlushMempool removes every transaction from the mempool and empties its cache.
func (env *Environment) UnsafeFlushMempool(*rpctypes.Context) (*ResultUnsafeFlushMempool, error) {
	env.Mempool.Flush()
	return &ResultUnsafeFlushMempool{}, nil
}
