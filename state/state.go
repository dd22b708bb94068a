package state

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
	"github.com/ballot-bft/ballot/types"
	"github.com/ballot-bft/ballot/version"
)

// Version is the protocol version of the chain state: the block and app protocol versions that
// go into every header, and the software that created the state.
type Version struct {
	Consensus tmversion.Consensus
	// Software is the CometBFT release this state is compatible with (version.CometBFT when
	// created by MakeGenesisState). Informational; nothing checks it.
	Software string
}

// InitStateVersion is the Version of a genesis state: block protocol version.BlockProtocol, app
// version 0 (the handshake adopts the app's version from Info and InitChain).
var InitStateVersion = Version{
	Consensus: tmversion.Consensus{Block: version.BlockProtocol, App: 0},
	Software:  version.CometBFT,
}

// State is the chain state after executing the block at LastBlockHeight: what the next block's
// header must commit to and who validates it.
//
// State is a value: pass it and return it by value. The validator sets are pointers shared
// between copies; they must not be changed in place (UpdateState never does). Use Copy for a
// copy that owns its sets. The zero State is "empty" (IsEmpty): no state stored yet.
type State struct {
	Version Version

	// ChainID and InitialHeight are fixed at genesis.
	ChainID       string
	InitialHeight int64

	// LastBlockHeight is 0 at genesis (no block executed yet).
	LastBlockHeight int64
	LastBlockID     types.BlockID
	// LastBlockTime is the genesis time until the first block is executed.
	LastBlockTime time.Time

	// NextValidators validates LastBlockHeight+2, Validators validates LastBlockHeight+1 (the
	// next block), LastValidators validated LastBlockHeight (empty at genesis).
	// LastHeightValidatorsChanged is the first height validated by the current NextValidators
	// membership: a validator update returned at height H sets it to H+2.
	NextValidators              *types.ValidatorSet
	Validators                  *types.ValidatorSet
	LastValidators              *types.ValidatorSet
	LastHeightValidatorsChanged int64

	// ConsensusParams apply to the next block. LastHeightConsensusParamsChanged is the first
	// height they applied to: an update returned at height H sets it to H+1.
	ConsensusParams                  types.ConsensusParams
	LastHeightConsensusParamsChanged int64

	// LastResultsHash is the Merkle root of the last block's deterministic tx results
	// (TxResultsHash); it goes into the next header.
	LastResultsHash crypto.HexBytes

	// AppHash is the application's hash after the last block; it goes into the next header.
	AppHash crypto.HexBytes
}

// Copy returns a copy of state that owns its validator sets and byte slices.
func (state State) Copy() State {
	c := state
	c.LastBlockID = types.BlockID{
		Hash: cloneBytes(state.LastBlockID.Hash),
		PartSetHeader: types.PartSetHeader{
			Total: state.LastBlockID.PartSetHeader.Total,
			Hash:  cloneBytes(state.LastBlockID.PartSetHeader.Hash),
		},
	}
	c.NextValidators = copySet(state.NextValidators)
	c.Validators = copySet(state.Validators)
	c.LastValidators = copySet(state.LastValidators)
	c.ConsensusParams = state.ConsensusParams.Update(nil) // copies the key-type list
	c.LastResultsHash = cloneBytes(state.LastResultsHash)
	c.AppHash = cloneBytes(state.AppHash)
	return c
}

func copySet(vals *types.ValidatorSet) *types.ValidatorSet {
	if vals == nil {
		return nil
	}
	return vals.Copy()
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return bytes.Clone(b)
}

// IsEmpty reports whether state is the zero State (nothing loaded), recognised by its missing
// validator set.
func (state State) IsEmpty() bool {
	return state.Validators == nil
}

// Equals reports whether both states have the same stored form (Bytes). States that cannot be
// encoded are equal to nothing.
func (state State) Equals(other State) bool {
	a, err := state.Bytes()
	if err != nil {
		return false
	}
	b, err := other.Bytes()
	if err != nil {
		return false
	}
	return bytes.Equal(a, b)
}

