package types

import (
	"encoding/json"
	"fmt"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/encoding"
)

// validatorJSON is CometBFT's JSON form of a Validator (RPC /validators, consensus state dumps).
type validatorJSON struct {
	Address          crypto.Address      `json:"address"`
	PubKey           encoding.JSONPubKey `json:"pub_key"`
	VotingPower      jsonInt64           `json:"voting_power"`
	ProposerPriority jsonInt64           `json:"proposer_priority"`
}

// MarshalJSON writes v as {"address": HEX, "pub_key": {"type", "value"}, "voting_power":
// "N", "proposer_priority": "N"}.
func (v Validator) MarshalJSON() ([]byte, error) {
	return json.Marshal(validatorJSON{
		Address:          v.Address,
		PubKey:           encoding.JSONPubKey{PubKey: v.PubKey},
		VotingPower:      jsonInt64(v.VotingPower),
		ProposerPriority: jsonInt64(v.ProposerPriority),
	})
}

// UnmarshalJSON reads the form MarshalJSON writes; it does not run ValidateBasic.
func (v *Validator) UnmarshalJSON(data []byte) error {
	var j validatorJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("validator: %w", explainJSONError("", err))
	}
	*v = Validator{
		Address:          j.Address,
		PubKey:           j.PubKey.PubKey,
		VotingPower:      int64(j.VotingPower),
		ProposerPriority: int64(j.ProposerPriority),
	}
	return nil
}

// validatorSetJSON is CometBFT's JSON form of a ValidatorSet.
type validatorSetJSON struct {
	Validators []*Validator `json:"validators"`
	Proposer   *Validator   `json:"proposer"`
}

// MarshalJSON writes vals as {"validators": [...], "proposer": {...}}; the total voting power is
// not written.
func (vals ValidatorSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(validatorSetJSON{Validators: vals.Validators, Proposer: vals.Proposer})
}

// UnmarshalJSON reads the form MarshalJSON writes. A non-empty result must pass ValidateBasic
// (unique, valid members, a member proposer, total power within MaxTotalVotingPower); an empty
// validator list gives an empty set.
func (vals *ValidatorSet) UnmarshalJSON(data []byte) error {
	var j validatorSetJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("validator set: %w", err)
	}
	set := ValidatorSet{Validators: j.Validators, Proposer: j.Proposer}
	if len(set.Validators) > 0 {
		if err := set.ValidateBasic(); err != nil {
			return fmt.Errorf("validator set: %w", err)
		}
		if err := set.updateTotalVotingPower(); err != nil {
			return fmt.Errorf("validator set: %w", err)
		}
		i, _ := set.GetByAddress(set.Proposer.Address)
		set.Proposer = set.Validators[i]
	}
	*vals = set
	return nil
}
