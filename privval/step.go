package privval

import (
	"fmt"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Step is a privval step: the kind of message last signed within a round.
// These numbers are stored in priv_validator_state.json and differ from the
// consensus RoundStepType values.
type Step int8

// Privval steps, in the order they are signed within a round.
const (
	StepNone      Step = 0
	StepPropose   Step = 1
	StepPrevote   Step = 2
	StepPrecommit Step = 3
)

// String names the step.
func (s Step) String() string {
	switch s {
	case StepNone:
		return "none"
	case StepPropose:
		return "propose"
	case StepPrevote:
		return "prevote"
	case StepPrecommit:
		return "precommit"
	default:
		return fmt.Sprintf("Step(%d)", int8(s))
	}
}

func (s Step) valid() bool { return s >= StepNone && s <= StepPrecommit }

// voteStep maps a vote type to its privval step.
func voteStep(t tmproto.SignedMsgType) (Step, error) {
	switch t {
	case tmproto.PrevoteType:
		return StepPrevote, nil
	case tmproto.PrecommitType:
		return StepPrecommit, nil
	default:
		return StepNone, fmt.Errorf("%w: %v", ErrUnknownVoteType, t)
	}
}
