package state

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

var fourVals = []string{"a", "b", "c", "d"}

func TestCreateProposalBlockReapsByMaxDataBytes(t *testing.T) {
	params := types.DefaultConsensusParams()
	// Room for 100 bytes of transactions with 4 validators and no evidence.
	params.Block.MaxBytes = types.MaxOverheadForBlock + types.MaxHeaderBytes + types.MaxCommitBytes(4) + 100
	params.Evidence.MaxBytes = 50
	n := startTestNode(t, chainConfig{validators: fourVals, params: params}, newNodeDBs())

	// Each "keyH-I=vI" transaction is 9 bytes, 11 inside Data: 9 fit in 100 bytes.
	block, _ := n.propose(txsOf(1, 20)...)
	if got := len(block.Txs); got != 9 {
		t.Fatalf("block has %d txs, want 9", got)
	}
	if size := types.ComputeProtoSizeForTxs(block.Txs); size > 100 {
		t.Fatalf("block txs take %d bytes, more than 100", size)
	}
	if got := n.mempool.reaps[0]; got != [2]int64{100, -1} {
		t.Fatalf("reap limits %v, want [100 -1]", got)
	}
	if got := n.app.prepareReqs[0].MaxTxBytes; got != 100 {
		t.Fatalf("PrepareProposal max_tx_bytes %d, want 100", got)
	}
	if got := len(n.app.prepareReqs[0].Txs); got != 9 {
		t.Fatalf("PrepareProposal got %d txs, want 9", got)
	}
}

func TestCreateProposalBlockMaxTxBytesVector(t *testing.T) {
	// abci.md §4.2 [obs]: block.max_bytes 22020096, 1 validator, no evidence ⇒ 22016007.
	n := startTestNode(t, chainConfig{validators: []string{"a"}}, newNodeDBs())
	n.propose()
	if got := n.app.prepareReqs[0].MaxTxBytes; got != 22016007 {
		t.Fatalf("max_tx_bytes %d, want 22016007", got)
	}
	if got := n.mempool.reaps[0]; got != [2]int64{22016007, -1} {
		t.Fatalf("reap limits %v", got)
	}
}

func TestCreateProposalBlockUnlimitedBytesAndGas(t *testing.T) {
	params := types.DefaultConsensusParams()
	params.Block.MaxBytes = -1
	params.Block.MaxGas = 3
	n := startTestNode(t, chainConfig{validators: fourVals, params: params}, newNodeDBs())
	block, _ := n.propose(txsOf(1, 5)...)
	if got := n.mempool.reaps[0]; got != [2]int64{-1, 3} {
		t.Fatalf("reap limits %v, want [-1 3]", got)
	}
	want, err := types.MaxDataBytes(types.MaxBlockSizeBytes, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.app.prepareReqs[0].MaxTxBytes; got != want {
		t.Fatalf("max_tx_bytes %d, want %d", got, want)
	}
	if len(block.Txs) != 3 {
		t.Fatalf("block has %d txs, want 3 (max_gas)", len(block.Txs))
	}
}

func TestCreateProposalBlockTakesPrepareProposalTxs(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.app.prepare = func(_ *abci.RequestPrepareProposal, resp *abci.ResponsePrepareProposal) *abci.ResponsePrepareProposal {
		txs := slices.Clone(resp.Txs[1:]) // drop the first
		slices.Reverse(txs)
		return &abci.ResponsePrepareProposal{Txs: append(txs, []byte("added=1"))}
	}
	block, _ := n.propose(types.Tx("a=1"), types.Tx("b:2"), types.Tx("c=3"))
	want := []string{"c=3", "b=2", "added=1"} // the kvstore proposes "b:2" as "b=2"
	if got := txStrings(block.Txs); !slices.Equal(got, want) {
		t.Fatalf("block txs %q, want %q", got, want)
	}
	if !bytes.Equal(block.DataHash, block.Txs.Hash()) {
		t.Fatal("data hash does not commit to the returned txs")
	}
	if err := n.applyLast(); err != nil {
		t.Fatal(err)
	}
}

func TestCreateProposalBlockRefusesOversizedPrepareProposal(t *testing.T) {
	params := types.DefaultConsensusParams()
	params.Block.MaxBytes = types.MaxOverheadForBlock + types.MaxHeaderBytes + types.MaxCommitBytes(4) + 100
	params.Evidence.MaxBytes = 50
	n := startTestNode(t, chainConfig{validators: fourVals, params: params}, newNodeDBs())
	n.app.prepare = func(*abci.RequestPrepareProposal, *abci.ResponsePrepareProposal) *abci.ResponsePrepareProposal {
		return &abci.ResponsePrepareProposal{Txs: [][]byte{bytes.Repeat([]byte("x"), 99)}} // 101 bytes in Data
	}
	_, _, err := n.exec.CreateProposalBlock(context.Background(), 1, n.state, nil, n.state.Validators.GetProposer().Address)
	if !errors.Is(err, ErrProposalTxsTooLarge) {
		t.Fatalf("err = %v, want ErrProposalTxsTooLarge", err)
	}
}

func TestCreateProposalBlockTooSmall(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.state.ConsensusParams.Block.MaxBytes = 1000 // less than 4 commit signatures
	_, _, err := n.exec.CreateProposalBlock(context.Background(), 1, n.state, nil, n.state.Validators.GetProposer().Address)
	if !errors.Is(err, types.ErrBlockTooSmall) {
		t.Fatalf("err = %v, want ErrBlockTooSmall", err)
	}
}

func TestProcessProposalStatuses(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.commitBlock(txsOf(1, 2)...)
	block, blockID := n.propose(txsOf(2, 1)...)

	req := n.app.processReqs[len(n.app.processReqs)-1]
	if !bytes.Equal(req.Hash, blockID.Hash) || req.Height != 2 || !req.Time.Equal(block.Time) ||
		!bytes.Equal(req.ProposerAddress, block.ProposerAddress) || !bytes.Equal(req.NextValidatorsHash, block.NextValidatorsHash) {
		t.Fatalf("ProcessProposal request fields do not match the block: %+v", req)
	}
	if len(req.ProposedLastCommit.Votes) != 4 || len(req.Txs) != 1 {
		t.Fatalf("ProcessProposal got %d votes and %d txs", len(req.ProposedLastCommit.Votes), len(req.Txs))
	}

	for _, tc := range []struct {
		status  abci.ResponseProcessProposal_ProposalStatus
		want    bool
		wantErr error
	}{
		{abci.ResponseProcessProposal_ACCEPT, true, nil},
		{abci.ResponseProcessProposal_REJECT, false, nil},
		{abci.ResponseProcessProposal_UNKNOWN, false, ErrAppStatusUnknown},
	} {
		n.app.processStatus = &tc.status
		ok, err := n.exec.ProcessProposal(context.Background(), block, n.state)
		if ok != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("status %v: got (%v, %v), want (%v, %v)", tc.status, ok, err, tc.want, tc.wantErr)
		}
	}
}

