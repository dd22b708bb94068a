package core

import (
	"context"

	"github.com/ballot-bft/ballot/rpc/jsonrpc/server"
)

// Routes checks that env is complete, prepares the genesis chunks, and returns the route table:
// every route of rpc.md §5 with CometBFT's argument names and caching, and the unsafe routes
// when env.Config.Unsafe is set. Call it once.
func (env *Environment) Routes() (map[string]*server.RPCFunc, error) {
	if err := env.check(); err != nil {
		return nil, err
	}
	chunks, err := genesisChunks(env.GenesisDoc, genesisChunkSize)
	if err != nil {
		return nil, err
	}
	env.genesisChunks = chunks

	routes := map[string]*server.RPCFunc{
		// subscriptions (websocket only)
		"subscribe":       server.NewWSRPCFunc(env.Subscribe, "query"),
		"unsubscribe":     server.NewWSRPCFunc(env.Unsubscribe, "query"),
		"unsubscribe_all": server.NewWSRPCFunc(env.UnsubscribeAll, ""),

		// info
		"health":               server.NewRPCFunc(env.Health, ""),
		"status":               server.NewRPCFunc(env.Status, ""),
		"net_info":             server.NewRPCFunc(env.NetInfo, ""),
		"blockchain":           server.NewRPCFunc(env.BlockchainInfo, "minHeight,maxHeight", server.Cacheable()),
		"genesis":              server.NewRPCFunc(env.Genesis, "", server.Cacheable()),
		"genesis_chunked":      server.NewRPCFunc(env.GenesisChunked, "chunk", server.Cacheable()),
		"block":                server.NewRPCFunc(env.Block, "height", server.Cacheable("height")),
		"block_by_hash":        server.NewRPCFunc(env.BlockByHash, "hash", server.Cacheable()),
		"block_results":        server.NewRPCFunc(env.BlockResults, "height", server.Cacheable("height")),
		"commit":               server.NewRPCFunc(env.Commit, "height", server.Cacheable("height")),
		"header":               server.NewRPCFunc(env.Header, "height", server.Cacheable("height")),
		"header_by_hash":       server.NewRPCFunc(env.HeaderByHash, "hash", server.Cacheable()),
		"check_tx":             server.NewRPCFunc(env.CheckTx, "tx"),
		"tx":                   server.NewRPCFunc(env.Tx, "hash,prove", server.Cacheable()),
		"tx_search":            server.NewRPCFunc(env.TxSearch, "query,prove,page,per_page,order_by"),
		"block_search":         server.NewRPCFunc(env.BlockSearch, "query,page,per_page,order_by"),
		"validators":           server.NewRPCFunc(env.Validators, "height,page,per_page", server.Cacheable("height")),
		"dump_consensus_state": server.NewRPCFunc(env.DumpConsensusState, ""),
		"consensus_state":      server.NewRPCFunc(env.GetConsensusState, ""),
		"consensus_params":     server.NewRPCFunc(env.ConsensusParams, "height", server.Cacheable("height")),
		"unconfirmed_txs":      server.NewRPCFunc(env.UnconfirmedTxs, "limit"),
		"num_unconfirmed_txs":  server.NewRPCFunc(env.NumUnconfirmedTxs, ""),

		// transactions
		"broadcast_tx_commit": server.NewRPCFunc(env.BroadcastTxCommit, "tx"),
		"broadcast_tx_sync":   server.NewRPCFunc(env.BroadcastTxSync, "tx"),
		"broadcast_tx_async":  server.NewRPCFunc(env.BroadcastTxAsync, "tx"),

		// application
		"abci_query": server.NewRPCFunc(env.ABCIQuery, "path,data,height,prove"),
		"abci_info":  server.NewRPCFunc(env.ABCIInfo, "", server.Cacheable()),

		// evidence
		"broadcast_evidence": server.NewRPCFunc(env.BroadcastEvidence, "evidence"),
	}
	if env.Config.Unsafe {
		routes["dial_seeds"] = server.NewRPCFunc(env.UnsafeDialSeeds, "seeds")
		routes["dial_peers"] = server.NewRPCFunc(env.UnsafeDialPeers, "peers,persistent,unconditional,private")
		routes["unsafe_flush_mempool"] = server.NewRPCFunc(env.UnsafeFlushMempool, "")
	}
	return routes, nil
}

// UnsubscribeClient drops every subscription of the websocket client at remoteAddr. It is the
// server's WSOnDisconnect callback: CometBFT removes a closed connection's subscriptions.
func (env *Environment) UnsubscribeClient(remoteAddr string) {
	// A client without subscriptions is the common case; its error says only that.
	_ = env.EventBus.UnsubscribeAll(context.Background(), remoteAddr)
}
