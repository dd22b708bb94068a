package state

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

func TestUpdateStateWorkedExampleTakesEffectAtHPlus2(t *testing.T) {
	ex, genDoc := loadWorkedExample(t)
	genesis, err := MakeGenesisState(genDoc)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := genesis.Bytes()
	keys := testKeys("a", "b", "c", "d")

	var changes []*types.Validator
	for name, power := range ex.Update.Changes {
		changes = append(changes, validatorOf(name, power))
	}
	block1, id1, s1 := advance(t, genesis, keys, time.Time{}, BlockResults{ValidatorUpdates: changes})
	if after, _ := genesis.Bytes(); !bytes.Equal(before, after) {
		t.Fatal("UpdateState changed its input state")
	}
	assertPriorities(t, "NextValidators after block 1", s1.NextValidators,
		ex.Update.AfterIncrement.Priorities, ex.Update.AfterIncrement.Proposer)
	if !sameSet(s1.Validators, genesis.NextValidators) || !sameSet(s1.LastValidators, genesis.Validators) {
		t.Fatal("validator sets did not shift by one height")
	}
	if s1.LastHeightValidatorsChanged != 3 {
		t.Errorf("LastHeightValidatorsChanged %d, want 3 (H+2)", s1.LastHeightValidatorsChanged)
	}
	if s1.LastBlockHeight != 1 || !s1.LastBlockID.Equals(id1) || !s1.LastBlockTime.Equal(block1.Time) {
		t.Errorf("last block %d %v %v", s1.LastBlockHeight, s1.LastBlockID, s1.LastBlockTime)
	}

	// Height 2 is still validated by a, b, c; height 3 by b, c, d.
	if !s1.Validators.HasAddress(keyOf("a").PubKey().Address()) || s1.Validators.HasAddress(keyOf("d").PubKey().Address()) {
		t.Error("the update took effect at H+1")
	}
	_, _, s2 := advance(t, s1, keys, testGenesisTime.Add(time.Second), BlockResults{})
	if s2.Validators.HasAddress(keyOf("a").PubKey().Address()) || !s2.Validators.HasAddress(keyOf("d").PubKey().Address()) {
		t.Error("the update did not take effect at H+2")
	}
	if s2.LastHeightValidatorsChanged != 3 {
		t.Errorf("LastHeightValidatorsChanged %d after a block without updates, want 3", s2.LastHeightValidatorsChanged)
	}
	// Without updates NextValidators only advances its priorities.
	want := s1.NextValidators.CopyIncrementProposerPriority(1)
	if !sameSet(s2.NextValidators, want) {
		t.Error("NextValidators without updates is not the previous one advanced by 1")
	}
}

func TestUpdateStateParamsTakeEffectAtHPlus1(t *testing.T) {
	secrets := []string{"a"}
	genesis, err := MakeGenesisState(testGenesis(t, secrets, []int64{10}))
	if err != nil {
		t.Fatal(err)
	}
	keys := testKeys(secrets...)
	_, _, s1 := advance(t, genesis, keys, time.Time{}, BlockResults{})
	if s1.LastHeightConsensusParamsChanged != 1 {
		t.Fatalf("params changed at %d without updates", s1.LastHeightConsensusParamsChanged)
	}
	updates := &tmproto.ConsensusParams{
		Block:   &tmproto.BlockParams{MaxBytes: 1 << 20, MaxGas: 5000},
		Version: &tmproto.VersionParams{App: 7},
		Abci:    &tmproto.ABCIParams{VoteExtensionsEnableHeight: 10},
	}
	_, _, s2 := advance(t, s1, keys, testGenesisTime.Add(time.Second), BlockResults{ConsensusParamUpdates: updates})
	if s2.LastHeightConsensusParamsChanged != 3 {
		t.Errorf("LastHeightConsensusParamsChanged %d, want 3 (H+1)", s2.LastHeightConsensusParamsChanged)
	}
	p := s2.ConsensusParams
	if p.Block.MaxBytes != 1<<20 || p.Block.MaxGas != 5000 || p.Version.App != 7 || p.ABCI.VoteExtensionsEnableHeight != 10 {
		t.Errorf("params %+v", p)
	}
	if p.Evidence != s1.ConsensusParams.Evidence {
		t.Errorf("evidence params changed without an update: %+v", p.Evidence)
	}
	if s2.Version.Consensus.App != 7 {
		t.Errorf("app version %d, want 7 from the params", s2.Version.Consensus.App)
	}
	if s1.ConsensusParams.Block.MaxGas == 5000 || s1.Version.Consensus.App == 7 {
		t.Error("UpdateState changed its input state")
	}
	// The next header commits to the new params.
	block3 := s2.MakeBlock(3, nil, signCommit(t, s2.LastValidators, keys, 2, s2.LastBlockID, []time.Time{testGenesisTime.Add(2 * time.Second)}),
		nil, s2.Validators.GetProposer().Address)
	if !bytes.Equal(block3.ConsensusHash, p.Hash()) || bytes.Equal(block3.ConsensusHash, s1.ConsensusParams.Hash()) {
		t.Error("height 3's consensus hash is not the updated params' hash")
	}
}

