package state

import (
	"errors"
	"fmt"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// BlockResults is what the application's FinalizeBlock response for one block contributes to
// the next State. The block executor builds it: ValidatorUpdates with ValidatorUpdatesFromABCI,
// LastResultsHash with TxResultsHash of the tx results; the other fields are copied from the
// response.
type BlockResults struct {
	// ValidatorUpdates is the change set for NextValidators (power 0 removes a validator).
	ValidatorUpdates []*types.Validator
	// ConsensusParamUpdates replaces the present sections of the params; nil changes nothing.
	ConsensusParamUpdates *tmproto.ConsensusParams
	// AppHash is the application's hash after the block.
	AppHash []byte
	// LastResultsHash is TxResultsHash of the block's tx results.
	LastResultsHash []byte
}

// UpdateState returns the state after executing the block with header and blockID on state, the
// way CometBFT's updateState does (consensus.md §9, abci.md §4.3):
//   - validators shift by one height: LastValidators = state.Validators, Validators =
//     state.NextValidators, and the new NextValidators is a copy of state.NextValidators with
//     res.ValidatorUpdates applied (UpdateWithChangeSet) and then IncrementProposerPriority(1).
//     Updates returned at height H thus validate H+2, and LastHeightValidatorsChanged becomes
//     H+2 when there are any;
//   - a non-nil res.ConsensusParamUpdates is applied to the params (ConsensusParams.Update); the
//     result must pass ValidateBasic and the update ValidateUpdate at H; the app version is taken
//     from the new params and LastHeightConsensusParamsChanged becomes H+1;
//   - LastBlockHeight/ID/Time come from the block, AppHash and LastResultsHash from res.
//
// state and res are only read; the result owns its validator sets. Errors wrap ErrInvalidUpdate
// (bad updates from the application) or report a state without next validators.
func UpdateState(state State, blockID types.BlockID, header *types.Header, res BlockResults) (State, error) {
	if header == nil {
		return state, errors.New("update state: nil header")
	}
	if state.NextValidators.IsNilOrEmpty() {
		return state, fmt.Errorf("update state at height %d: the state has no next validators", header.Height)
	}

	nextVals := state.NextValidators.Copy()
	lastHeightValsChanged := state.LastHeightValidatorsChanged
	if len(res.ValidatorUpdates) > 0 {
		if err := nextVals.UpdateWithChangeSet(res.ValidatorUpdates); err != nil {
			return state, fmt.Errorf("%w: changing the validator set at height %d: %w", ErrInvalidUpdate, header.Height, err)
		}
		lastHeightValsChanged = header.Height + 2
	}
	nextVals.IncrementProposerPriority(1)

	nextParams := state.ConsensusParams.Update(nil)
	lastHeightParamsChanged := state.LastHeightConsensusParamsChanged
	nextVersion := state.Version
	if res.ConsensusParamUpdates != nil {
		nextParams = state.ConsensusParams.Update(res.ConsensusParamUpdates)
		if err := nextParams.ValidateBasic(); err != nil {
			return state, fmt.Errorf("%w: validating the new consensus params at height %d: %w", ErrInvalidUpdate, header.Height, err)
		}
		if err := state.ConsensusParams.ValidateUpdate(res.ConsensusParamUpdates, header.Height); err != nil {
			return state, fmt.Errorf("%w: updating the consensus params at height %d: %w", ErrInvalidUpdate, header.Height, err)
		}
		nextVersion.Consensus.App = nextParams.Version.App
		lastHeightParamsChanged = header.Height + 1
	}

	return State{
		Version:                          nextVersion,
		ChainID:                          state.ChainID,
		InitialHeight:                    state.InitialHeight,
		LastBlockHeight:                  header.Height,
		LastBlockID:                      blockID,
		LastBlockTime:                    header.Time,
		NextValidators:                   nextVals,
		Validators:                       state.NextValidators.Copy(),
		LastValidators:                   copySet(state.Validators),
		LastHeightValidatorsChanged:      lastHeightValsChanged,
		ConsensusParams:                  nextParams,
		LastHeightConsensusParamsChanged: lastHeightParamsChanged,
		LastResultsHash:                  cloneBytes(res.LastResultsHash),
		AppHash:                          cloneBytes(res.AppHash),
	}, nil
}