func TestVerifyVoteExtensionStatuses(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	_, blockID := n.propose()
	vote := &types.Vote{Type: types.PrecommitType, Height: 1, BlockID: blockID,
		ValidatorAddress: execKey("b").PubKey().Address(), Extension: []byte("ext")}
	for _, tc := range []struct {
		status  abci.ResponseVerifyVoteExtension_VerifyStatus
		want    bool
		wantErr error
	}{
		{abci.ResponseVerifyVoteExtension_ACCEPT, true, nil},
		{abci.ResponseVerifyVoteExtension_REJECT, false, nil},
		{abci.ResponseVerifyVoteExtension_UNKNOWN, false, ErrAppStatusUnknown},
	} {
		n.app.verifyStatus = &tc.status
		ok, err := n.exec.VerifyVoteExtension(context.Background(), vote, n.state)
		if ok != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("status %v: got (%v, %v), want (%v, %v)", tc.status, ok, err, tc.want, tc.wantErr)
		}
	}
	req := n.app.verifyReqs[0]
	if !bytes.Equal(req.Hash, blockID.Hash) || !bytes.Equal(req.ValidatorAddress, vote.ValidatorAddress) ||
		req.Height != 1 || string(req.VoteExtension) != "ext" {
		t.Fatalf("VerifyVoteExtension request %+v", req)
	}
}

func TestExtendVoteChecksTheVote(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.app.extend = func(req *abci.RequestExtendVote) []byte { return []byte("ext") }
	block, blockID := n.propose(txsOf(1, 2)...)
	ctx := context.Background()

	vote := &types.Vote{Type: types.PrecommitType, Height: 1, BlockID: blockID}
	ext, err := n.exec.ExtendVote(ctx, vote, block, n.state)
	if err != nil || string(ext) != "ext" {
		t.Fatalf("ExtendVote = %q, %v", ext, err)
	}
	req := n.app.extendReqs[0]
	if !bytes.Equal(req.Hash, blockID.Hash) || req.Height != 1 || len(req.Txs) != 2 || !req.Time.Equal(block.Time) {
		t.Fatalf("ExtendVote request %+v", req)
	}

	other := &types.Vote{Type: types.PrecommitType, Height: 1, BlockID: types.BlockID{Hash: bytes.Repeat([]byte{1}, 32)}}
	if _, err := n.exec.ExtendVote(ctx, other, block, n.state); err == nil {
		t.Error("ExtendVote accepted a vote for another block")
	}
	wrongHeight := &types.Vote{Type: types.PrecommitType, Height: 2, BlockID: blockID}
	if _, err := n.exec.ExtendVote(ctx, wrongHeight, block, n.state); err == nil {
		t.Error("ExtendVote accepted a vote of another height")
	}
}

