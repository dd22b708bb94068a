package state

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/merkle"
	"github.com/ballot-bft/ballot/types"
	"github.com/ballot-bft/ballot/version"
)

// workedExample mirrors testdata/proposer_worked_example.json (consensus.md §9).
type workedExample struct {
	Validators []struct {
		Name  string `json:"name"`
		Power int64  `json:"power"`
	} `json:"validators"`
	AfterNew struct {
		Proposer   string           `json:"proposer"`
		Priorities map[string]int64 `json:"priorities"`
	} `json:"after_new"`
	Increments []struct {
		Times      int32            `json:"times"`
		Proposer   string           `json:"proposer"`
		Priorities map[string]int64 `json:"priorities"`
	} `json:"increments_from_new"`
	Update struct {
		Changes        map[string]int64 `json:"changes"`
		AfterIncrement struct {
			Proposer   string           `json:"proposer"`
			Priorities map[string]int64 `json:"priorities"`
		} `json:"after_increment"`
	} `json:"update"`
}

func loadWorkedExample(t *testing.T) (workedExample, *types.GenesisDoc) {
	t.Helper()
	var ex workedExample
	loadJSON(t, "proposer_worked_example.json", &ex)
	var secrets []string
	var powers []int64
	for _, v := range ex.Validators {
		secrets = append(secrets, v.Name)
		powers = append(powers, v.Power)
	}
	return ex, testGenesis(t, secrets, powers)
}

func assertPriorities(t *testing.T, what string, vals *types.ValidatorSet, want map[string]int64, wantProposer string) {
	t.Helper()
	got := prioritiesByName(vals, "a", "b", "c", "d")
	if len(got) != len(want) {
		t.Errorf("%s: priorities %v, want %v", what, got, want)
	}
	for name, p := range want {
		if got[name] != p {
			t.Errorf("%s: priorities %v, want %v", what, got, want)
			break
		}
	}
	if p := nameOf(vals.GetProposer().Address, "a", "b", "c", "d"); p != wantProposer {
		t.Errorf("%s: proposer %s, want %s", what, p, wantProposer)
	}
}

func TestMakeGenesisStateWorkedExample(t *testing.T) {
	ex, genDoc := loadWorkedExample(t)
	state, err := MakeGenesisState(genDoc)
	if err != nil {
		t.Fatal(err)
	}
	assertPriorities(t, "Validators", state.Validators, ex.AfterNew.Priorities, ex.AfterNew.Proposer)
	inc1 := ex.Increments[0]
	if inc1.Times != 1 {
		t.Fatalf("vector: first increment has times %d", inc1.Times)
	}
	assertPriorities(t, "NextValidators", state.NextValidators, inc1.Priorities, inc1.Proposer)

	if !state.LastValidators.IsNilOrEmpty() {
		t.Errorf("LastValidators %v, want empty", state.LastValidators)
	}
	if state.LastBlockHeight != 0 || state.InitialHeight != 1 ||
		state.LastHeightValidatorsChanged != 1 || state.LastHeightConsensusParamsChanged != 1 {
		t.Errorf("heights: last %d initial %d vals changed %d params changed %d",
			state.LastBlockHeight, state.InitialHeight, state.LastHeightValidatorsChanged, state.LastHeightConsensusParamsChanged)
	}
	if !state.LastBlockTime.Equal(testGenesisTime) || state.ChainID != testChainID {
		t.Errorf("time %v chain %q", state.LastBlockTime, state.ChainID)
	}
	if state.Version.Consensus.Block != version.BlockProtocol || state.Version.Consensus.App != 0 ||
		state.Version.Software != version.CometBFT {
		t.Errorf("version %+v", state.Version)
	}
	if len(state.LastResultsHash) != 0 || len(state.AppHash) != 0 || !state.LastBlockID.IsNil() {
		t.Errorf("results hash %X app hash %X last block %v", state.LastResultsHash, state.AppHash, state.LastBlockID)
	}
	if state.IsEmpty() {
		t.Error("genesis state reported empty")
	}
	// The genesis doc's params are copied, not shared.
	state.ConsensusParams.Validator.PubKeyTypes[0] = "changed"
	if genDoc.ConsensusParams.Validator.PubKeyTypes[0] == "changed" {
		t.Error("genesis state shares the key-type list with the genesis doc")
	}
}

