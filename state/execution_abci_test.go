package state

import (
	"bytes"
	"strings"
	"testing"
	"time"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

func execValSet(t *testing.T, names ...string) *types.ValidatorSet {
	t.Helper()
	vals := make([]*types.Validator, len(names))
	for i, name := range names {
		vals[i] = types.NewValidator(execKey(name).PubKey(), int64(10*(i+1)))
	}
	set, err := types.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestMisbehaviorFromEvidence(t *testing.T) {
	vals := execValSet(t, "a", "b", "c")
	_, val := vals.GetByIndex(1)
	blockID := func(b byte) types.BlockID {
		return types.BlockID{Hash: bytes.Repeat([]byte{b}, 32), PartSetHeader: types.PartSetHeader{Total: 1, Hash: bytes.Repeat([]byte{b}, 32)}}
	}
	vote := func(id types.BlockID) *types.Vote {
		return &types.Vote{Type: types.PrevoteType, Height: 5, BlockID: id, ValidatorAddress: val.Address, ValidatorIndex: 1}
	}
	evTime := execGenesisTime.Add(time.Minute)
	dve, err := types.NewDuplicateVoteEvidence(vote(blockID(1)), vote(blockID(2)), evTime, vals)
	if err != nil {
		t.Fatal(err)
	}
	lca := &types.LightClientAttackEvidence{
		CommonHeight:        4,
		ByzantineValidators: []*types.Validator{vals.Validators[0], vals.Validators[2]},
		TotalVotingPower:    60,
		Timestamp:           evTime,
	}

	got, err := MisbehaviorFromEvidence(types.EvidenceList{dve, lca})
	if err != nil {
		t.Fatal(err)
	}
	want := []abci.Misbehavior{
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: val.Address, Power: val.VotingPower},
			Height: 5, Time: evTime, TotalVotingPower: 60},
		{Type: abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, Validator: abci.Validator{Address: vals.Validators[0].Address, Power: vals.Validators[0].VotingPower},
			Height: 4, Time: evTime, TotalVotingPower: 60},
		{Type: abci.MisbehaviorType_LIGHT_CLIENT_ATTACK, Validator: abci.Validator{Address: vals.Validators[2].Address, Power: vals.Validators[2].VotingPower},
			Height: 4, Time: evTime, TotalVotingPower: 60},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].String() != want[i].String() {
			t.Errorf("entry %d:\n got %v\nwant %v", i, got[i], want[i])
		}
	}
	if empty, err := MisbehaviorFromEvidence(nil); err != nil || len(empty) != 0 {
		t.Fatalf("no evidence gave %v, %v", empty, err)
	}
}

func TestBuildCommitInfoRefusesMismatchedCommits(t *testing.T) {
	vals := execValSet(t, "a", "b", "c")
	sig := func(name string) types.CommitSig {
		return types.CommitSig{BlockIDFlag: types.BlockIDFlagCommit, ValidatorAddress: execKey(name).PubKey().Address(),
			Timestamp: execGenesisTime, Signature: bytes.Repeat([]byte{1}, 64)}
	}
	byIndex := make([]types.CommitSig, 3)
	for i, v := range vals.Validators {
		byIndex[i] = types.CommitSig{BlockIDFlag: types.BlockIDFlagCommit, ValidatorAddress: v.Address,
			Timestamp: execGenesisTime, Signature: bytes.Repeat([]byte{1}, 64)}
	}
	byIndex[1] = types.NewCommitSigAbsent()

	good := &types.Commit{Height: 3, Round: 2, Signatures: byIndex}
	info, err := BuildCommitInfo(good, vals)
	if err != nil {
		t.Fatal(err)
	}
	if info.Round != 2 || len(info.Votes) != 3 || info.Votes[1].BlockIdFlag != types.BlockIDFlagAbsent ||
		!bytes.Equal(info.Votes[1].Validator.Address, vals.Validators[1].Address) ||
		info.Votes[2].Validator.Power != vals.Validators[2].VotingPower {
		t.Fatalf("commit info %+v", info)
	}

	short := &types.Commit{Height: 3, Signatures: byIndex[:2]}
	if _, err := BuildCommitInfo(short, vals); err == nil || !strings.Contains(err.Error(), "2 entries, the validator set has 3") {
		t.Fatalf("short commit: %v", err)
	}
	swapped := &types.Commit{Height: 3, Signatures: []types.CommitSig{byIndex[2], byIndex[1], byIndex[0]}}
	if _, err := BuildCommitInfo(swapped, vals); err == nil {
		t.Fatal("entries in the wrong order were accepted")
	}
	ext := &types.ExtendedCommit{Height: 3, ExtendedSignatures: []types.ExtendedCommitSig{
		{CommitSig: byIndex[0]}, {CommitSig: byIndex[1]}, {CommitSig: sig("zzz")},
	}}
	if _, err := BuildExtendedCommitInfo(ext, vals, false); err == nil {
		t.Fatal("an extended commit signed by a stranger was accepted")
	}
	ext.ExtendedSignatures[2] = types.ExtendedCommitSig{CommitSig: byIndex[2]}
	if _, err := BuildExtendedCommitInfo(ext, vals, true); err == nil {
		t.Fatal("a COMMIT entry without extension signature was accepted while extensions are enabled")
	}
	if _, err := BuildExtendedCommitInfo(ext, vals, false); err != nil {
		t.Fatal(err)
	}
}
