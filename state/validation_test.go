package state

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// validationFixture is a chain of validators a(10), b(20), c(30) after block 1, and a valid
// block 2 for it.
type validationFixture struct {
	genesis State
	state   State // after block 1
	keys    map[string]ed25519.PrivKey
	block1  *types.Block
	now     time.Time
}

var commitBase = testGenesisTime.Add(time.Second)

func newValidationFixture(t *testing.T) validationFixture {
	t.Helper()
	secrets := []string{"a", "b", "c"}
	genesis, err := MakeGenesisState(testGenesis(t, secrets, []int64{10, 20, 30}))
	if err != nil {
		t.Fatal(err)
	}
	genesis.AppHash = []byte("app hash 0")
	keys := testKeys(secrets...)
	block1, _, state := advance(t, genesis, keys, time.Time{},
		BlockResults{AppHash: []byte("app hash 1"), LastResultsHash: TxResultsHash(nil)})
	return validationFixture{genesis: genesis, state: state, keys: keys, block1: block1, now: commitBase.Add(10 * time.Second)}
}

// block2 returns a fresh valid block 2: every validator precommitted block 1, at commitBase
// plus 0, 1 and 2 seconds (by index).
func (f validationFixture) block2(t *testing.T) *types.Block {
	t.Helper()
	times := []time.Time{commitBase, commitBase.Add(time.Second), commitBase.Add(2 * time.Second)}
	commit := signCommit(t, f.state.LastValidators, f.keys, 1, f.state.LastBlockID, times)
	return f.state.MakeBlock(2, []types.Tx{types.Tx("tx")}, commit, nil, f.state.Validators.GetProposer().Address)
}