func TestLastCommitInfos(t *testing.T) {
	params := types.DefaultConsensusParams()
	params.ABCI.VoteExtensionsEnableHeight = 2
	n := startTestNode(t, chainConfig{validators: fourVals, params: params}, newNodeDBs())
	n.app.extend = func(req *abci.RequestExtendVote) []byte { return []byte("ext") }
	n.absent["c"] = true

	n.commitBlock() // 1: extensions disabled
	n.commitBlock() // 2: extensions enabled
	n.commitBlock() // 3

	byHeight := func(h int64) *abci.RequestPrepareProposal {
		for _, r := range n.app.prepareReqs {
			if r.Height == h {
				return r
			}
		}
		t.Fatalf("no PrepareProposal at %d", h)
		return nil
	}
	if got := byHeight(1).LocalLastCommit; len(got.Votes) != 0 {
		t.Fatalf("initial height local_last_commit has %d votes", len(got.Votes))
	}
	absentAddr := execKey("c").PubKey().Address()
	vals := n.state.Validators // the set never changes here
	for _, h := range []int64{2, 3} {
		llc := byHeight(h).LocalLastCommit
		if len(llc.Votes) != 4 {
			t.Fatalf("height %d: %d votes", h, len(llc.Votes))
		}
		for i, v := range llc.Votes {
			if !bytes.Equal(v.Validator.Address, vals.Validators[i].Address) || v.Validator.Power != 10 {
				t.Fatalf("height %d vote %d: validator %X/%d not in set order", h, i, v.Validator.Address, v.Validator.Power)
			}
			absent := bytes.Equal(v.Validator.Address, absentAddr)
			switch {
			case absent && v.BlockIdFlag != types.BlockIDFlagAbsent:
				t.Fatalf("height %d: absent validator has flag %v", h, v.BlockIdFlag)
			case !absent && v.BlockIdFlag != types.BlockIDFlagCommit:
				t.Fatalf("height %d: validator %d has flag %v", h, i, v.BlockIdFlag)
			case h == 2 && (len(v.VoteExtension) != 0 || len(v.ExtensionSignature) != 0):
				t.Fatalf("height 2: the commit of height 1 carries extensions")
			case h == 3 && !absent && (string(v.VoteExtension) != "ext" || len(v.ExtensionSignature) == 0):
				t.Fatalf("height 3: vote %d lacks its extension: %q", i, v.VoteExtension)
			}
		}
	}

	// decided_last_commit of height 3: the commit of height 2, without extensions.
	fin := n.app.finalizeReqs[2]
	if fin.Height != 3 || len(fin.DecidedLastCommit.Votes) != 4 {
		t.Fatalf("FinalizeBlock %d has %d votes", fin.Height, len(fin.DecidedLastCommit.Votes))
	}
	absentVotes := 0
	for _, v := range fin.DecidedLastCommit.Votes {
		if v.BlockIdFlag == types.BlockIDFlagAbsent {
			absentVotes++
		}
	}
	if absentVotes != 1 {
		t.Fatalf("decided_last_commit has %d absent votes, want 1", absentVotes)
	}
	if got := n.app.finalizeReqs[0].DecidedLastCommit; len(got.Votes) != 0 {
		t.Fatalf("initial height decided_last_commit has %d votes", len(got.Votes))
	}
}

func TestLocalLastCommitRejectsExtensionsWhenDisabled(t *testing.T) {
	n := startTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
	n.commitBlock()
	ec := n.lastExt.Clone()
	ec.ExtendedSignatures[0].Extension = []byte("x")
	ec.ExtendedSignatures[0].ExtensionSignature = []byte("sig")
	_, _, err := n.exec.CreateProposalBlock(context.Background(), 2, n.state, ec, n.state.Validators.GetProposer().Address)
	if err == nil {
		t.Fatal("a last commit with extensions while they are disabled was accepted")
	}
}

func txStrings(txs types.Txs) []string {
	out := make([]string, len(txs))
	for i, tx := range txs {
		out[i] = string(tx)
	}
	return out
}
