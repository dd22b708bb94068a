package state

import (
	"fmt"

	dbm "github.com/cometbft/cometbft-db"

	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
)

// pruneFlushEvery is how many heights PruneStates deletes per intermediate batch.
const pruneFlushEvery = 1000

// PruneStates deletes the validator sets, consensus params and FinalizeBlock responses of
// heights [from, to), as CometBFT v0.38 does:
//   - the entries heights ≥ to still point to (the last validator change and the last
//     checkpoint before min(to, evidenceThresholdHeight), the last params change before to) are
//     kept and rewritten in full if they were pointers themselves;
//   - validator sets of heights ≥ evidenceThresholdHeight are kept (evidence verification needs
//     them);
//   - everything else in the range is deleted.
//
// Heights are walked from to-1 down, flushing every 1000 heights; the last write is synced. An
// interrupted prune leaves a consistent store (only entries nothing points to are gone). The
// validator set and the params of height to must exist.
func (s *DBStore) PruneStates(from, to, evidenceThresholdHeight int64) error {
	if from <= 0 || to <= 0 {
		return fmt.Errorf("pruning states: heights must be positive, got from %d to %d", from, to)
	}
	if from >= to {
		return fmt.Errorf("pruning states: from %d must be lower than to %d", from, to)
	}
	valInfo, err := s.loadValidatorsInfo(min(to, evidenceThresholdHeight))
	if err != nil {
		return fmt.Errorf("pruning states up to %d: %w", to, err)
	}
	paramsInfo, err := s.loadParamsInfo(to)
	if err != nil {
		return fmt.Errorf("pruning states up to %d: %w", to, err)
	}
	keepVals := map[int64]bool{}
	if valInfo.ValidatorSet == nil {
		keepVals[valInfo.LastHeightChanged] = true
		keepVals[max(to-to%valSetCheckpointInterval, valInfo.LastHeightChanged)] = true
	}
	keepParams := map[int64]bool{}
	if isEmptyParams(&paramsInfo.ConsensusParams) {
		keepParams[paramsInfo.LastHeightChanged] = true
	}

	batch := s.db.NewBatch()
	defer func() { batch.Close() }()
	var pruned int64
	for h := to - 1; h >= from; h-- {
		switch {
		case keepVals[h]:
			if err := s.keepFullValidators(batch, h); err != nil {
				return err
			}
		case h < evidenceThresholdHeight:
			if err := batch.Delete(validatorsKey(h)); err != nil {
				return fmt.Errorf("pruning validators of height %d: %w", h, err)
			}
		}
		if keepParams[h] {
			if err := s.keepFullParams(batch, h); err != nil {
				return err
			}
		} else if err := batch.Delete(consensusParamsKey(h)); err != nil {
			return fmt.Errorf("pruning consensus params of height %d: %w", h, err)
		}
		if err := batch.Delete(abciResponsesKey(h)); err != nil {
			return fmt.Errorf("pruning finalize block response of height %d: %w", h, err)
		}
		pruned++
		if pruned%pruneFlushEvery == 0 {
			if err := batch.Write(); err != nil {
				return fmt.Errorf("pruning states at height %d: %w", h, err)
			}
			batch.Close()
			batch = s.db.NewBatch()
		}
	}
	if err := batch.WriteSync(); err != nil {
		return fmt.Errorf("pruning states [%d, %d): %w", from, to, err)
	}
	return nil
}

// keepFullValidators makes sure height h stores its full validator set.
func (s *DBStore) keepFullValidators(batch dbm.Batch, h int64) error {
	info, err := s.loadValidatorsInfo(h)
	if err == nil && info.ValidatorSet != nil {
		return nil
	}
	vals, err := s.LoadValidators(h)
	if err != nil {
		return fmt.Errorf("pruning states: keeping validators of height %d: %w", h, err)
	}
	return saveValidatorsInfo(batch, h, h, vals)
}

// keepFullParams makes sure height h stores its full consensus params.
func (s *DBStore) keepFullParams(batch dbm.Batch, h int64) error {
	info, err := s.loadParamsInfo(h)
	if err != nil {
		return fmt.Errorf("pruning states: keeping consensus params of height %d: %w", h, err)
	}
	if !isEmptyParams(&info.ConsensusParams) {
		return nil
	}
	params, err := s.LoadConsensusParams(h)
	if err != nil {
		return fmt.Errorf("pruning states: keeping consensus params of height %d: %w", h, err)
	}
	full := tmstate.ConsensusParamsInfo{ConsensusParams: params.ToProto(), LastHeightChanged: h}
	bz, err := full.Marshal()
	if err != nil {
		return fmt.Errorf("pruning states: encoding consensus params of height %d: %w", h, err)
	}
	if err := batch.Set(consensusParamsKey(h), bz); err != nil {
		return fmt.Errorf("pruning states: keeping consensus params of height %d: %w", h, err)
	}
	return nil
}
