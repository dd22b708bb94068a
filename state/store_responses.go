package state

import (
	"errors"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
)

// SaveFinalizeBlockResponse stores resp as the response of height (unless DiscardABCIResponses)
// and as the last response (ABCIResponsesInfo under lastABCIResponseKey), in one synced batch.
// Nil tx results are dropped from the stored copy, as CometBFT does; resp itself is not
// modified.
func (s *DBStore) SaveFinalizeBlockResponse(height int64, resp *abci.ResponseFinalizeBlock) error {
	if resp == nil {
		return fmt.Errorf("saving finalize block response of height %d: nil response", height)
	}
	stored := *resp
	stored.TxResults = make([]*abci.ExecTxResult, 0, len(resp.TxResults))
	for _, r := range resp.TxResults {
		if r != nil {
			stored.TxResults = append(stored.TxResults, r)
		}
	}

	batch := s.db.NewBatch()
	defer batch.Close()
	if !s.opts.DiscardABCIResponses {
		bz, err := stored.Marshal()
		if err != nil {
			return fmt.Errorf("encoding finalize block response of height %d: %w", height, err)
		}
		if err := batch.Set(abciResponsesKey(height), bz); err != nil {
			return fmt.Errorf("saving finalize block response of height %d: %w", height, err)
		}
	}
	info := tmstate.ABCIResponsesInfo{Height: height, ResponseFinalizeBlock: &stored}
	bz, err := info.Marshal()
	if err != nil {
		return fmt.Errorf("encoding last finalize block response (height %d): %w", height, err)
	}
	if err := batch.Set(lastABCIResponseKey, bz); err != nil {
		return fmt.Errorf("saving last finalize block response (height %d): %w", height, err)
	}
	if err := batch.WriteSync(); err != nil {
		return fmt.Errorf("saving finalize block response of height %d: %w", height, err)
	}
	return nil
}

// LoadFinalizeBlockResponse returns the saved FinalizeBlock response of height. It fails with
// ErrFinalizeBlockResponsesNotPersisted when the store discards them and with ErrNotFound when
// none is stored for height (pruned, or not reached).
//
// Responses stored by CometBFT before v0.38 (LegacyABCIResponses) are not converted.
func (s *DBStore) LoadFinalizeBlockResponse(height int64) (*abci.ResponseFinalizeBlock, error) {
	if s.opts.DiscardABCIResponses {
		return nil, ErrFinalizeBlockResponsesNotPersisted
	}
	key := abciResponsesKey(height)
	bz, err := s.db.Get(key)
	if err != nil {
		return nil, fmt.Errorf("loading finalize block response of height %d: %w", height, err)
	}
	if len(bz) == 0 {
		return nil, notFound("no finalize block response for height %d", height)
	}
	resp := new(abci.ResponseFinalizeBlock)
	if err := resp.Unmarshal(bz); err != nil {
		return nil, corrupted(key, "%v", err)
	}
	return resp, nil
}

// LoadLastFinalizeBlockResponse returns the last saved FinalizeBlock response, which must be the
// one of height; a different height is an error (the handshake asks for the height it needs).
func (s *DBStore) LoadLastFinalizeBlockResponse(height int64) (*abci.ResponseFinalizeBlock, error) {
	bz, err := s.db.Get(lastABCIResponseKey)
	if err != nil {
		return nil, fmt.Errorf("loading last finalize block response: %w", err)
	}
	if len(bz) == 0 {
		return nil, notFound("no last finalize block response has been saved")
	}
	var info tmstate.ABCIResponsesInfo
	if err := info.Unmarshal(bz); err != nil {
		return nil, corrupted(lastABCIResponseKey, "%v", err)
	}
	if info.Height != height {
		return nil, fmt.Errorf("last finalize block response: want height %d, the stored one is of height %d", height, info.Height)
	}
	if info.ResponseFinalizeBlock == nil {
		if info.LegacyAbciResponses != nil {
			return nil, errors.New("last finalize block response is in the pre-v0.38 legacy format, which is not supported")
		}
		return nil, corrupted(lastABCIResponseKey, "no response stored for height %d", height)
	}
	return info.ResponseFinalizeBlock, nil
}
