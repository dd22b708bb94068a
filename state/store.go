package state

import (
	"errors"
	"fmt"

	dbm "github.com/cometbft/cometbft-db"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
	"github.com/ballot-bft/ballot/types"
)

// Store persists the chain state and what is needed about past heights.
//
// Who calls it: the block executor (one goroutine: Save, SaveFinalizeBlockResponse, PruneStates),
// the handshake at start-up, state sync (Bootstrap), and readers such as the RPC and the evidence
// pool (the Load methods), concurrently. Writes come from one goroutine at a time.
//
// Returned values are owned by the caller. Loads of heights with nothing stored return errors
// wrapping ErrNotFound; stored bytes that do not decode give errors wrapping ErrCorrupted.
type Store interface {
	// Load returns the last saved State, or the empty State (IsEmpty) if none was saved.
	Load() (State, error)
	// Save stores state together with the validator sets of heights LastBlockHeight+1 (only
	// for a genesis state) and LastBlockHeight+2, and the consensus params of
	// LastBlockHeight+1, so that LoadValidators and LoadConsensusParams work for every height
	// the chain reaches. The write survives the process being killed but is not fsynced: it
	// becomes durable with the next synced write to the store (the next height's
	// SaveFinalizeBlockResponse). Every state Save stores can be rebuilt by the handshake, from
	// the genesis file or from the stored block and its durably saved FinalizeBlock response, so
	// a power loss that takes it loses nothing.
	Save(state State) error
	// Bootstrap durably stores a state that does not start at genesis (state sync): the state
	// and the full validator sets of LastBlockHeight, +1 and +2 and the params of +1. Earlier
	// heights are not stored, so the state's "last changed" heights are raised to the heights
	// stored in full (LastBlockHeight+2 for validators, +1 for params) when lower; Load returns
	// the state with these values.
	Bootstrap(state State) error
	// LoadValidators returns the validator set (with its proposer priorities) that validated,
	// or will validate, height.
	LoadValidators(height int64) (*types.ValidatorSet, error)
	// LoadConsensusParams returns the consensus params in force at height.
	LoadConsensusParams(height int64) (types.ConsensusParams, error)
	// SaveFinalizeBlockResponse durably stores the FinalizeBlock response of height, as the
	// response of that height and as the last response. resp is only read.
	SaveFinalizeBlockResponse(height int64, resp *abci.ResponseFinalizeBlock) error
	// LoadFinalizeBlockResponse returns the saved response of height.
	LoadFinalizeBlockResponse(height int64) (*abci.ResponseFinalizeBlock, error)
	// LoadLastFinalizeBlockResponse returns the last saved response, which must be of height
	// (crash recovery between the app's Commit and Save).
	LoadLastFinalizeBlockResponse(height int64) (*abci.ResponseFinalizeBlock, error)
	// PruneStates deletes the stored validator sets, params and responses of heights
	// [from, to), keeping what heights ≥ to (and validator sets of heights ≥
	// evidenceThresholdHeight) still need.
	PruneStates(from, to, evidenceThresholdHeight int64) error
	// LoadGenesisDocHash returns the genesis file hash recorded at the first start, or nil.
	LoadGenesisDocHash() ([]byte, error)
	// SaveGenesisDocHash durably records the genesis file hash.
	SaveGenesisDocHash(hash []byte) error
	// Close closes the underlying database.
	Close() error
}

// Keys of CometBFT v0.38's state.db.
var (
	stateKey            = []byte("stateKey")
	lastABCIResponseKey = []byte("lastABCIResponseKey")
	genesisDocHashKey   = []byte("genesisDocHash")
	// legacyGenesisDocKey held the whole genesis JSON before CometBFT v0.38.3; it is deleted
	// when the hash is recorded.
	legacyGenesisDocKey = []byte("genesisDoc")
)

func validatorsKey(height int64) []byte { return fmt.Appendf(nil, "validatorsKey:%d", height) }
func consensusParamsKey(height int64) []byte {
	return fmt.Appendf(nil, "consensusParamsKey:%d", height)
}
func abciResponsesKey(height int64) []byte { return fmt.Appendf(nil, "abciResponsesKey:%d", height) }

// valSetCheckpointInterval: the full validator set is stored at multiples of this height (and
// at change heights); other heights store only the last change height.
const valSetCheckpointInterval = 100000

// StoreOptions configure a DBStore.
type StoreOptions struct {
	// DiscardABCIResponses keeps only the last FinalizeBlock response (config
	// storage.discard_abci_responses); LoadFinalizeBlockResponse then fails with
	// ErrFinalizeBlockResponsesNotPersisted.
	DiscardABCIResponses bool
}

// DBStore is the Store on a cometbft-db database. It is safe for concurrent use (the database
// is); writes are expected from one goroutine at a time.
type DBStore struct {
	db   dbm.DB
	opts StoreOptions
}

var _ Store = (*DBStore)(nil)

