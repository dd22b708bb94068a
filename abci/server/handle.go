package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// errNilResponse is an app method that returned neither a response nor an error.
var errNilResponse = errors.New("app returned a nil response")

// handle answers one request: Echo and Flush by the server itself, everything else by app. An
// error (the app's, a nil response, or an empty request) is to be sent back as an exception.
func handle(ctx context.Context, app types.Application, req *abci.Request) (*abci.Response, error) {
	switch v := req.Value.(type) {
	case *abci.Request_Echo:
		return &abci.Response{Value: &abci.Response_Echo{Echo: &abci.ResponseEcho{Message: v.Echo.GetMessage()}}}, nil
	case *abci.Request_Flush:
		return &abci.Response{Value: &abci.Response_Flush{Flush: &abci.ResponseFlush{}}}, nil
	case *abci.Request_Info:
		res, err := app.Info(ctx, v.Info)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_Info{Info: res}} })
	case *abci.Request_Query:
		res, err := app.Query(ctx, v.Query)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_Query{Query: res}} })
	case *abci.Request_CheckTx:
		res, err := app.CheckTx(ctx, v.CheckTx)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_CheckTx{CheckTx: res}} })
	case *abci.Request_InitChain:
		res, err := app.InitChain(ctx, v.InitChain)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_InitChain{InitChain: res}} })
	case *abci.Request_PrepareProposal:
		res, err := app.PrepareProposal(ctx, v.PrepareProposal)
		return respond(res, err, func() *abci.Response {
			return &abci.Response{Value: &abci.Response_PrepareProposal{PrepareProposal: res}}
		})
	case *abci.Request_ProcessProposal:
		res, err := app.ProcessProposal(ctx, v.ProcessProposal)
		return respond(res, err, func() *abci.Response {
			return &abci.Response{Value: &abci.Response_ProcessProposal{ProcessProposal: res}}
		})
	case *abci.Request_ExtendVote:
		res, err := app.ExtendVote(ctx, v.ExtendVote)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_ExtendVote{ExtendVote: res}} })
	case *abci.Request_VerifyVoteExtension:
		res, err := app.VerifyVoteExtension(ctx, v.VerifyVoteExtension)
		return respond(res, err, func() *abci.Response {
			return &abci.Response{Value: &abci.Response_VerifyVoteExtension{VerifyVoteExtension: res}}
		})
	case *abci.Request_FinalizeBlock:
		res, err := app.FinalizeBlock(ctx, v.FinalizeBlock)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_FinalizeBlock{FinalizeBlock: res}} })
	case *abci.Request_Commit:
		res, err := app.Commit(ctx, v.Commit)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_Commit{Commit: res}} })
	case *abci.Request_ListSnapshots:
		res, err := app.ListSnapshots(ctx, v.ListSnapshots)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_ListSnapshots{ListSnapshots: res}} })
	case *abci.Request_OfferSnapshot:
		res, err := app.OfferSnapshot(ctx, v.OfferSnapshot)
		return respond(res, err, func() *abci.Response { return &abci.Response{Value: &abci.Response_OfferSnapshot{OfferSnapshot: res}} })
	case *abci.Request_LoadSnapshotChunk:
		res, err := app.LoadSnapshotChunk(ctx, v.LoadSnapshotChunk)
		return respond(res, err, func() *abci.Response {
			return &abci.Response{Value: &abci.Response_LoadSnapshotChunk{LoadSnapshotChunk: res}}
		})
	case *abci.Request_ApplySnapshotChunk:
		res, err := app.ApplySnapshotChunk(ctx, v.ApplySnapshotChunk)
		return respond(res, err, func() *abci.Response {
			return &abci.Response{Value: &abci.Response_ApplySnapshotChunk{ApplySnapshotChunk: res}}
		})
	case nil:
		return nil, errors.New("empty request (no value set)")
	default:
		return nil, fmt.Errorf("unknown request type %T", req.Value)
	}
}

// respond turns an app method's result into a response envelope, or the error to send back.
func respond[Res any](res *Res, err error, envelope func() *abci.Response) (*abci.Response, error) {
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errNilResponse
	}
	return envelope(), nil
}
