package client

import (
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// requestName is the method name of a request ("CheckTx"), or "empty" if it has no value.
func requestName(req *abci.Request) string {
	switch req.Value.(type) {
	case *abci.Request_Echo:
		return "Echo"
	case *abci.Request_Flush:
		return "Flush"
	case *abci.Request_Info:
		return "Info"
	case *abci.Request_Query:
		return "Query"
	case *abci.Request_CheckTx:
		return "CheckTx"
	case *abci.Request_InitChain:
		return "InitChain"
	case *abci.Request_PrepareProposal:
		return "PrepareProposal"
	case *abci.Request_ProcessProposal:
		return "ProcessProposal"
	case *abci.Request_ExtendVote:
		return "ExtendVote"
	case *abci.Request_VerifyVoteExtension:
		return "VerifyVoteExtension"
	case *abci.Request_FinalizeBlock:
		return "FinalizeBlock"
	case *abci.Request_Commit:
		return "Commit"
	case *abci.Request_ListSnapshots:
		return "ListSnapshots"
	case *abci.Request_OfferSnapshot:
		return "OfferSnapshot"
	case *abci.Request_LoadSnapshotChunk:
		return "LoadSnapshotChunk"
	case *abci.Request_ApplySnapshotChunk:
		return "ApplySnapshotChunk"
	default:
		return "empty"
	}
}

// responseName is the method name of a response ("CheckTx", "Exception"), or "empty".
func responseName(res *abci.Response) string {
	switch res.Value.(type) {
	case *abci.Response_Exception:
		return "Exception"
	case *abci.Response_Echo:
		return "Echo"
	case *abci.Response_Flush:
		return "Flush"
	case *abci.Response_Info:
		return "Info"
	case *abci.Response_Query:
		return "Query"
	case *abci.Response_CheckTx:
		return "CheckTx"
	case *abci.Response_InitChain:
		return "InitChain"
	case *abci.Response_PrepareProposal:
		return "PrepareProposal"
	case *abci.Response_ProcessProposal:
		return "ProcessProposal"
	case *abci.Response_ExtendVote:
		return "ExtendVote"
	case *abci.Response_VerifyVoteExtension:
		return "VerifyVoteExtension"
	case *abci.Response_FinalizeBlock:
		return "FinalizeBlock"
	case *abci.Response_Commit:
		return "Commit"
	case *abci.Response_ListSnapshots:
		return "ListSnapshots"
	case *abci.Response_OfferSnapshot:
		return "OfferSnapshot"
	case *abci.Response_LoadSnapshotChunk:
		return "LoadSnapshotChunk"
	case *abci.Response_ApplySnapshotChunk:
		return "ApplySnapshotChunk"
	default:
		return "empty"
	}
}

// answers reports whether res is the response type of req. A response whose oneof holds a nil
// message (which decodes from the wire as an empty message, never as nil) does not count.
func answers(req *abci.Request, res *abci.Response) bool {
	name := requestName(req)
	return name != "empty" && name == responseName(res)
}

func flushRequest() *abci.Request {
	return &abci.Request{Value: &abci.Request_Flush{Flush: &abci.RequestFlush{}}}
}
