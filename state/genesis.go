package state

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// LoadStateFromDBOrGenesisDoc returns the state saved in store, or MakeGenesisState(genDoc) when
// none is saved yet (the genesis state is not saved here; the handshake saves it after
// InitChain).
//
// genDocHash is the SHA-256 of the genesis file's bytes (types.GenesisHash), as CometBFT v0.38.3+
// keeps it: the first call records it in the store (synced, deleting the full genesis document
// older versions stored), later calls fail with ErrGenesisHashMismatch when it differs, so a
// genesis file edited after the first start is refused. genDoc is completed with
// ValidateAndComplete.
func LoadStateFromDBOrGenesisDoc(store Store, genDoc *types.GenesisDoc, genDocHash []byte) (State, error) {
	if genDoc == nil {
		return State{}, errors.New("load state: nil genesis doc")
	}
	if len(genDocHash) == 0 {
		return State{}, errors.New("load state: empty genesis doc hash")
	}
	if err := genDoc.ValidateAndComplete(); err != nil {
		return State{}, fmt.Errorf("load state: %w", err)
	}
	stored, err := store.LoadGenesisDocHash()
	if err != nil {
		return State{}, err
	}
	switch {
	case len(stored) == 0:
		if err := store.SaveGenesisDocHash(genDocHash); err != nil {
			return State{}, err
		}
	case !bytes.Equal(stored, genDocHash):
		return State{}, fmt.Errorf("%w: recorded %X, genesis file %X", ErrGenesisHashMismatch, stored, genDocHash)
	}
	state, err := store.Load()
	if err != nil {
		return State{}, err
	}
	if state.IsEmpty() {
		return MakeGenesisState(genDoc)
	}
	return state, nil
}

// LoadStateFromDBOrGenesisFile reads the genesis file at path and calls
// LoadStateFromDBOrGenesisDoc with it and the hash of its bytes. It returns the genesis document
// too (the node needs it for InitChain).
func LoadStateFromDBOrGenesisFile(store Store, path string) (State, *types.GenesisDoc, error) {
	genDoc, hash, err := types.LoadGenesisFile(path)
	if err != nil {
		return State{}, nil, err
	}
	state, err := LoadStateFromDBOrGenesisDoc(store, genDoc, hash)
	if err != nil {
		return State{}, nil, err
	}
	return state, genDoc, nil
}
