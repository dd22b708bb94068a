package state

import (
	"errors"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
)

// seededStore returns a store holding bz under key.
func seededStore(t *testing.T, key, bz []byte) *DBStore {
	db := dbm.NewMemDB()
	if len(bz) > 0 {
		if err := db.Set(key, bz); err != nil {
			t.Fatal(err)
		}
	}
	return NewStore(db, StoreOptions{})
}

// FuzzLoadState feeds arbitrary bytes to Load: it must return a state or an error, never panic,
// and a decoded state must re-encode and decode to an equal state.
func FuzzLoadState(f *testing.F) {
	states := historyChain(&testing.T{}, 3)
	for _, s := range states {
		bz, err := s.Bytes()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bz)
	}
	f.Add([]byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, bz []byte) {
		state, err := seededStore(t, stateKey, bz).Load()
		if err != nil {
			if !errors.Is(err, ErrCorrupted) {
				t.Fatalf("error %v does not wrap ErrCorrupted", err)
			}
			return
		}
		if state.IsEmpty() {
			return
		}
		again, err := state.Bytes()
		if err != nil {
			t.Fatalf("a loaded state does not encode: %v", err)
		}
		back, err := seededStore(t, stateKey, again).Load()
		if err != nil || !back.Equals(state) {
			t.Fatalf("re-encoded state does not load back: %v", err)
		}
	})
}

// FuzzLoadHistory feeds arbitrary bytes to the validator-set, params and FinalizeBlock response
// loads of height 5 (with a valid full set at height 3 to point to).
func FuzzLoadHistory(f *testing.F) {
	states := historyChain(&testing.T{}, 6)
	src := NewStore(dbm.NewMemDB(), StoreOptions{})
	for _, s := range states {
		if err := src.Save(s); err != nil {
			f.Fatal(err)
		}
	}
	if err := src.SaveFinalizeBlockResponse(5, exampleResponse(5)); err != nil {
		f.Fatal(err)
	}
	for _, key := range [][]byte{validatorsKey(4), validatorsKey(5), consensusParamsKey(5), consensusParamsKey(1), abciResponsesKey(5), lastABCIResponseKey} {
		bz, err := src.db.Get(key)
		if err != nil || len(bz) == 0 {
			f.Fatalf("seed %q: %v", key, err)
		}
		f.Add(bz)
	}
	full, _ := src.db.Get(validatorsKey(4))
	params, _ := src.db.Get(consensusParamsKey(1))
	f.Fuzz(func(t *testing.T, bz []byte) {
		db := dbm.NewMemDB()
		for key, val := range map[string][]byte{
			string(validatorsKey(3)): full, string(consensusParamsKey(3)): params,
			string(validatorsKey(5)): bz, string(consensusParamsKey(5)): bz,
			string(abciResponsesKey(5)): bz, string(lastABCIResponseKey): bz,
		} {
			if len(val) > 0 {
				if err := db.Set([]byte(key), val); err != nil {
					t.Fatal(err)
				}
			}
		}
		store := NewStore(db, StoreOptions{})
		if vals, err := store.LoadValidators(5); err == nil {
			if err := vals.ValidateBasic(); err != nil {
				t.Fatalf("loaded an invalid validator set: %v", err)
			}
		}
		_, _ = store.LoadConsensusParams(5)
		_, _ = store.LoadFinalizeBlockResponse(5)
		_, _ = store.LoadLastFinalizeBlockResponse(5)
	})
}