func TestUpdateStateRejectsBadResults(t *testing.T) {
	genesis, err := MakeGenesisState(testGenesis(t, []string{"a", "b"}, []int64{10, 20}))
	if err != nil {
		t.Fatal(err)
	}
	block := genesis.MakeBlock(1, nil, &types.Commit{}, nil, genesis.Validators.GetProposer().Address)
	id, _ := blockIDOf(t, block)
	cases := map[string]BlockResults{
		"remove unknown validator": {ValidatorUpdates: []*types.Validator{validatorOf("z", 0)}},
		"remove every validator":   {ValidatorUpdates: []*types.Validator{validatorOf("a", 0), validatorOf("b", 0)}},
		"duplicate validator":      {ValidatorUpdates: []*types.Validator{validatorOf("c", 1), validatorOf("c", 2)}},
		"invalid params":           {ConsensusParamUpdates: &tmproto.ConsensusParams{Block: &tmproto.BlockParams{MaxBytes: 0, MaxGas: -1}}},
		"vote extensions in the past": {ConsensusParamUpdates: &tmproto.ConsensusParams{
			Abci: &tmproto.ABCIParams{VoteExtensionsEnableHeight: 1}}},
	}
	for name, res := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := UpdateState(genesis, id, &block.Header, res)
			if !errors.Is(err, ErrInvalidUpdate) {
				t.Fatalf("error %v, want ErrInvalidUpdate", err)
			}
		})
	}
	if _, err := UpdateState(genesis, id, nil, BlockResults{}); err == nil {
		t.Error("nil header accepted")
	}
	empty := genesis
	empty.NextValidators = &types.ValidatorSet{}
	if _, err := UpdateState(empty, id, &block.Header, BlockResults{}); err == nil {
		t.Error("state without next validators accepted")
	}
}

func TestValidatorUpdatesFromABCI(t *testing.T) {
	edParams := types.ValidatorParams{PubKeyTypes: []string{"ed25519"}}
	pub, err := encoding.PubKeyToProto(keyOf("a").PubKey())
	if err != nil {
		t.Fatal(err)
	}
	good := abci.ValidatorUpdate{PubKey: pub, Power: 5}
	vals, err := ValidatorUpdatesFromABCI([]abci.ValidatorUpdate{good}, edParams)
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 1 || vals[0].VotingPower != 5 || !vals[0].PubKey.Equals(keyOf("a").PubKey()) ||
		!bytes.Equal(vals[0].Address, keyOf("a").PubKey().Address()) {
		t.Fatalf("converted %v", vals)
	}
	if vals, err := ValidatorUpdatesFromABCI(nil, edParams); err != nil || vals != nil {
		t.Fatalf("no updates: %v %v", vals, err)
	}

	secpKey, err := secp256k1.GenPrivKeyFromReader(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	secpProto, err := encoding.PubKeyToProto(secpKey.PubKey())
	if err != nil {
		t.Fatal(err)
	}
	negative := good
	negative.Power = -1
	for name, u := range map[string]abci.ValidatorUpdate{
		"negative power":       negative,
		"missing key":          {Power: 1},
		"key type not allowed": {PubKey: secpProto, Power: 1},
	} {
		if _, err := ValidatorUpdatesFromABCI([]abci.ValidatorUpdate{good, u}, edParams); !errors.Is(err, ErrInvalidUpdate) {
			t.Errorf("%s: error %v, want ErrInvalidUpdate", name, err)
		}
	}
	// A removal is not checked against the allowed key types.
	if _, err := ValidatorUpdatesFromABCI([]abci.ValidatorUpdate{{PubKey: secpProto, Power: 0}}, edParams); err != nil {
		t.Errorf("removal of a secp256k1 validator: %v", err)
	}
}

func TestTxResultsHash(t *testing.T) {
	empty := sha256.Sum256(nil)
	if got := TxResultsHash(nil); !bytes.Equal(got, empty[:]) {
		t.Fatalf("no results: %X", got)
	}
	// One result {code 1}: leaf input proto = 08 01, root = SHA256(0x00 || 08 01).
	want := sha256.Sum256([]byte{0x00, 0x08, 0x01})
	full := &abci.ExecTxResult{Code: 1, Log: "log", Info: "info", Codespace: "cs",
		Events: []abci.Event{{Type: "e"}}}
	if got := TxResultsHash([]*abci.ExecTxResult{full}); !bytes.Equal(got, want[:]) {
		t.Fatalf("one result: %X, want %X (only code, data, gas_wanted, gas_used are hashed)", got, want)
	}
	a := TxResultsHash([]*abci.ExecTxResult{{Code: 0, Data: []byte("x"), GasWanted: 3, GasUsed: 2}})
	b := TxResultsHash([]*abci.ExecTxResult{{Code: 0, Data: []byte("x"), GasWanted: 3, GasUsed: 1}})
	if bytes.Equal(a, b) {
		t.Fatal("gas_used is not hashed")
	}
}
