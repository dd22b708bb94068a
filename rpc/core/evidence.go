package core

import (
	"errors"
	"fmt"

	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/types"
)

// BroadcastEvidence checks ev on its own, then hands it to the evidence pool, which verifies it
// against the chain and gossips it. The result is the evidence hash.
func (env *Environment) BroadcastEvidence(_ *rpctypes.Context, ev types.Evidence) (*ResultBroadcastEvidence, error) {
	if ev == nil {
		return nil, errors.New("no evidence was provided")
	}
	if err := ev.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("evidence.ValidateBasic failed: %w", err)
	}
	if err := env.Evidence.AddEvidence(ev); err != nil {
		return nil, fmt.Errorf("failed to add evidence: %w", err)
	}
	return &ResultBroadcastEvidence{Hash: ev.Hash()}, nil
}
