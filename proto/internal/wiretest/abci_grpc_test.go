package wiretest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"google.golang.org/grpc"

	"github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// abciMethods are the unary RPCs of service tendermint.abci.ABCI (abci.md §2.4).
var abciMethods = []string{
	"Echo", "Flush", "Info", "CheckTx", "Query", "Commit", "InitChain", "ListSnapshots",
	"OfferSnapshot", "LoadSnapshotChunk", "ApplySnapshotChunk", "PrepareProposal",
	"ProcessProposal", "ExtendVote", "VerifyVoteExtension", "FinalizeBlock",
}

// recordingServer captures the service description RegisterABCIServer hands over.
type recordingServer struct{ desc *grpc.ServiceDesc }

func (s *recordingServer) RegisterService(sd *grpc.ServiceDesc, _ any) { s.desc = sd }

var errRecorded = errors.New("recorded")

// recordingConn captures the method path of each client call and fails it.
type recordingConn struct{ methods []string }

func (c *recordingConn) Invoke(_ context.Context, method string, _, _ any, _ ...grpc.CallOption) error {
	c.methods = append(c.methods, method)
	return errRecorded
}

func (c *recordingConn) NewStream(context.Context, *grpc.StreamDesc, string, ...grpc.CallOption) (grpc.ClientStream, error) {
	return nil, errors.New("ABCI has no streams")
}

func TestABCIServiceDescription(t *testing.T) {
	var s recordingServer
	abci.RegisterABCIServer(&s, &abci.UnimplementedABCIServer{})
	if s.desc == nil || s.desc.ServiceName != "tendermint.abci.ABCI" {
		t.Fatalf("service description = %+v", s.desc)
	}
	var names []string
	for _, m := range s.desc.Methods {
		names = append(names, m.MethodName)
	}
	if !slices.Equal(names, abciMethods) || len(s.desc.Streams) != 0 {
		t.Fatalf("methods = %v (streams %d), want %v", names, len(s.desc.Streams), abciMethods)
	}
}

func TestABCIClientMethodPaths(t *testing.T) {
	var conn recordingConn
	c := abci.NewABCIClient(&conn)
	ctx := context.Background()
	calls := []func() error{
		func() error { _, err := c.Echo(ctx, &abci.RequestEcho{}); return err },
		func() error { _, err := c.Flush(ctx, &abci.RequestFlush{}); return err },
		func() error { _, err := c.Info(ctx, &abci.RequestInfo{}); return err },
		func() error { _, err := c.CheckTx(ctx, &abci.RequestCheckTx{}); return err },
		func() error { _, err := c.Query(ctx, &abci.RequestQuery{}); return err },
		func() error { _, err := c.Commit(ctx, &abci.RequestCommit{}); return err },
		func() error { _, err := c.InitChain(ctx, &abci.RequestInitChain{}); return err },
		func() error { _, err := c.ListSnapshots(ctx, &abci.RequestListSnapshots{}); return err },
		func() error { _, err := c.OfferSnapshot(ctx, &abci.RequestOfferSnapshot{}); return err },
		func() error { _, err := c.LoadSnapshotChunk(ctx, &abci.RequestLoadSnapshotChunk{}); return err },
		func() error { _, err := c.ApplySnapshotChunk(ctx, &abci.RequestApplySnapshotChunk{}); return err },
		func() error { _, err := c.PrepareProposal(ctx, &abci.RequestPrepareProposal{}); return err },
		func() error { _, err := c.ProcessProposal(ctx, &abci.RequestProcessProposal{}); return err },
		func() error { _, err := c.ExtendVote(ctx, &abci.RequestExtendVote{}); return err },
		func() error { _, err := c.VerifyVoteExtension(ctx, &abci.RequestVerifyVoteExtension{}); return err },
		func() error { _, err := c.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{}); return err },
	}
	for i, call := range calls {
		if err := call(); !errors.Is(err, errRecorded) {
			t.Fatalf("call %d: err = %v, want the connection's error", i, err)
		}
	}
	var want []string
	for _, m := range abciMethods {
		want = append(want, "/tendermint.abci.ABCI/"+m)
	}
	if !slices.Equal(conn.methods, want) {
		t.Fatalf("paths = %v, want %v", conn.methods, want)
	}
}
