package state

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// backends runs test on a memdb store and a goleveldb store in a temporary directory.
func backends(t *testing.T, test func(t *testing.T, newDB func() dbm.DB)) {
	t.Run("memdb", func(t *testing.T) {
		test(t, func() dbm.DB { return dbm.NewMemDB() })
	})
	t.Run("goleveldb", func(t *testing.T) {
		test(t, func() dbm.DB {
			db, err := dbm.NewGoLevelDB("state", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return db
		})
	})
}

// historyChain is a chain of validators a, b, c whose FinalizeBlock results add d at height 2,
// remove a at height 6, and change the block params at height 4. states[h] is the state after
// block h (states[0] is the genesis state).
func historyChain(t *testing.T, blocks int) []State {
	t.Helper()
	secrets := []string{"a", "b", "c", "d"}
	state, err := MakeGenesisState(testGenesis(t, secrets[:3], []int64{10, 20, 30}))
	if err != nil {
		t.Fatal(err)
	}
	keys := testKeys(secrets...)
	states := []State{state}
	for h := int64(1); h <= int64(blocks); h++ {
		res := BlockResults{AppHash: []byte{byte(h)}, LastResultsHash: TxResultsHash(nil)}
		switch h {
		case 2:
			res.ValidatorUpdates = []*types.Validator{validatorOf("d", 40)}
		case 4:
			res.ConsensusParamUpdates = &tmproto.ConsensusParams{Block: &tmproto.BlockParams{MaxBytes: 1 << 20, MaxGas: int64(h)}}
		case 6:
			res.ValidatorUpdates = []*types.Validator{validatorOf("a", 0)}
		}
		_, _, state = advance(t, state, keys, testGenesisTime.Add(time.Duration(h)*time.Second), res)
		states = append(states, state)
	}
	return states
}

// expectedValidators returns, by height, the validator set that validates it according to
// states (states[h-1].Validators validates h).
func expectedValidators(states []State) map[int64]*types.ValidatorSet {
	want := map[int64]*types.ValidatorSet{}
	for _, s := range states {
		want[s.LastBlockHeight+1] = s.Validators
		want[s.LastBlockHeight+2] = s.NextValidators
	}
	return want
}

func TestStoreSaveLoadAndHistory(t *testing.T) {
	states := historyChain(t, 12)
	backends(t, func(t *testing.T, newDB func() dbm.DB) {
		store := NewStore(newDB(), StoreOptions{})
		defer store.Close()
		if s, err := store.Load(); err != nil || !s.IsEmpty() {
			t.Fatalf("fresh store: %v, empty %v", err, s.IsEmpty())
		}
		for _, s := range states {
			if err := store.Save(s); err != nil {
				t.Fatal(err)
			}
			got, err := store.Load()
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equals(s) {
				t.Fatalf("height %d: loaded state differs from the saved one", s.LastBlockHeight)
			}
		}
		last := states[len(states)-1].LastBlockHeight
		want := expectedValidators(states)
		for h := int64(1); h <= last+2; h++ {
			got, err := store.LoadValidators(h)
			if err != nil {
				t.Fatalf("LoadValidators(%d): %v", h, err)
			}
			if !sameSet(got, want[h]) {
				t.Fatalf("LoadValidators(%d) differs from the set the chain used", h)
			}
		}
		for _, s := range states {
			h := s.LastBlockHeight + 1
			got, err := store.LoadConsensusParams(h)
			if err != nil {
				t.Fatalf("LoadConsensusParams(%d): %v", h, err)
			}
			if got.Hash() == nil || string(got.Hash()) != string(s.ConsensusParams.Hash()) || got.Evidence != s.ConsensusParams.Evidence {
				t.Fatalf("LoadConsensusParams(%d) = %+v, want %+v", h, got, s.ConsensusParams)
			}
		}
		if _, err := store.LoadValidators(last + 3); !errors.Is(err, ErrNotFound) {
			t.Errorf("validators beyond the chain: %v, want ErrNotFound", err)
		}
		if _, err := store.LoadConsensusParams(last + 2); !errors.Is(err, ErrNotFound) {
			t.Errorf("params beyond the chain: %v, want ErrNotFound", err)
		}
	})
}

func TestStoreKeepsFullSetsOnlyAtChanges(t *testing.T) {
	states := historyChain(t, 8)
	db := dbm.NewMemDB()
	store := NewStore(db, StoreOptions{})
	for _, s := range states {
		if err := store.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	// Changes: genesis (1), d added at 2 → validates 4, a removed at 6 → validates 8.
	full := map[int64]bool{1: true, 4: true, 8: true}
	for h := int64(1); h <= 10; h++ {
		info, err := store.loadValidatorsInfo(h)
		if err != nil {
			t.Fatal(err)
		}
		if (info.ValidatorSet != nil) != full[h] {
			t.Errorf("height %d: full set stored %v, want %v (last changed %d)", h, info.ValidatorSet != nil, full[h], info.LastHeightChanged)
		}
	}
}

func TestStoreReopenGoLevelDB(t *testing.T) {
	states := historyChain(t, 7)
	dir := t.TempDir()
	db, err := dbm.NewGoLevelDB("state", dir)
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore(db, StoreOptions{})
	for _, s := range states {
		if err := store.Save(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = dbm.NewGoLevelDB("state", dir)
	if err != nil {
		t.Fatal(err)
	}
	store = NewStore(db, StoreOptions{})
	defer store.Close()
	got, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equals(states[len(states)-1]) {
		t.Fatal("reopened store returns a different state")
	}
	want := expectedValidators(states)
	for h := int64(1); h <= 9; h++ {
		vals, err := store.LoadValidators(h)
		if err != nil || !sameSet(vals, want[h]) {
			t.Fatalf("reopened LoadValidators(%d): %v", h, err)
		}
	}
}

func TestStoreCheckpointStoresFullSet(t *testing.T) {
	secrets := []string{"a", "b"}
	genDoc := testGenesis(t, secrets, []int64{1, 2})
	genDoc.InitialHeight = valSetCheckpointInterval - 1
	genesis, err := MakeGenesisState(genDoc)
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore(dbm.NewMemDB(), StoreOptions{})
	if err := store.Save(genesis); err != nil {
		t.Fatal(err)
	}
	_, _, s1 := advance(t, genesis, testKeys(secrets...), time.Time{}, BlockResults{})
	if err := store.Save(s1); err != nil {
		t.Fatal(err)
	}
	checkpoint, err := store.loadValidatorsInfo(valSetCheckpointInterval)
	if err != nil {
		t.Fatal(err)
	}
	if checkpoint.ValidatorSet == nil || checkpoint.LastHeightChanged != valSetCheckpointInterval-1 {
		t.Fatalf("checkpoint height stores set %v, last changed %d", checkpoint.ValidatorSet != nil, checkpoint.LastHeightChanged)
	}
	// Height 100001 points to 99999 but is rebuilt from the checkpoint.
	ptr, err := store.loadValidatorsInfo(valSetCheckpointInterval + 1)
	if err != nil || ptr.ValidatorSet != nil {
		t.Fatalf("height after the checkpoint: %v, full %v", err, ptr != nil && ptr.ValidatorSet != nil)
	}
	got, err := store.LoadValidators(valSetCheckpointInterval + 1)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSet(got, s1.NextValidators) {
		t.Fatal("set after the checkpoint differs from the chain's")
	}
}

func TestBootstrap(t *testing.T) {
	states := historyChain(t, 9)
	last := states[len(states)-1]
	store := NewStore(dbm.NewMemDB(), StoreOptions{})
	if err := store.Bootstrap(last); err != nil {
		t.Fatal(err)
	}
	got, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	normalized := last.Copy()
	normalized.LastHeightValidatorsChanged = 11
	normalized.LastHeightConsensusParamsChanged = 10
	if !got.Equals(normalized) || last.LastHeightValidatorsChanged != 8 {
		t.Fatalf("bootstrapped state: changed heights %d %d", got.LastHeightValidatorsChanged, got.LastHeightConsensusParamsChanged)
	}
	tooHigh := last.Copy()
	tooHigh.LastHeightValidatorsChanged = 12
	if err := store.Bootstrap(tooHigh); err == nil {
		t.Error("bootstrap with validators changed beyond the next height accepted")
	}
	for h, want := range map[int64]*types.ValidatorSet{9: last.LastValidators, 10: last.Validators, 11: last.NextValidators} {
		vals, err := store.LoadValidators(h)
		if err != nil || !sameSet(vals, want) {
			t.Errorf("LoadValidators(%d) after bootstrap: %v", h, err)
		}
	}
	if _, err := store.LoadValidators(8); !errors.Is(err, ErrNotFound) {
		t.Errorf("validators before the bootstrap height: %v", err)
	}
	params, err := store.LoadConsensusParams(10)
	if err != nil || string(params.Hash()) != string(last.ConsensusParams.Hash()) {
		t.Errorf("params after bootstrap: %v", err)
	}
	// Blocks continue from there.
	_, _, s10 := advance(t, got, testKeys("a", "b", "c", "d"), testGenesisTime.Add(time.Hour), BlockResults{})
	if err := store.Save(s10); err != nil {
		t.Fatal(err)
	}
	if vals, err := store.LoadValidators(12); err != nil || !sameSet(vals, s10.NextValidators) {
		t.Fatalf("LoadValidators(12) after bootstrap and a block: %v", err)
	}
}

func TestPruneStates(t *testing.T) {
	states := historyChain(t, 30)
	store := NewStore(dbm.NewMemDB(), StoreOptions{})
	for _, s := range states {
		if err := store.Save(s); err != nil {
			t.Fatal(err)
		}
		if s.LastBlockHeight > 0 {
			if err := store.SaveFinalizeBlockResponse(s.LastBlockHeight, exampleResponse(s.LastBlockHeight)); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := expectedValidators(states)
	if err := store.PruneStates(1, 25, 20); err != nil {
		t.Fatal(err)
	}
	for h := int64(1); h <= 32; h++ {
		vals, err := store.LoadValidators(h)
		switch {
		case h >= 20:
			if err != nil || !sameSet(vals, want[h]) {
				t.Errorf("LoadValidators(%d) after pruning: %v", h, err)
			}
		case h == 8: // last change before the threshold: kept in full
			if err != nil || !sameSet(vals, want[h]) {
				t.Errorf("LoadValidators(%d), the kept change height: %v", h, err)
			}
		default:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("LoadValidators(%d) after pruning: %v, want ErrNotFound", h, err)
			}
		}
		_, err = store.LoadConsensusParams(h)
		switch {
		case h >= 25 && h <= 31, h == 5: // 5: last params change, kept in full
			if err != nil {
				t.Errorf("LoadConsensusParams(%d) after pruning: %v", h, err)
			}
		default:
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("LoadConsensusParams(%d) after pruning: %v, want ErrNotFound", h, err)
			}
		}
		_, err = store.LoadFinalizeBlockResponse(h)
		if wantKept := h >= 25 && h <= 30; (err == nil) != wantKept {
			t.Errorf("LoadFinalizeBlockResponse(%d) after pruning: %v", h, err)
		}
	}
	for _, bad := range [][3]int64{{0, 5, 5}, {5, 5, 5}, {6, 5, 5}, {1, 100, 100}} {
		if err := store.PruneStates(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("PruneStates%v accepted", bad)
		}
	}
}

func TestLoadStateFromDBOrGenesisDoc(t *testing.T) {
	genDoc := testGenesis(t, []string{"a"}, []int64{10})
	hash := []byte("0123456789abcdef0123456789abcdef")
	db := dbm.NewMemDB()
	if err := db.Set(legacyGenesisDocKey, []byte(`{"chain_id":"old"}`)); err != nil {
		t.Fatal(err)
	}
	store := NewStore(db, StoreOptions{})

	state, err := LoadStateFromDBOrGenesisDoc(store, genDoc, hash)
	if err != nil {
		t.Fatal(err)
	}
	genesis, _ := MakeGenesisState(genDoc)
	if !state.Equals(genesis) {
		t.Fatal("first load is not the genesis state")
	}
	if recorded, _ := store.LoadGenesisDocHash(); string(recorded) != string(hash) {
		t.Fatalf("recorded hash %q", recorded)
	}
	if has, _ := db.Has(legacyGenesisDocKey); has {
		t.Error("the legacy genesis document was not deleted")
	}
	if s, _ := store.Load(); !s.IsEmpty() {
		t.Error("the genesis state was saved by loading it")
	}
	if _, err := LoadStateFromDBOrGenesisDoc(store, genDoc, []byte("another hash")); !errors.Is(err, ErrGenesisHashMismatch) {
		t.Fatalf("changed genesis: %v, want ErrGenesisHashMismatch", err)
	}
	_, _, s1 := advance(t, genesis, testKeys("a"), time.Time{}, BlockResults{AppHash: []byte("x")})
	if err := store.Save(s1); err != nil {
		t.Fatal(err)
	}
	state, err = LoadStateFromDBOrGenesisDoc(store, genDoc, hash)
	if err != nil || !state.Equals(s1) {
		t.Fatalf("load after a block: %v", err)
	}
	if _, err := LoadStateFromDBOrGenesisDoc(store, genDoc, nil); err == nil {
		t.Error("empty hash accepted")
	}
}

func TestLoadStateFromDBOrGenesisFile(t *testing.T) {
	path := t.TempDir() + "/genesis.json"
	genDoc := testGenesis(t, []string{"a", "b"}, []int64{1, 2})
	if err := genDoc.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	store := NewStore(dbm.NewMemDB(), StoreOptions{})
	state, loaded, err := LoadStateFromDBOrGenesisFile(store, path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ChainID != genDoc.ChainID || state.Validators.Size() != 2 {
		t.Fatalf("loaded %q with %d validators", loaded.ChainID, state.Validators.Size())
	}
	// Editing the file after the first start is refused.
	genDoc.Validators = genDoc.Validators[:1]
	if err := genDoc.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadStateFromDBOrGenesisFile(store, path); !errors.Is(err, ErrGenesisHashMismatch) {
		t.Fatalf("edited genesis file: %v", err)
	}
	if _, _, err := LoadStateFromDBOrGenesisFile(store, path+".missing"); err == nil {
		t.Fatal("missing file accepted")
	}
}

// storedValidatorsInfo encodes a ValidatorsInfo for corruption tests.
func storedValidatorsInfo(t *testing.T, info *tmstate.ValidatorsInfo) []byte {
	t.Helper()
	bz, err := info.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

func TestStoreCorruptValues(t *testing.T) {
	garbage := []byte{0xff, 0xff, 0xff}
	vals, err := types.NewValidatorSet([]*types.Validator{types.NewValidator(ed25519.GenPrivKeyFromSecret([]byte("a")).PubKey(), 1)})
	if err != nil {
		t.Fatal(err)
	}
	pbVals, _ := vals.ToProto()
	badVals := *pbVals
	badVals.Proposer = nil
	cases := []struct {
		name string
		key  []byte
		val  []byte
		load func(s *DBStore) error
	}{
		{"state", stateKey, garbage, func(s *DBStore) error { _, err := s.Load(); return err }},
		{"state that fails FromProto", stateKey, mustMarshal(t, &tmstate.State{ChainID: "x"}),
			func(s *DBStore) error { _, err := s.Load(); return err }},
		{"validators", validatorsKey(3), garbage, func(s *DBStore) error { _, err := s.LoadValidators(3); return err }},
		{"invalid validator set", validatorsKey(3),
			storedValidatorsInfo(t, &tmstate.ValidatorsInfo{ValidatorSet: &badVals, LastHeightChanged: 3}),
			func(s *DBStore) error { _, err := s.LoadValidators(3); return err }},
		{"validators pointing forward", validatorsKey(3),
			storedValidatorsInfo(t, &tmstate.ValidatorsInfo{LastHeightChanged: 7}),
			func(s *DBStore) error { _, err := s.LoadValidators(3); return err }},
		{"params", consensusParamsKey(3), garbage, func(s *DBStore) error { _, err := s.LoadConsensusParams(3); return err }},
		{"params pointing to themselves", consensusParamsKey(3),
			mustMarshal(t, &tmstate.ConsensusParamsInfo{LastHeightChanged: 3}),
			func(s *DBStore) error { _, err := s.LoadConsensusParams(3); return err }},
		{"finalize block response", abciResponsesKey(3), garbage,
			func(s *DBStore) error { _, err := s.LoadFinalizeBlockResponse(3); return err }},
		{"last finalize block response", lastABCIResponseKey, garbage,
			func(s *DBStore) error { _, err := s.LoadLastFinalizeBlockResponse(3); return err }},
		{"empty last finalize block response", lastABCIResponseKey,
			mustMarshal(t, &tmstate.ABCIResponsesInfo{Height: 3}),
			func(s *DBStore) error { _, err := s.LoadLastFinalizeBlockResponse(3); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := dbm.NewMemDB()
			if err := db.Set(tc.key, tc.val); err != nil {
				t.Fatal(err)
			}
			err := tc.load(NewStore(db, StoreOptions{}))
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("error %v, want ErrCorrupted", err)
			}
			if want := fmt.Sprintf("%q", tc.key); !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not name the key %q", err, want)
			}
		})
	}
}

type marshaler interface{ Marshal() ([]byte, error) }

func mustMarshal(t *testing.T, m marshaler) []byte {
	t.Helper()
	bz, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}
