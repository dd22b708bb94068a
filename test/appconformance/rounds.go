package appconformance

import (
	"context"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	typesproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// badRound plays a failed round: a proposal carrying a transaction no kvstore-style app
// accepts. Every app must answer ACCEPT or REJECT (never UNKNOWN), all the same way.
func (h *harness) badRound(ctx context.Context, height int64, txs [][]byte, lastCommit abci.CommitInfo) error {
	bad := append(append([][]byte(nil), txs...), []byte("not a kvstore transaction"))
	req := &abci.RequestProcessProposal{Txs: bad, ProposedLastCommit: lastCommit, Hash: h.chain.digest("bad block", height),
		Height: height, Time: h.chain.blockTime(height), NextValidatorsHash: h.chain.digest("next validators", height),
		ProposerAddress: address(h.chain.genesisPub[0])}
	var first abci.ResponseProcessProposal_ProposalStatus
	for i, a := range h.apps {
		res, err := a.consensus().ProcessProposal(ctx, req)
		if err != nil {
			return h.callErr(height, a, "ProcessProposal", err)
		}
		if res.Status != abci.ResponseProcessProposal_ACCEPT && res.Status != abci.ResponseProcessProposal_REJECT {
			return h.fail(height, a, "ProcessProposal answered status %v (a node panics on it)", res.Status)
		}
		if i == 0 {
			first = res.Status
		} else if res.Status != first {
			return h.fail(height, a, "ProcessProposal of a bad block answered %v, %s answered %v", res.Status, h.apps[0].name, first)
		}
	}
	return nil
}

// voteExtensions has every app extend its precommit and every other app verify the
// extension; a correct app's extension must be accepted. The extensions go into the next
// height's local_last_commit.
func (h *harness) voteExtensions(ctx context.Context, height int64, p *abci.RequestProcessProposal) error {
	exts := make([][]byte, len(h.apps))
	for i, a := range h.apps {
		res, err := a.consensus().ExtendVote(ctx, &abci.RequestExtendVote{Hash: p.Hash, Height: height, Time: p.Time,
			Txs: p.Txs, ProposedLastCommit: p.ProposedLastCommit, Misbehavior: p.Misbehavior,
			NextValidatorsHash: p.NextValidatorsHash, ProposerAddress: p.ProposerAddress})
		if err != nil {
			return h.callErr(height, a, "ExtendVote", err)
		}
		exts[i] = res.VoteExtension
	}
	for i, a := range h.apps {
		for j := range h.apps {
			if i == j {
				continue // a node never verifies its own extension
			}
			res, err := a.consensus().VerifyVoteExtension(ctx, &abci.RequestVerifyVoteExtension{Hash: p.Hash,
				ValidatorAddress: address(h.chain.genesisPub[j]), Height: height, VoteExtension: exts[j]})
			if err != nil {
				return h.callErr(height, a, "VerifyVoteExtension", err)
			}
			if res.Status != abci.ResponseVerifyVoteExtension_ACCEPT {
				return h.fail(height, a, "VerifyVoteExtension answered %v to %s's extension %X", res.Status, h.apps[j].name, exts[j])
			}
		}
	}
	h.extended = exts
	h.rep.VoteExtended++
	return nil
}

// extendedCommit is the proposer's local_last_commit: the last commit with the extensions
// the apps produced at the previous height attached to their validators' votes.
func (h *harness) extendedCommit(ci abci.CommitInfo) abci.ExtendedCommitInfo {
	out := abci.ExtendedCommitInfo{Round: ci.Round}
	for _, v := range ci.Votes {
		ev := abci.ExtendedVoteInfo{Validator: v.Validator, BlockIdFlag: v.BlockIdFlag}
		for j := range h.extended {
			if v.BlockIdFlag == typesproto.BlockIDFlagCommit && string(address(h.chain.genesisPub[j])) == string(v.Validator.Address) {
				ev.VoteExtension = h.extended[j]
				ev.ExtensionSignature = h.chain.digest("extension signature", j, v.Validator.Address)
			}
		}
		out.Votes = append(out.Votes, ev)
	}
	return out
}
