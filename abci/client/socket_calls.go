package client

import (
	"context"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// The synchronous calls of a SocketClient: each sends its request and a Flush and waits for both
// answers (see Client).

// Echo asks the app to echo msg.
func (c *SocketClient) Echo(ctx context.Context, msg string) (*abci.ResponseEcho, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_Echo{Echo: &abci.RequestEcho{Message: msg}}})
	if err != nil {
		return nil, err
	}
	return res.GetEcho(), nil
}

// Info sends a Info request and a Flush and waits for both answers; see Client.
func (c *SocketClient) Info(ctx context.Context, req *abci.RequestInfo) (*abci.ResponseInfo, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_Info{Info: req}})
	if err != nil {
		return nil, err
	}
	return res.GetInfo(), nil
}

// Query sends a Query request and a Flush and waits for both answers; see Client.
func (c *SocketClient) Query(ctx context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_Query{Query: req}})
	if err != nil {
		return nil, err
	}
	return res.GetQuery(), nil
}

// CheckTx sends a CheckTx request and a Flush and waits for both answers; see Client.
func (c *SocketClient) CheckTx(ctx context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_CheckTx{CheckTx: req}})
	if err != nil {
		return nil, err
	}
	return res.GetCheckTx(), nil
}

// InitChain sends a InitChain request and a Flush and waits for both answers; see Client.
func (c *SocketClient) InitChain(ctx context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_InitChain{InitChain: req}})
	if err != nil {
		return nil, err
	}
	return res.GetInitChain(), nil
}

// PrepareProposal sends a PrepareProposal request and a Flush and waits for both answers; see Client.
func (c *SocketClient) PrepareProposal(ctx context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_PrepareProposal{PrepareProposal: req}})
	if err != nil {
		return nil, err
	}
	return res.GetPrepareProposal(), nil
}

// ProcessProposal sends a ProcessProposal request and a Flush and waits for both answers; see Client.
func (c *SocketClient) ProcessProposal(ctx context.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_ProcessProposal{ProcessProposal: req}})
	if err != nil {
		return nil, err
	}
	return res.GetProcessProposal(), nil
}

// ExtendVote sends a ExtendVote request and a Flush and waits for both answers; see Client.
func (c *SocketClient) ExtendVote(ctx context.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_ExtendVote{ExtendVote: req}})
	if err != nil {
		return nil, err
	}
	return res.GetExtendVote(), nil
}

// VerifyVoteExtension sends a VerifyVoteExtension request and a Flush and waits for both answers; see Client.
func (c *SocketClient) VerifyVoteExtension(ctx context.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_VerifyVoteExtension{VerifyVoteExtension: req}})
	if err != nil {
		return nil, err
	}
	return res.GetVerifyVoteExtension(), nil
}

// FinalizeBlock sends a FinalizeBlock request and a Flush and waits for both answers; see Client.
func (c *SocketClient) FinalizeBlock(ctx context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_FinalizeBlock{FinalizeBlock: req}})
	if err != nil {
		return nil, err
	}
	return res.GetFinalizeBlock(), nil
}

// Commit sends a Commit request and a Flush and waits for both answers; see Client.
func (c *SocketClient) Commit(ctx context.Context, req *abci.RequestCommit) (*abci.ResponseCommit, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_Commit{Commit: req}})
	if err != nil {
		return nil, err
	}
	return res.GetCommit(), nil
}

// ListSnapshots sends a ListSnapshots request and a Flush and waits for both answers; see Client.
func (c *SocketClient) ListSnapshots(ctx context.Context, req *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_ListSnapshots{ListSnapshots: req}})
	if err != nil {
		return nil, err
	}
	return res.GetListSnapshots(), nil
}

// OfferSnapshot sends a OfferSnapshot request and a Flush and waits for both answers; see Client.
func (c *SocketClient) OfferSnapshot(ctx context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_OfferSnapshot{OfferSnapshot: req}})
	if err != nil {
		return nil, err
	}
	return res.GetOfferSnapshot(), nil
}

// LoadSnapshotChunk sends a LoadSnapshotChunk request and a Flush and waits for both answers; see Client.
func (c *SocketClient) LoadSnapshotChunk(ctx context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_LoadSnapshotChunk{LoadSnapshotChunk: req}})
	if err != nil {
		return nil, err
	}
	return res.GetLoadSnapshotChunk(), nil
}

// ApplySnapshotChunk sends a ApplySnapshotChunk request and a Flush and waits for both answers; see Client.
func (c *SocketClient) ApplySnapshotChunk(ctx context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	res, err := c.call(ctx, &abci.Request{Value: &abci.Request_ApplySnapshotChunk{ApplySnapshotChunk: req}})
	if err != nil {
		return nil, err
	}
	return res.GetApplySnapshotChunk(), nil
}
