package state

import (
	"fmt"

	dbm "github.com/cometbft/cometbft-db"

	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// Validator sets and consensus params by height. Each height has a key; its value holds the
// full set (or params) only at a change height (and, for validator sets, at multiples of
// valSetCheckpointInterval). Other heights hold only the last change height, and the value is
// rebuilt from there.

// saveValidatorsInfo adds the validator set of height to batch: in full when height is
// lastHeightChanged or a checkpoint, otherwise as a pointer to lastHeightChanged.
func saveValidatorsInfo(batch dbm.Batch, height, lastHeightChanged int64, vals *types.ValidatorSet) error {
	if lastHeightChanged > height {
		return fmt.Errorf("saving validators of height %d: last change height %d is above it", height, lastHeightChanged)
	}
	info := tmstate.ValidatorsInfo{LastHeightChanged: lastHeightChanged}
	if height == lastHeightChanged || height%valSetCheckpointInterval == 0 {
		pb, err := setToProto("validators", vals)
		if err != nil {
			return fmt.Errorf("saving validators of height %d: %w", height, err)
		}
		info.ValidatorSet = pb
	}
	bz, err := info.Marshal()
	if err != nil {
		return fmt.Errorf("saving validators of height %d: %w", height, err)
	}
	if err := batch.Set(validatorsKey(height), bz); err != nil {
		return fmt.Errorf("saving validators of height %d: %w", height, err)
	}
	return nil
}

// saveParamsInfo adds the consensus params of height to batch: in full when height is
// changeHeight, otherwise as a pointer to changeHeight.
func saveParamsInfo(batch dbm.Batch, height, changeHeight int64, params types.ConsensusParams) error {
	info := tmstate.ConsensusParamsInfo{LastHeightChanged: changeHeight}
	if height == changeHeight {
		info.ConsensusParams = params.ToProto()
	}
	bz, err := info.Marshal()
	if err != nil {
		return fmt.Errorf("saving consensus params of height %d: %w", height, err)
	}
	if err := batch.Set(consensusParamsKey(height), bz); err != nil {
		return fmt.Errorf("saving consensus params of height %d: %w", height, err)
	}
	return nil
}

// LoadValidators returns the validator set of height. When height stores only a pointer, the
// set is read at the pointed-to height (the later of the last change and the last checkpoint)
// and advanced by one IncrementProposerPriority(height - that height), as CometBFT does.
func (s *DBStore) LoadValidators(height int64) (*types.ValidatorSet, error) {
	info, err := s.loadValidatorsInfo(height)
	if err != nil {
		return nil, err
	}
	if info.ValidatorSet != nil {
		return s.decodeValidators(height, info.ValidatorSet)
	}
	stored := max(height-height%valSetCheckpointInterval, info.LastHeightChanged)
	if info.LastHeightChanged <= 0 || stored >= height {
		return nil, corrupted(validatorsKey(height), "no validator set and last change height %d", info.LastHeightChanged)
	}
	base, err := s.loadValidatorsInfo(stored)
	if err != nil {
		return nil, fmt.Errorf("validators of height %d point to height %d: %w", height, stored, err)
	}
	if base.ValidatorSet == nil {
		return nil, corrupted(validatorsKey(stored), "validators of height %d point here, but no set is stored", height)
	}
	vals, err := s.decodeValidators(stored, base.ValidatorSet)
	if err != nil {
		return nil, err
	}
	// stored > height - valSetCheckpointInterval, so the difference fits in an int32.
	vals.IncrementProposerPriority(int32(height - stored))
	return vals, nil
}

func (s *DBStore) loadValidatorsInfo(height int64) (*tmstate.ValidatorsInfo, error) {
	key := validatorsKey(height)
	bz, err := s.db.Get(key)
	if err != nil {
		return nil, fmt.Errorf("loading validators of height %d: %w", height, err)
	}
	if len(bz) == 0 {
		return nil, notFound("no validator set for height %d", height)
	}
	info := new(tmstate.ValidatorsInfo)
	if err := info.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	return info, nil
}

func (s *DBStore) decodeValidators(height int64, pb *tmproto.ValidatorSet) (*types.ValidatorSet, error) {
	vals, err := types.ValidatorSetFromProto(pb)
	if err != nil {
		return nil, corrupted(validatorsKey(height), "%v", err)
	}
	return vals, nil
}

// LoadConsensusParams returns the consensus params in force at height, following the pointer to
// the last change height when height stores only that.
func (s *DBStore) LoadConsensusParams(height int64) (types.ConsensusParams, error) {
	info, err := s.loadParamsInfo(height)
	if err != nil {
		return types.ConsensusParams{}, err
	}
	if isEmptyParams(&info.ConsensusParams) {
		changed := info.LastHeightChanged
		if changed <= 0 || changed == height {
			return types.ConsensusParams{}, corrupted(consensusParamsKey(height), "no params and last change height %d", changed)
		}
		if info, err = s.loadParamsInfo(changed); err != nil {
			return types.ConsensusParams{}, fmt.Errorf("consensus params of height %d point to height %d: %w", height, changed, err)
		}
		if isEmptyParams(&info.ConsensusParams) {
			return types.ConsensusParams{}, corrupted(consensusParamsKey(changed), "params of height %d point here, but none are stored", height)
		}
	}
	return types.ConsensusParamsFromProto(info.ConsensusParams), nil
}

func (s *DBStore) loadParamsInfo(height int64) (*tmstate.ConsensusParamsInfo, error) {
	key := consensusParamsKey(height)
	bz, err := s.db.Get(key)
	if err != nil {
		return nil, fmt.Errorf("loading consensus params of height %d: %w", height, err)
	}
	if len(bz) == 0 {
		return nil, notFound("no consensus params for height %d", height)
	}
	info := new(tmstate.ConsensusParamsInfo)
	if err := info.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	return info, nil
}

// isEmptyParams reports whether a stored ConsensusParamsInfo holds no params (a pointer entry).
func isEmptyParams(p *tmproto.ConsensusParams) bool {
	return p.Block == nil && p.Evidence == nil && p.Validator == nil && p.Version == nil && p.Abci == nil
}
