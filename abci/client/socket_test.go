package client_test

import (
	"context"
	"testing"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/abci/client"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// call is one synchronous method of a Client, the request it sends, and the response the
// recording app answers with.
type call struct {
	name string
	req  proto.Message
	res  proto.Message
	do   func(context.Context, client.Client) (proto.Message, error)
}

func allCalls() []call {
	info := &abci.RequestInfo{Version: "0.38.26", BlockVersion: 11, P2PVersion: 8, AbciVersion: "2.0.0"}
	query := &abci.RequestQuery{Data: []byte("k"), Path: "/store", Height: 3}
	checkTx := &abci.RequestCheckTx{Tx: []byte("a=b"), Type: abci.CheckTxType_Recheck}
	initChain := &abci.RequestInitChain{ChainId: "test-chain", InitialHeight: 1}
	prepare := &abci.RequestPrepareProposal{MaxTxBytes: 100, Txs: [][]byte{[]byte("x")}, Height: 1}
	process := &abci.RequestProcessProposal{Txs: [][]byte{[]byte("y")}, Height: 2, Hash: []byte{1, 2}}
	extend := &abci.RequestExtendVote{Hash: []byte{3}, Height: 2}
	verify := &abci.RequestVerifyVoteExtension{Hash: []byte{3}, Height: 2, VoteExtension: []byte("ext-2")}
	finalize := &abci.RequestFinalizeBlock{Txs: [][]byte{[]byte("z")}, Height: 2, Hash: []byte{9}}
	commit := &abci.RequestCommit{}
	list := &abci.RequestListSnapshots{}
	offer := &abci.RequestOfferSnapshot{Snapshot: &abci.Snapshot{Height: 9}, AppHash: []byte{7}}
	load := &abci.RequestLoadSnapshotChunk{Height: 9, Chunk: 4}
	apply := &abci.RequestApplySnapshotChunk{Index: 1, Chunk: []byte("c"), Sender: "peer"}
	return []call{
		{"Info", info, &abci.ResponseInfo{Data: "info:0.38.26", LastBlockHeight: 7},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.Info(ctx, info) }},
		{"Query", query, &abci.ResponseQuery{Value: []byte("k"), Height: 3, Log: "/store"},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.Query(ctx, query) }},
		{"CheckTx", checkTx, &abci.ResponseCheckTx{Data: []byte("a=b"), GasWanted: 3},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.CheckTx(ctx, checkTx) }},
		{"InitChain", initChain, &abci.ResponseInitChain{AppHash: []byte("test-chain")},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.InitChain(ctx, initChain) }},
		{"PrepareProposal", prepare, &abci.ResponsePrepareProposal{Txs: [][]byte{[]byte("x")}},
			func(ctx context.Context, c client.Client) (proto.Message, error) {
				return c.PrepareProposal(ctx, prepare)
			}},
		{"ProcessProposal", process, &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT},
			func(ctx context.Context, c client.Client) (proto.Message, error) {
				return c.ProcessProposal(ctx, process)
			}},
		{"ExtendVote", extend, &abci.ResponseExtendVote{VoteExtension: []byte("ext-2")},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.ExtendVote(ctx, extend) }},
		{"VerifyVoteExtension", verify, &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT},
			func(ctx context.Context, c client.Client) (proto.Message, error) {
				return c.VerifyVoteExtension(ctx, verify)
			}},
		{"FinalizeBlock", finalize, &abci.ResponseFinalizeBlock{AppHash: []byte{9}, TxResults: []*abci.ExecTxResult{{Code: 3}}},
			func(ctx context.Context, c client.Client) (proto.Message, error) {
				return c.FinalizeBlock(ctx, finalize)
			}},
		{"Commit", commit, &abci.ResponseCommit{RetainHeight: 5},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.Commit(ctx, commit) }},
		{"ListSnapshots", list, &abci.ResponseListSnapshots{Snapshots: []*abci.Snapshot{{Height: 9, Chunks: 2}}},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.ListSnapshots(ctx, list) }},
		{"OfferSnapshot", offer, &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ACCEPT},
			func(ctx context.Context, c client.Client) (proto.Message, error) { return c.OfferSnapshot(ctx, offer) }},
		{"LoadSnapshotChunk", load, &abci.ResponseLoadSnapshotChunk{Chunk: []byte{4}},
			func(ctx context.Context, c client.Client) (proto.Message, error) {
				return c.LoadSnapshotChunk(ctx, load)
			}},
		{"ApplySnapshotChunk", apply, &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{1, 2}},
			func(ctx context.Context, c client.Client) (proto.Message, error) {
				return c.ApplySnapshotChunk(ctx, apply)
			}},
	}
}

// checkAllCalls makes every synchronous call through c and checks that app saw exactly the
// requests, in order, and that c returned exactly the app's responses.
func checkAllCalls(t *testing.T, c client.Client, app *recordingApp) {
	t.Helper()
	ctx := t.Context()
	calls := allCalls()
	for _, cl := range calls {
		res, err := cl.do(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", cl.name, err)
		}
		if !proto.Equal(res, cl.res) {
			t.Fatalf("%s: response %v, want %v", cl.name, res, cl.res)
		}
	}
	echo, err := c.Echo(ctx, "hello")
	if err != nil || echo.Message != "hello" {
		t.Fatalf("Echo: %v, %v", echo, err)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	seen := app.seen()
	if len(seen) != len(calls) {
		t.Fatalf("app saw %d requests, want %d", len(seen), len(calls))
	}
	for i, cl := range calls {
		if !proto.Equal(seen[i], cl.req) {
			t.Fatalf("request %d (%s): app saw %v, want %v", i, cl.name, seen[i], cl.req)
		}
	}
	if err := c.Error(); err != nil {
		t.Fatalf("Error() = %v after successful calls", err)
	}
}

func TestSocketClientAllCalls(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			app := &recordingApp{}
			c := dialSocket(t, serve(t, network, app), client.WithConnName("consensus"))
			run(t, c)
			checkAllCalls(t, c, app)
		})
	}
}