// NewStore returns a Store on db. The store owns db from now on (Close closes it).
func NewStore(db dbm.DB, opts StoreOptions) *DBStore {
	return &DBStore{db: db, opts: opts}
}

// Load returns the last saved State, or the empty State if none was saved.
func (s *DBStore) Load() (State, error) {
	bz, err := s.db.Get(stateKey)
	if err != nil {
		return State{}, fmt.Errorf("loading state: %w", err)
	}
	if len(bz) == 0 {
		return State{}, nil
	}
	var pb tmstate.State
	if err := pb.Unmarshal(bz); err != nil {
		return State{}, corrupted(stateKey, "%v", err)
	}
	state, err := FromProto(&pb)
	if err != nil {
		return State{}, corrupted(stateKey, "%v", err)
	}
	return state, nil
}

// Save stores state; see Store.Save. The write is one batch, not synced.
func (s *DBStore) Save(state State) error {
	batch := s.db.NewBatch()
	defer batch.Close()
	nextHeight := state.LastBlockHeight + 1
	if state.LastBlockHeight == 0 {
		// Genesis: the first height's set is stored too. InitChain may still replace it.
		nextHeight = state.InitialHeight
		if err := saveValidatorsInfo(batch, nextHeight, nextHeight, state.Validators); err != nil {
			return err
		}
	}
	if err := saveValidatorsInfo(batch, nextHeight+1, state.LastHeightValidatorsChanged, state.NextValidators); err != nil {
		return err
	}
	if err := saveParamsInfo(batch, nextHeight, state.LastHeightConsensusParamsChanged, state.ConsensusParams); err != nil {
		return err
	}
	return writeState(batch, state, false)
}

// Bootstrap stores a state sync state; see Store.Bootstrap. The write is one synced batch.
func (s *DBStore) Bootstrap(state State) error {
	batch := s.db.NewBatch()
	defer batch.Close()
	height := state.LastBlockHeight + 1
	if state.LastBlockHeight == 0 {
		height = state.InitialHeight
	}
	switch {
	case state.LastHeightValidatorsChanged > height+1:
		return fmt.Errorf("bootstrapping state at height %d: validators last changed at %d, above %d",
			state.LastBlockHeight, state.LastHeightValidatorsChanged, height+1)
	case state.LastHeightConsensusParamsChanged > height:
		return fmt.Errorf("bootstrapping state at height %d: consensus params last changed at %d, above %d",
			state.LastBlockHeight, state.LastHeightConsensusParamsChanged, height)
	}
	state.LastHeightValidatorsChanged = height + 1
	state.LastHeightConsensusParamsChanged = height
	if height > 1 && !state.LastValidators.IsNilOrEmpty() {
		if err := saveValidatorsInfo(batch, height-1, height-1, state.LastValidators); err != nil {
			return err
		}
	}
	if err := saveValidatorsInfo(batch, height, height, state.Validators); err != nil {
		return err
	}
	if err := saveValidatorsInfo(batch, height+1, height+1, state.NextValidators); err != nil {
		return err
	}
	if err := saveParamsInfo(batch, height, state.LastHeightConsensusParamsChanged, state.ConsensusParams); err != nil {
		return err
	}
	return writeState(batch, state, true)
}

// writeState adds the state itself to batch and writes the batch, synced if sync.
func writeState(batch dbm.Batch, state State, sync bool) error {
	bz, err := state.Bytes()
	if err != nil {
		return fmt.Errorf("encoding state at height %d: %w", state.LastBlockHeight, err)
	}
	if err := batch.Set(stateKey, bz); err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	write := batch.Write
	if sync {
		write = batch.WriteSync
	}
	if err := write(); err != nil {
		return fmt.Errorf("saving state at height %d: %w", state.LastBlockHeight, err)
	}
	return nil
}

// LoadGenesisDocHash returns the recorded genesis file hash, or nil if none is recorded.
func (s *DBStore) LoadGenesisDocHash() ([]byte, error) {
	bz, err := s.db.Get(genesisDocHashKey)
	if err != nil {
		return nil, fmt.Errorf("loading the genesis doc hash: %w", err)
	}
	return bz, nil
}

// SaveGenesisDocHash durably records hash and deletes the whole genesis document older
// CometBFT versions stored.
func (s *DBStore) SaveGenesisDocHash(hash []byte) error {
	if len(hash) == 0 {
		return errors.New("saving the genesis doc hash: empty hash")
	}
	batch := s.db.NewBatch()
	defer batch.Close()
	if err := batch.Set(genesisDocHashKey, hash); err != nil {
		return fmt.Errorf("saving the genesis doc hash: %w", err)
	}
	if err := batch.Delete(legacyGenesisDocKey); err != nil {
		return fmt.Errorf("saving the genesis doc hash: %w", err)
	}
	if err := batch.WriteSync(); err != nil {
		return fmt.Errorf("saving the genesis doc hash: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *DBStore) Close() error {
	return s.db.Close()
}
