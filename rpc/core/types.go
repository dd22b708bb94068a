package core

import (
	"encoding/json"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/p2p"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// Result types. Their JSON, written by libs/json, is CometBFT v0.38's (rpc.md §3, §5): int64 and
// int as decimal strings, hashes as upper-case hex, bytes as base64. Routes return them by
// pointer, which makes the ABCI results inside them addressable and so written with every field
// (jsonpb), as CometBFT does.

// ResultHealth is health's empty result.
type ResultHealth struct{}

// ResultStatus is status's result.
type ResultStatus struct {
	NodeInfo      p2p.NodeInfo  `json:"node_info"`
	SyncInfo      SyncInfo      `json:"sync_info"`
	ValidatorInfo ValidatorInfo `json:"validator_info"`
}

// SyncInfo is the block store's range and the sync status. Hashes are empty, heights 0 and times
// the Unix epoch when the store is empty.
type SyncInfo struct {
	LatestBlockHash   crypto.HexBytes `json:"latest_block_hash"`
	LatestAppHash     crypto.HexBytes `json:"latest_app_hash"`
	LatestBlockHeight int64           `json:"latest_block_height"`
	LatestBlockTime   time.Time       `json:"latest_block_time"`

	EarliestBlockHash   crypto.HexBytes `json:"earliest_block_hash"`
	EarliestAppHash     crypto.HexBytes `json:"earliest_app_hash"`
	EarliestBlockHeight int64           `json:"earliest_block_height"`
	EarliestBlockTime   time.Time       `json:"earliest_block_time"`

	CatchingUp bool `json:"catching_up"`
}

// ValidatorInfo is this node's validator key and its voting power at the next height (0 when
// it is not in the set).
type ValidatorInfo struct {
	Address     crypto.Address `json:"address"`
	PubKey      crypto.PubKey  `json:"pub_key"`
	VotingPower int64          `json:"voting_power"`
}

// ResultNetInfo is net_info's result.
type ResultNetInfo struct {
	Listening bool     `json:"listening"`
	Listeners []string `json:"listeners"`
	NPeers    int      `json:"n_peers"`
	Peers     []Peer   `json:"peers"`
}

// Peer is one connected peer in net_info.
type Peer struct {
	NodeInfo         p2p.NodeInfo     `json:"node_info"`
	IsOutbound       bool             `json:"is_outbound"`
	ConnectionStatus ConnectionStatus `json:"connection_status"`
	RemoteIP         string           `json:"remote_ip"`
}

// ConnectionStatus is a peer connection's traffic statistics. CometBFT writes it with Go field
// names (no json tags), and so does this type.
type ConnectionStatus struct {
	Duration    time.Duration
	SendMonitor FlowStatus
	RecvMonitor FlowStatus
	Channels    []ChannelStatus
}

// FlowStatus is one direction's traffic statistics (CometBFT's flowrate.Status).
type FlowStatus struct {
	Start    time.Time
	Bytes    int64
	Samples  int64
	InstRate int64
	CurRate  int64
	AvgRate  int64
	PeakRate int64
	BytesRem int64
	Duration time.Duration
	Idle     time.Duration
	TimeRem  time.Duration
	Progress uint32
	Active   bool
}

// ChannelStatus is one channel's queue statistics.
type ChannelStatus struct {
	ID                byte
	SendQueueCapacity int
	SendQueueSize     int
	Priority          int
	RecentlySent      int64
}

// ResultDialSeeds is dial_seeds's result.
type ResultDialSeeds struct {
	Log string `json:"log"`
}

// ResultDialPeers is dial_peers's result.
type ResultDialPeers struct {
	Log string `json:"log"`
}

// ResultBlockchainInfo is blockchain's result: block metas newest first.
type ResultBlockchainInfo struct {
	LastHeight int64              `json:"last_height"`
	BlockMetas []*types.BlockMeta `json:"block_metas"`
}

// ResultGenesis is genesis's result.
type ResultGenesis struct {
	Genesis *types.GenesisDoc `json:"genesis"`
}

// ResultGenesisChunk is one chunk of the genesis JSON, base64-encoded.
type ResultGenesisChunk struct {
	ChunkNumber int    `json:"chunk"`
	TotalChunks int    `json:"total"`
	Data        string `json:"data"`
}

// ResultBlock is a block with its ID (block, block_by_hash, block_search entries). An unknown
// block is an empty BlockID and a nil Block.
type ResultBlock struct {
	BlockID types.BlockID `json:"block_id"`
	Block   *types.Block  `json:"block"`
}

// ResultHeader is a header (header, header_by_hash); nil when unknown.
type ResultHeader struct {
	Header *types.Header `json:"header"`
}

// ResultCommit is a header with its commit. Canonical is false for the latest height, whose
// commit is the one this node saw rather than the one the next block carries.
type ResultCommit struct {
	SignedHeader types.SignedHeader `json:"signed_header"`
	Canonical    bool               `json:"canonical"`
}

// ResultBlockResults is a height's FinalizeBlock response.
type ResultBlockResults struct {
	Height                int64                    `json:"height"`
	TxsResults            []*abci.ExecTxResult     `json:"txs_results"`
	FinalizeBlockEvents   []abci.Event             `json:"finalize_block_events"`
	ValidatorUpdates      []abci.ValidatorUpdate   `json:"validator_updates"`
	ConsensusParamUpdates *tmproto.ConsensusParams `json:"consensus_param_updates"`
	AppHash               []byte                   `json:"app_hash"`
}

// ResultValidators is one page of a height's validator set.
type ResultValidators struct {
	BlockHeight int64              `json:"block_height"`
	Validators  []*types.Validator `json:"validators"`
	Count       int                `json:"count"` // on this page
	Total       int                `json:"total"` // in the set
}

// ResultConsensusParams is the consensus params of a height.
type ResultConsensusParams struct {
	BlockHeight     int64                 `json:"block_height"`
	ConsensusParams types.ConsensusParams `json:"consensus_params"`
}

// ResultDumpConsensusState is dump_consensus_state's result.
type ResultDumpConsensusState struct {
	RoundState *RoundState     `json:"round_state"`
	Peers      []PeerStateInfo `json:"peers"`
}

// PeerStateInfo is a peer's consensus state, as its reactor writes it.
type PeerStateInfo struct {
	NodeAddress string          `json:"node_address"`
	PeerState   json.RawMessage `json:"peer_state"`
}

// ResultConsensusState is consensus_state's result.
type ResultConsensusState struct {
	RoundState RoundStateSimple `json:"round_state"`
}

// ResultUnconfirmedTxs is unconfirmed_txs's result (Txs nil for num_unconfirmed_txs).
type ResultUnconfirmedTxs struct {
	Count      int        `json:"n_txs"`
	Total      int        `json:"total"`
	TotalBytes int64      `json:"total_bytes"`
	Txs        []types.Tx `json:"txs"`
}

// ResultCheckTx is check_tx's result: the application's ResponseCheckTx, written with every
// field.
type ResultCheckTx struct {
	abci.ResponseCheckTx
}

// MarshalJSON writes the response alone (not wrapped in a field), with every field present.
func (r *ResultCheckTx) MarshalJSON() ([]byte, error) { return cmtjson.Marshal(&r.ResponseCheckTx) }

// UnmarshalJSON reads what MarshalJSON writes.
func (r *ResultCheckTx) UnmarshalJSON(data []byte) error {
	return cmtjson.Unmarshal(data, &r.ResponseCheckTx)
}

// ResultBroadcastTx is broadcast_tx_async's and broadcast_tx_sync's result.
type ResultBroadcastTx struct {
	Code      uint32          `json:"code"`
	Data      crypto.HexBytes `json:"data"`
	Log       string          `json:"log"`
	Codespace string          `json:"codespace"`
	Hash      crypto.HexBytes `json:"hash"`
}

// ResultBroadcastTxCommit is broadcast_tx_commit's result. Height is 0 and TxResult empty when
// CheckTx rejected the transaction.
type ResultBroadcastTxCommit struct {
	CheckTx  abci.ResponseCheckTx `json:"check_tx"`
	TxResult abci.ExecTxResult    `json:"tx_result"`
	Hash     crypto.HexBytes      `json:"hash"`
	Height   int64                `json:"height"`
}

// ResultABCIInfo is abci_info's result.
type ResultABCIInfo struct {
	Response abci.ResponseInfo `json:"response"`
}

// ResultABCIQuery is abci_query's result.
type ResultABCIQuery struct {
	Response abci.ResponseQuery `json:"response"`
}

// ResultBroadcastEvidence is broadcast_evidence's result: the evidence hash.
type ResultBroadcastEvidence struct {
	Hash []byte `json:"hash"`
}

// ResultTx is an indexed transaction with its result; Proof only when asked for.
type ResultTx struct {
	Hash     crypto.HexBytes   `json:"hash"`
	Height   int64             `json:"height"`
	Index    uint32            `json:"index"`
	TxResult abci.ExecTxResult `json:"tx_result"`
	Tx       types.Tx          `json:"tx"`
	Proof    types.TxProof     `json:"proof,omitempty"`
}

// ResultTxSearch is one page of tx_search matches; TotalCount counts all matches.
type ResultTxSearch struct {
	Txs        []*ResultTx `json:"txs"`
	TotalCount int         `json:"total_count"`
}

// ResultBlockSearch is one page of block_search matches; TotalCount counts all matches.
type ResultBlockSearch struct {
	Blocks     []*ResultBlock `json:"blocks"`
	TotalCount int            `json:"total_count"`
}

// ResultSubscribe, ResultUnsubscribe and ResultUnsafeFlushMempool are empty results.
type (
	ResultSubscribe          struct{}
	ResultUnsubscribe        struct{}
	ResultUnsafeFlushMempool struct{}
)

// ResultEvent is one event delivered to a subscriber: the query as the client sent it, the
// event data as {type, value}, and the event's composite-key map.
type ResultEvent struct {
	Query  string              `json:"query"`
	Data   any                 `json:"data"`
	Events map[string][]string `json:"events"`
}