// Bytes returns the stored form: proto(tendermint.state.State). It fails only for a state whose
// validator sets cannot be encoded (a nil set, an unsupported key type).
func (state State) Bytes() ([]byte, error) {
	pb, err := state.ToProto()
	if err != nil {
		return nil, err
	}
	return pb.Marshal()
}

// ToProto returns the wire form. LastValidators is omitted while LastBlockHeight is 0, as
// CometBFT does. The result shares byte slices with state.
func (state State) ToProto() (*tmstate.State, error) {
	pb := &tmstate.State{
		Version:                          tmstate.Version{Consensus: state.Version.Consensus, Software: state.Version.Software},
		ChainID:                          state.ChainID,
		InitialHeight:                    state.InitialHeight,
		LastBlockHeight:                  state.LastBlockHeight,
		LastBlockID:                      state.LastBlockID.ToProto(),
		LastBlockTime:                    state.LastBlockTime,
		LastHeightValidatorsChanged:      state.LastHeightValidatorsChanged,
		ConsensusParams:                  state.ConsensusParams.ToProto(),
		LastHeightConsensusParamsChanged: state.LastHeightConsensusParamsChanged,
		LastResultsHash:                  state.LastResultsHash,
		AppHash:                          state.AppHash,
	}
	var err error
	if pb.Validators, err = setToProto("validators", state.Validators); err != nil {
		return nil, err
	}
	if pb.NextValidators, err = setToProto("next_validators", state.NextValidators); err != nil {
		return nil, err
	}
	if state.LastBlockHeight >= 1 {
		if pb.LastValidators, err = setToProto("last_validators", state.LastValidators); err != nil {
			return nil, err
		}
	}
	return pb, nil
}

func setToProto(field string, vals *types.ValidatorSet) (*tmproto.ValidatorSet, error) {
	if vals == nil {
		return nil, fmt.Errorf("state %s: nil validator set", field)
	}
	pb, err := vals.ToProto()
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", field, err)
	}
	return pb, nil
}

// FromProto converts the wire form. The validator sets are checked (types.ValidatorSetFromProto);
// an encoded empty set (no validators, no proposer) decodes to an empty set. LastValidators is an
// empty set while LastBlockHeight is 0. The result shares byte slices with pb.
func FromProto(pb *tmstate.State) (State, error) {
	if pb == nil {
		return State{}, errors.New("nil state")
	}
	lastBlockID, err := types.BlockIDFromProto(&pb.LastBlockID)
	if err != nil {
		return State{}, fmt.Errorf("state last_block_id: %w", err)
	}
	state := State{
		Version:                          Version{Consensus: pb.Version.Consensus, Software: pb.Version.Software},
		ChainID:                          pb.ChainID,
		InitialHeight:                    pb.InitialHeight,
		LastBlockHeight:                  pb.LastBlockHeight,
		LastBlockID:                      lastBlockID,
		LastBlockTime:                    pb.LastBlockTime,
		LastHeightValidatorsChanged:      pb.LastHeightValidatorsChanged,
		ConsensusParams:                  types.ConsensusParamsFromProto(pb.ConsensusParams),
		LastHeightConsensusParamsChanged: pb.LastHeightConsensusParamsChanged,
		LastResultsHash:                  pb.LastResultsHash,
		AppHash:                          pb.AppHash,
	}
	if state.Validators, err = setFromProto("validators", pb.Validators); err != nil {
		return State{}, err
	}
	if state.NextValidators, err = setFromProto("next_validators", pb.NextValidators); err != nil {
		return State{}, err
	}
	if state.LastBlockHeight >= 1 {
		if state.LastValidators, err = setFromProto("last_validators", pb.LastValidators); err != nil {
			return State{}, err
		}
	} else {
		state.LastValidators = &types.ValidatorSet{}
	}
	return state, nil
}