func TestMakeGenesisStateEdgeCases(t *testing.T) {
	if _, err := MakeGenesisState(nil); err == nil {
		t.Error("nil genesis doc accepted")
	}
	if _, err := MakeGenesisState(&types.GenesisDoc{GenesisTime: testGenesisTime}); err == nil {
		t.Error("genesis without chain id accepted")
	}
	// Validators may come from InitChain instead.
	state, err := MakeGenesisState(&types.GenesisDoc{GenesisTime: testGenesisTime, ChainID: "c", InitialHeight: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !state.Validators.IsNilOrEmpty() || !state.NextValidators.IsNilOrEmpty() || state.IsEmpty() {
		t.Errorf("sets %v %v", state.Validators, state.NextValidators)
	}
	if state.InitialHeight != 7 || state.LastHeightValidatorsChanged != 7 {
		t.Errorf("initial height %d, vals changed %d", state.InitialHeight, state.LastHeightValidatorsChanged)
	}
	if !(State{}).IsEmpty() {
		t.Error("zero state not empty")
	}
}

// genesisVector mirrors the fields of testdata/genesis_vector.json used here (types.md §7.4).
type genesisVector struct {
	ChainID            string `json:"chain_id"`
	GenesisTime        string `json:"genesis_time"`
	ValidatorSecret    string `json:"validator_key_secret"`
	ValidatorAddress   string `json:"validator_address"`
	ValidatorPower     int64  `json:"validator_power"`
	ValidatorsHash     string `json:"validators_hash"`
	EmptyHash          string `json:"empty_hash"`
	BlockHash          string `json:"block_hash"`
	BlockProto         string `json:"block_proto"`
	PartSetTotal       uint32 `json:"part_set_total"`
	PartSetHash        string `json:"part_set_hash"`
	PrecommitTime      string `json:"precommit_time"`
	PrecommitSignature string `json:"precommit_signature"`
	CommitHash         string `json:"commit_hash"`
}

func TestMakeBlockGenesisVector(t *testing.T) {
	var v genesisVector
	loadJSON(t, "genesis_vector.json", &v)
	genTime, err := time.Parse(time.RFC3339, v.GenesisTime)
	if err != nil {
		t.Fatal(err)
	}
	genDoc := &types.GenesisDoc{
		GenesisTime: genTime, ChainID: v.ChainID,
		Validators: []types.GenesisValidator{{PubKey: keyOf(v.ValidatorSecret).PubKey(), Power: v.ValidatorPower}},
	}
	state, err := MakeGenesisState(genDoc)
	if err != nil {
		t.Fatal(err)
	}
	// What the handshake sets after InitChain (consensus.md §12).
	state.LastResultsHash = merkle.HashFromByteSlices(nil)
	if got := hex.EncodeToString(state.LastResultsHash); got != v.EmptyHash {
		t.Fatalf("empty results hash %s", got)
	}
	proposer := mustHex(t, v.ValidatorAddress)

	block := state.MakeBlock(1, nil, &types.Commit{}, nil, proposer)
	if got := hex.EncodeToString(block.ValidatorsHash); got != v.ValidatorsHash {
		t.Errorf("validators hash %s, want %s", got, v.ValidatorsHash)
	}
	pb, err := block.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	wire, err := pb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(wire); got != v.BlockProto {
		t.Errorf("block proto\n got %s\nwant %s", got, v.BlockProto)
	}
	id, _ := blockIDOf(t, block)
	if got := hex.EncodeToString(id.Hash); got != v.BlockHash {
		t.Fatalf("block hash %s, want %s", got, v.BlockHash)
	}
	if id.PartSetHeader.Total != v.PartSetTotal || hex.EncodeToString(id.PartSetHeader.Hash) != v.PartSetHash {
		t.Fatalf("part set header %v", id.PartSetHeader)
	}
	if err := ValidateBlock(state, block, genTime, time.Minute); err != nil {
		t.Fatalf("the vector block does not validate: %v", err)
	}

	// Height 2 carries the vector's commit and takes its time from it.
	next, err := UpdateState(state, id, &block.Header, BlockResults{LastResultsHash: state.LastResultsHash})
	if err != nil {
		t.Fatal(err)
	}
	commitTime, err := time.Parse(time.RFC3339, v.PrecommitTime)
	if err != nil {
		t.Fatal(err)
	}
	commit := signCommit(t, next.LastValidators, testKeys(v.ValidatorSecret), 1, id, []time.Time{commitTime})
	if got := hex.EncodeToString(commit.Signatures[0].Signature); got != v.PrecommitSignature {
		t.Fatalf("precommit signature %s, want %s", got, v.PrecommitSignature)
	}
	block2 := next.MakeBlock(2, nil, commit, nil, proposer)
	if got := hex.EncodeToString(block2.LastCommitHash); got != v.CommitHash {
		t.Errorf("height 2 last_commit_hash %s, want %s", got, v.CommitHash)
	}
	if !block2.Time.Equal(commitTime) {
		t.Errorf("height 2 time %v, want the only precommit's time %v", block2.Time, commitTime)
	}
	if !block2.LastBlockID.Equals(id) {
		t.Errorf("height 2 last block id %v", block2.LastBlockID)
	}
	if err := ValidateBlock(next, block2, commitTime, time.Minute); err != nil {
		t.Fatalf("height 2 does not validate: %v", err)
	}
}

func TestMakeBlockUsesWeightedMedianTime(t *testing.T) {
	secrets := []string{"a", "b", "c"}
	genDoc := testGenesis(t, secrets, []int64{10, 20, 30})
	state, err := MakeGenesisState(genDoc)
	if err != nil {
		t.Fatal(err)
	}
	_, id, state := advance(t, state, testKeys(secrets...), time.Time{}, BlockResults{})
	// LastValidators order: c(30), b(20), a(10). Times: c late, b early, a earliest.
	base := testGenesisTime.Add(time.Second)
	times := []time.Time{base.Add(3 * time.Second), base.Add(time.Second), base}
	commit := signCommit(t, state.LastValidators, testKeys(secrets...), 1, id, times)
	block := state.MakeBlock(2, nil, commit, nil, state.Validators.GetProposer().Address)
	// Sorted: a(10)@base, b(20)@+1s, c(30)@+3s; total/2 = 30: a leaves 20, b's 20 ≥ 20 → b's time.
	if want := base.Add(time.Second); !block.Time.Equal(want) {
		t.Fatalf("time %v, want %v", block.Time, want)
	}
	if want := types.MedianTime(commit, state.LastValidators); !block.Time.Equal(want) {
		t.Fatalf("time %v, MedianTime %v", block.Time, want)
	}
}

func TestStateProtoRoundTrip(t *testing.T) {
	secrets := []string{"a", "b", "c"}
	state, err := MakeGenesisState(testGenesis(t, secrets, []int64{10, 20, 30}))
	if err != nil {
		t.Fatal(err)
	}
	state.AppHash = []byte("app")
	keys := testKeys(secrets...)
	check := func(what string, s State) {
		t.Helper()
		pb, err := s.ToProto()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		back, err := FromProto(pb)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !back.Equals(s) {
			t.Fatalf("%s: round trip changed the state", what)
		}
		a, _ := s.Bytes()
		b, _ := back.Bytes()
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: bytes differ", what)
		}
		if back.Validators.GetProposer() == nil || !bytes.Equal(back.Validators.GetProposer().Address, s.Validators.GetProposer().Address) {
			t.Fatalf("%s: proposer lost", what)
		}
	}
	check("genesis", state)
	commitTime := testGenesisTime
	for h := 1; h <= 3; h++ {
		commitTime = commitTime.Add(time.Second)
		_, _, state = advance(t, state, keys, commitTime, BlockResults{AppHash: []byte{byte(h)}, LastResultsHash: merkle.HashFromByteSlices(nil)})
		check("after a block", state)
	}
	other := state.Copy()
	other.AppHash = []byte("different")
	if other.Equals(state) {
		t.Fatal("states with different app hashes are equal")
	}
	if (State{}).Equals(state) {
		t.Fatal("the empty state equals a real one")
	}
}

func TestFromProtoErrors(t *testing.T) {
	if _, err := FromProto(nil); err == nil {
		t.Error("nil accepted")
	}
	state, err := MakeGenesisState(testGenesis(t, []string{"a"}, []int64{1}))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := state.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	pb.Validators = nil
	if _, err := FromProto(pb); err == nil {
		t.Error("state without validators accepted")
	}
	pb, _ = state.ToProto()
	pb.LastBlockHeight = 5 // now LastValidators is required
	if _, err := FromProto(pb); err == nil {
		t.Error("state at height 5 without last validators accepted")
	}
	if _, err := (State{}).Bytes(); err == nil {
		t.Error("the empty state encoded")
	}
}

func TestStateCopyIsDeep(t *testing.T) {
	state, err := MakeGenesisState(testGenesis(t, []string{"a", "b"}, []int64{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	state.AppHash = []byte{1, 2, 3}
	c := state.Copy()
	c.AppHash[0] = 9
	c.Validators.Validators[0].ProposerPriority = 12345
	c.NextValidators.IncrementProposerPriority(3)
	c.ConsensusParams.Validator.PubKeyTypes[0] = "x"
	if state.AppHash[0] != 1 || state.Validators.Validators[0].ProposerPriority == 12345 ||
		state.ConsensusParams.Validator.PubKeyTypes[0] != "ed25519" {
		t.Fatal("Copy shares data with the original")
	}
	if !state.Copy().Equals(state) {
		t.Fatal("a copy is not equal to the original")
	}
}
