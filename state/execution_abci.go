package state

import (
	"bytes"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// BuildCommitInfo returns the CommitInfo the application receives for commit, the commit of
// the height vals validated (abci.md §4.2): the commit's round and one VoteInfo per validator
// of vals, in set order — {address, power} and the entry's block_id_flag, absent voters
// included with flag ABSENT. It fails when the commit does not have one entry per validator or
// a non-absent entry names another validator than the set's at its index. The result shares
// address bytes with vals.
func BuildCommitInfo(commit *types.Commit, vals *types.ValidatorSet) (abci.CommitInfo, error) {
	if commit.Size() != vals.Size() {
		return abci.CommitInfo{}, fmt.Errorf("commit of height %d has %d entries, the validator set has %d validators",
			commit.Height, commit.Size(), vals.Size())
	}
	votes := make([]abci.VoteInfo, len(commit.Signatures))
	for i, sig := range commit.Signatures {
		val := vals.Validators[i]
		if err := checkEntryAddress(commit.Height, i, sig, val); err != nil {
			return abci.CommitInfo{}, err
		}
		votes[i] = abci.VoteInfo{
			Validator:   abci.Validator{Address: val.Address, Power: val.VotingPower},
			BlockIdFlag: sig.BlockIDFlag,
		}
	}
	return abci.CommitInfo{Round: commit.Round, Votes: votes}, nil
}

// BuildExtendedCommitInfo returns the ExtendedCommitInfo PrepareProposal receives as
// local_last_commit for ec, the extended commit of the height vals validated (abci.md §4.2):
// like BuildCommitInfo, with each entry's vote extension and extension signature. extEnabled
// says whether vote extensions were enabled at ec's height: then every COMMIT entry must carry
// an extension signature; otherwise no entry may carry extension data. Violations are errors.
// The result shares byte slices with ec and vals.
func BuildExtendedCommitInfo(ec *types.ExtendedCommit, vals *types.ValidatorSet, extEnabled bool) (abci.ExtendedCommitInfo, error) {
	if ec.Size() != vals.Size() {
		return abci.ExtendedCommitInfo{}, fmt.Errorf("extended commit of height %d has %d entries, the validator set has %d validators",
			ec.Height, ec.Size(), vals.Size())
	}
	votes := make([]abci.ExtendedVoteInfo, len(ec.ExtendedSignatures))
	for i, sig := range ec.ExtendedSignatures {
		val := vals.Validators[i]
		if err := checkEntryAddress(ec.Height, i, sig.CommitSig, val); err != nil {
			return abci.ExtendedCommitInfo{}, err
		}
		if err := sig.EnsureExtension(extEnabled); err != nil {
			return abci.ExtendedCommitInfo{}, fmt.Errorf("extended commit of height %d, entry %d: %w", ec.Height, i, err)
		}
		votes[i] = abci.ExtendedVoteInfo{
			Validator:          abci.Validator{Address: val.Address, Power: val.VotingPower},
			BlockIdFlag:        sig.BlockIDFlag,
			VoteExtension:      sig.Extension,
			ExtensionSignature: sig.ExtensionSignature,
		}
	}
	return abci.ExtendedCommitInfo{Round: ec.Round, Votes: votes}, nil
}

// checkEntryAddress checks that a non-absent commit entry is the validator's.
func checkEntryAddress(height int64, i int, sig types.CommitSig, val *types.Validator) error {
	if sig.Absent() || bytes.Equal(sig.ValidatorAddress, val.Address) {
		return nil
	}
	return fmt.Errorf("commit of height %d, entry %d: signed by %X, but validator %d of the set is %X",
		height, i, []byte(sig.ValidatorAddress), i, []byte(val.Address))
}

// MisbehaviorFromEvidence returns the misbehavior list the application receives for a block's
// evidence (abci.md §4.2): one DUPLICATE_VOTE entry per DuplicateVoteEvidence (the voter with
// its power, the votes' height, the evidence time, the set's total power) and one
// LIGHT_CLIENT_ATTACK entry per byzantine validator of a LightClientAttackEvidence (at the
// common height). Other Evidence implementations are an error.
func MisbehaviorFromEvidence(evidence types.EvidenceList) ([]abci.Misbehavior, error) {
	out := make([]abci.Misbehavior, 0, len(evidence))
	for i, ev := range evidence {
		switch ev := ev.(type) {
		case *types.DuplicateVoteEvidence:
			if ev.VoteA == nil {
				return nil, fmt.Errorf("evidence %d: duplicate vote evidence without vote A", i)
			}
			out = append(out, abci.Misbehavior{
				Type:             abci.MisbehaviorType_DUPLICATE_VOTE,
				Validator:        abci.Validator{Address: ev.VoteA.ValidatorAddress, Power: ev.ValidatorPower},
				Height:           ev.VoteA.Height,
				Time:             ev.Timestamp,
				TotalVotingPower: ev.TotalVotingPower,
			})
		case *types.LightClientAttackEvidence:
			for _, val := range ev.ByzantineValidators {
				out = append(out, abci.Misbehavior{
					Type:             abci.MisbehaviorType_LIGHT_CLIENT_ATTACK,
					Validator:        abci.Validator{Address: val.Address, Power: val.VotingPower},
					Height:           ev.CommonHeight,
					Time:             ev.Timestamp,
					TotalVotingPower: ev.TotalVotingPower,
				})
			}
		default:
			return nil, fmt.Errorf("evidence %d: unsupported evidence type %T", i, ev)
		}
	}
	return out, nil
}

// validatorsAt returns the validator set of height: from st when st knows it (the last, current
// or next height), else from the store.
func (e *BlockExecutor) validatorsAt(st State, height int64) (*types.ValidatorSet, error) {
	switch {
	case height == st.LastBlockHeight && !st.LastValidators.IsNilOrEmpty():
		return st.LastValidators, nil
	case height == st.nextHeight() && !st.Validators.IsNilOrEmpty():
		return st.Validators, nil
	}
	vals, err := e.store.LoadValidators(height)
	if err != nil {
		return nil, fmt.Errorf("loading the validators of height %d: %w", height, err)
	}
	return vals, nil
}

// lastCommitInfo returns the CommitInfo of block's last commit (proposed_last_commit,
// decided_last_commit): empty at the initial height, else built with the validators of
// block.Height-1.
func (e *BlockExecutor) lastCommitInfo(st State, block *types.Block) (abci.CommitInfo, error) {
	if block.Height == st.InitialHeight {
		return abci.CommitInfo{}, nil
	}
	vals, err := e.validatorsAt(st, block.Height-1)
	if err != nil {
		return abci.CommitInfo{}, err
	}
	return BuildCommitInfo(block.LastCommit, vals)
}

// localLastCommit returns PrepareProposal's local_last_commit for the extended commit ec of
// the height before the proposal: empty at the initial height (ec nil or below it).
func (e *BlockExecutor) localLastCommit(st State, ec *types.ExtendedCommit) (abci.ExtendedCommitInfo, error) {
	if ec == nil || ec.Height < st.InitialHeight {
		return abci.ExtendedCommitInfo{}, nil
	}
	vals, err := e.validatorsAt(st, ec.Height)
	if err != nil {
		return abci.ExtendedCommitInfo{}, err
	}
	// The current params answer for ec's height too: an enable height cannot be changed once
	// reached, nor set to a height already passed (types.ConsensusParams.ValidateUpdate).
	return BuildExtendedCommitInfo(ec, vals, st.ConsensusParams.ABCI.VoteExtensionsEnabled(ec.Height))
}

// blockRequestFields are the fields ProcessProposal, ExtendVote and FinalizeBlock share.
type blockRequestFields struct {
	txs         [][]byte
	lastCommit  abci.CommitInfo
	misbehavior []abci.Misbehavior
}

// blockFields builds the shared request fields for block on st.
func (e *BlockExecutor) blockFields(st State, block *types.Block) (blockRequestFields, error) {
	lastCommit, err := e.lastCommitInfo(st, block)
	if err != nil {
		return blockRequestFields{}, fmt.Errorf("block %d: %w", block.Height, err)
	}
	misbehavior, err := MisbehaviorFromEvidence(block.Evidence.Evidence)
	if err != nil {
		return blockRequestFields{}, fmt.Errorf("block %d: %w", block.Height, err)
	}
	return blockRequestFields{txs: block.Txs.ToSliceOfBytes(), lastCommit: lastCommit, misbehavior: misbehavior}, nil
}

// finalizeBlockRequest returns the FinalizeBlock request for block on st.
func (e *BlockExecutor) finalizeBlockRequest(st State, block *types.Block) (*abci.RequestFinalizeBlock, error) {
	f, err := e.blockFields(st, block)
	if err != nil {
		return nil, err
	}
	return &abci.RequestFinalizeBlock{
		Txs:                f.txs,
		DecidedLastCommit:  f.lastCommit,
		Misbehavior:        f.misbehavior,
		Hash:               block.Hash(),
		Height:             block.Height,
		Time:               block.Time,
		NextValidatorsHash: block.NextValidatorsHash,
		ProposerAddress:    block.ProposerAddress,
	}, nil
}