// duplicateVote returns evidence that validator a double-signed at height 1.
func (f validationFixture) duplicateVote(t *testing.T) types.Evidence {
	t.Helper()
	key := keyOf("a")
	vote := func(seed string) *types.Vote {
		h := sha256.Sum256([]byte(seed))
		v := &types.Vote{
			Type: types.PrevoteType, Height: 1, Timestamp: f.block1.Time,
			BlockID:          types.BlockID{Hash: h[:], PartSetHeader: types.PartSetHeader{Total: 1, Hash: h[:]}},
			ValidatorAddress: key.PubKey().Address(), ValidatorIndex: 2,
		}
		sig, err := key.Sign(v.SignBytes(testChainID))
		if err != nil {
			t.Fatal(err)
		}
		v.Signature = sig
		return v
	}
	ev, err := types.NewDuplicateVoteEvidence(vote("x"), vote("y"), f.block1.Time, f.genesis.Validators)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestValidateBlock(t *testing.T) {
	f := newValidationFixture(t)
	cases := []struct {
		name string
		// edit changes the state, block or time before validation; nil keeps the valid block 2.
		edit func(t *testing.T, s *State, b **types.Block, now *time.Time)
		want string // substring of the error; "" means valid
	}{
		{name: "valid block", want: ""},
		{name: "valid block with evidence", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).Evidence.Evidence = types.EvidenceList{f.duplicateVote(t)}
			(*b).EvidenceHash = (*b).Evidence.Hash()
		}, want: ""},
		{name: "nil block", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) { *b = nil }, want: "nil block"},
		{name: "fails ValidateBasic", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).DataHash = make([]byte, 32)
		}, want: "data"},
		{name: "app version", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).Version.App = 3
		}, want: "header version: want {block 11, app 0}, got {block 11, app 3}"},
		{name: "chain id", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).ChainID = "other-chain"
		}, want: `header chain_id: want "test-chain", got "other-chain"`},
		{name: "height", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).Height = 3
		}, want: "header height: want 2, got 3"},
		{name: "height at genesis is the initial height", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			*s = f.genesis
		}, want: "header height: want 1, got 2"},
		{name: "last block id", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).LastBlockID = types.BlockID{}
		}, want: "header last_block_id"},
		{name: "app hash", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).AppHash = []byte("other")
		}, want: "header app_hash: want 61707020686173682031, got 6F74686572"},
		{name: "consensus hash", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			s.ConsensusParams.Block.MaxGas = 12
		}, want: "header consensus_hash"},
		{name: "last results hash", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).LastResultsHash = make([]byte, 32)
		}, want: "header last_results_hash"},
		{name: "validators hash", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).ValidatorsHash = make([]byte, 32)
		}, want: "header validators_hash"},
		{name: "next validators hash", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).NextValidatorsHash = make([]byte, 32)
		}, want: "header next_validators_hash"},
		{name: "last commit without +2/3", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			// Only a (10 of 60) signs.
			times := []time.Time{{}, {}, commitBase}
			(*b).LastCommit = signCommit(t, s.LastValidators, f.keys, 1, s.LastBlockID, times)
			(*b).LastCommitHash = (*b).LastCommit.Hash()
			(*b).Time = commitBase
		}, want: "last_commit"},
		{name: "last commit with a bad signature", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).LastCommit.Signatures[0].Signature[0] ^= 1
			(*b).LastCommitHash = (*b).LastCommit.Hash()
		}, want: "last_commit"},
		{name: "last commit at the initial height", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			*s = f.genesis
			(*b).Height = 1
			(*b).LastBlockID = types.BlockID{}
			(*b).AppHash = s.AppHash
			(*b).LastResultsHash = nil
			(*b).ValidatorsHash = s.Validators.Hash()
			(*b).NextValidatorsHash = s.NextValidators.Hash()
			(*b).Time = testGenesisTime
		}, want: "last_commit: want no signatures at the initial height 1, got 3"},
		{name: "proposer not a validator", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).ProposerAddress = keyOf("z").PubKey().Address()
		}, want: "header proposer_address"},
		{name: "time too far in the future", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			*now = (*b).Time.Add(-time.Minute)
		}, want: "too far in the future"},
		{name: "time not after the last block time", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			s.LastBlockTime = (*b).Time
		}, want: "is not after the last block time"},
		{name: "time is not the median", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).Time = (*b).Time.Add(time.Millisecond)
		}, want: "(median of the last commit)"},
		{name: "genesis block time", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			*s = f.genesis
			*b = s.MakeBlock(1, nil, &types.Commit{}, nil, s.Validators.GetProposer().Address)
			(*b).Time = testGenesisTime.Add(time.Nanosecond)
		}, want: "want the genesis time"},
		{name: "evidence too large", edit: func(t *testing.T, s *State, b **types.Block, now *time.Time) {
			(*b).Evidence.Evidence = types.EvidenceList{f.duplicateVote(t)}
			(*b).EvidenceHash = (*b).Evidence.Hash()
			s.ConsensusParams.Evidence.MaxBytes = 10
			(*b).ConsensusHash = s.ConsensusParams.Hash()
		}, want: "evidence size: max 10 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			state := f.state.Copy()
			block := f.block2(t)
			now := f.now
			if tc.edit != nil {
				tc.edit(t, &state, &block, &now)
			}
			err := ValidateBlock(state, block, now, time.Minute)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid block rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want an error with %q", tc.want)
			}
			if !errors.Is(err, ErrInvalidBlock) {
				t.Errorf("error %v does not wrap ErrInvalidBlock", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidateBlockToleranceBoundary(t *testing.T) {
	f := newValidationFixture(t)
	block := f.block2(t)
	tol := 5 * time.Second
	if err := ValidateBlock(f.state, block, block.Time.Add(-tol).Add(time.Nanosecond), tol); err != nil {
		t.Fatalf("time just before now+tolerance rejected: %v", err)
	}
	if err := ValidateBlock(f.state, block, block.Time.Add(-tol), tol); err == nil {
		t.Fatal("time equal to now+tolerance accepted")
	}
	// Tolerance 0 disables the check (replay of stored blocks).
	if err := ValidateBlock(f.state, block, time.Time{}, 0); err != nil {
		t.Fatalf("tolerance 0: %v", err)
	}
}
