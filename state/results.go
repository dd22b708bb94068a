package state

import (
	"fmt"

	"github.com/ballot-bft/ballot/crypto/encoding"
	"github.com/ballot-bft/ballot/crypto/merkle"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// TxResultsHash returns the header's last_results_hash for a block's tx results (types.md §5):
// the Merkle root of proto(ExecTxResult{code, data, gas_wanted, gas_used}) per result, in block
// order; log, info, events and codespace are not hashed. No results give SHA-256("").
// A nil entry counts as an empty result.
func TxResultsHash(results []*abci.ExecTxResult) []byte {
	leaves := make([][]byte, len(results))
	for i, r := range results {
		var det abci.ExecTxResult
		if r != nil {
			det = abci.ExecTxResult{Code: r.Code, Data: r.Data, GasWanted: r.GasWanted, GasUsed: r.GasUsed}
		}
		bz, err := det.Marshal()
		if err != nil {
			panic(fmt.Sprintf("state: encoding ExecTxResult: %v", err))
		}
		leaves[i] = bz
	}
	return merkle.HashFromByteSlices(leaves)
}

// ValidatorUpdatesFromABCI checks the validator updates of a FinalizeBlock response against the
// current validator params and converts them to change-set entries for UpdateState (power 0
// removes the validator). A negative power, an undecodable key, or a key type not listed in
// params.PubKeyTypes (checked for non-removals only) is an error wrapping ErrInvalidUpdate that
// names the update's index. updates is only read.
func ValidatorUpdatesFromABCI(updates []abci.ValidatorUpdate, params types.ValidatorParams) ([]*types.Validator, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	vals := make([]*types.Validator, len(updates))
	for i, u := range updates {
		if u.Power < 0 {
			return nil, fmt.Errorf("%w: validator_updates[%d]: voting power %d is negative", ErrInvalidUpdate, i, u.Power)
		}
		pk, err := encoding.PubKeyFromProto(u.PubKey)
		if err != nil {
			return nil, fmt.Errorf("%w: validator_updates[%d]: %w", ErrInvalidUpdate, i, err)
		}
		if u.Power > 0 && !params.IsValidPubKeyType(pk.Type()) {
			return nil, fmt.Errorf("%w: validator_updates[%d]: key type %q is not allowed by consensus params %v",
				ErrInvalidUpdate, i, pk.Type(), params.PubKeyTypes)
		}
		vals[i] = types.NewValidator(pk, u.Power)
	}
	return vals, nil
}