func setFromProto(field string, pb *tmproto.ValidatorSet) (*types.ValidatorSet, error) {
	if pb == nil {
		return nil, fmt.Errorf("state %s: missing validator set", field)
	}
	if len(pb.Validators) == 0 && pb.Proposer == nil {
		return &types.ValidatorSet{}, nil
	}
	vals, err := types.ValidatorSetFromProto(pb)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", field, err)
	}
	return vals, nil
}

// MakeGenesisState returns the state before the first block of genDoc's chain (consensus.md §9):
// Validators = NewValidatorSet(genesis validators), NextValidators = a copy advanced by one more
// IncrementProposerPriority(1), LastValidators empty, both "last changed" heights =
// InitialHeight, LastBlockTime = genesis time, AppHash = genesis app hash.
//
// genDoc is completed with ValidateAndComplete first (so a missing genesis_time becomes now).
// LastResultsHash stays empty, as in CometBFT; the handshake sets it to the empty Merkle root
// after InitChain. A genesis without validators gives empty sets (InitChain must supply them).
func MakeGenesisState(genDoc *types.GenesisDoc) (State, error) {
	if genDoc == nil {
		return State{}, errors.New("make genesis state: nil genesis doc")
	}
	if err := genDoc.ValidateAndComplete(); err != nil {
		return State{}, fmt.Errorf("make genesis state: %w", err)
	}
	vals, err := genDoc.ValidatorSet()
	if err != nil {
		return State{}, fmt.Errorf("make genesis state: %w", err)
	}
	next := vals.Copy()
	if !next.IsNilOrEmpty() {
		next.IncrementProposerPriority(1)
	}
	return State{
		Version:                          InitStateVersion,
		ChainID:                          genDoc.ChainID,
		InitialHeight:                    genDoc.InitialHeight,
		LastBlockTime:                    genDoc.GenesisTime,
		NextValidators:                   next,
		Validators:                       vals,
		LastValidators:                   &types.ValidatorSet{},
		LastHeightValidatorsChanged:      genDoc.InitialHeight,
		ConsensusParams:                  genDoc.ConsensusParams.Update(nil),
		LastHeightConsensusParamsChanged: genDoc.InitialHeight,
		AppHash:                          cloneBytes(genDoc.AppHash),
	}, nil
}

// MakeGenesisStateFromFile reads and validates the genesis file at path and returns its genesis
// state (MakeGenesisState).
func MakeGenesisStateFromFile(path string) (State, error) {
	genDoc, err := types.GenesisDocFromFile(path)
	if err != nil {
		return State{}, err
	}
	return MakeGenesisState(genDoc)
}

// MakeBlock builds the block at height with the given contents, its header filled from state
// (consensus.md §8): version, chain id, last block ID, validator hashes, consensus hash, app hash
// and last results hash come from state; the time is the genesis time at the initial height and
// otherwise types.MedianTime(lastCommit, state.LastValidators) (BFT time).
//
// lastCommit is the empty Commit at the initial height and the commit of height-1 otherwise.
// The arguments are kept by the block, not copied. state is only read. The caller makes the part
// set (Block.MakePartSet).
func (state State) MakeBlock(
	height int64,
	txs []types.Tx,
	lastCommit *types.Commit,
	evidence []types.Evidence,
	proposerAddress crypto.Address,
) *types.Block {
	block := types.MakeBlock(height, txs, lastCommit, evidence)
	var timestamp time.Time
	if height == state.InitialHeight {
		timestamp = state.LastBlockTime
	} else {
		timestamp = types.MedianTime(lastCommit, state.LastValidators)
	}
	block.Populate(
		state.Version.Consensus, state.ChainID,
		timestamp, state.LastBlockID,
		state.Validators.Hash(), state.NextValidators.Hash(),
		state.ConsensusParams.Hash(), state.AppHash, state.LastResultsHash,
		proposerAddress,
	)
	return block
}
