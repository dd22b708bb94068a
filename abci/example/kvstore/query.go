package kvstore

import (
	"context"
	"fmt"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// Query paths with a meaning of their own; any other path (CometBFT's abci-cli sends
// "/store", ballot's documentation uses "/key") looks data up as a key.
const (
	// QueryPathValidator returns the stored validator whose raw public key is data: the value
	// is a length-delimited ValidatorUpdate, empty when there is none.
	QueryPathValidator = "/val"
	// QueryPathKey looks data up as a key.
	QueryPathKey = "/key"
)

// Query reads committed state. A key lookup answers code 0 with key, value (nil when absent),
// log "exists" or "does not exist" and the height read; Height 0 reads the last committed
// height, a positive Height reads the value as of that height (CodeTypeHeightUnavailable when
// it is above the last committed height or below the earliest retained one). Prove sets
// index -1 and returns no proof, as CometBFT's kvstore does.
func (app *Application) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	app.mu.Lock()
	defer app.mu.Unlock()

	if req.Path == QueryPathValidator {
		value, err := app.db.Get(validatorKey(req.Data))
		if err != nil {
			return nil, fmt.Errorf("query validator: %w", err)
		}
		return &abci.ResponseQuery{Key: req.Data, Value: value}, nil
	}

	height := req.Height
	switch {
	case height == 0:
		height = app.state.Height
	case height < app.state.Earliest || height > app.state.Height:
		return &abci.ResponseQuery{
			Code:   CodeTypeHeightUnavailable,
			Key:    req.Data,
			Height: req.Height,
			Log: fmt.Sprintf("height %d is not available: the store holds heights %d to %d",
				req.Height, app.state.Earliest, app.state.Height),
		}, nil
	}
	resp := &abci.ResponseQuery{Key: req.Data, Height: height, Log: "does not exist"}
	if len(req.Data) > 0 {
		value, err := valueAt(app.db, req.Data, height)
		if err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		if value != nil {
			resp.Value, resp.Log = value, "exists"
		}
	}
	if req.Prove {
		resp.Index = -1
	}
	return resp, nil
}
