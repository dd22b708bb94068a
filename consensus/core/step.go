package core

import "fmt"

// Step is a step of a round. The values are CometBFT's RoundStepType, which also travel on the
// wire in NewRoundStep messages; steps compare numerically.
type Step uint8

// The steps of a round, in order.
const (
	StepNewHeight     Step = 0x01 // waiting out timeout_commit after the previous commit
	StepNewRound      Step = 0x02 // round set up; may wait for transactions before proposing
	StepPropose       Step = 0x03 // proposal sent or awaited
	StepPrevote       Step = 0x04 // prevote sent
	StepPrevoteWait   Step = 0x05 // +2/3 prevotes for anything seen, waiting timeout_prevote
	StepPrecommit     Step = 0x06 // precommit sent
	StepPrecommitWait Step = 0x07 // the precommit-wait timeout's step; the round never enters it (v0.38)
	StepCommit        Step = 0x08 // +2/3 precommits for a block seen
)

// IsValid reports whether s is one of the defined steps.
func (s Step) IsValid() bool { return s >= StepNewHeight && s <= StepCommit }

// String returns CometBFT's name of the step ("RoundStepPropose"), as written to the WAL.
func (s Step) String() string {
	switch s {
	case StepNewHeight:
		return "RoundStepNewHeight"
	case StepNewRound:
		return "RoundStepNewRound"
	case StepPropose:
		return "RoundStepPropose"
	case StepPrevote:
		return "RoundStepPrevote"
	case StepPrevoteWait:
		return "RoundStepPrevoteWait"
	case StepPrecommit:
		return "RoundStepPrecommit"
	case StepPrecommitWait:
		return "RoundStepPrecommitWait"
	case StepCommit:
		return "RoundStepCommit"
	}
	return fmt.Sprintf("RoundStepUnknown(%d)", uint8(s))
}

// ParseStep is the inverse of String for the defined steps: the step named name, and whether
// there is one.
func ParseStep(name string) (Step, bool) {
	for s := StepNewHeight; s.IsValid(); s++ {
		if s.String() == name {
			return s, true
		}
	}
	return 0, false
}

// HRS is a position in the protocol: height, round and step. Positions order lexicographically.
type HRS struct {
	Height int64
	Round  int32
	Step   Step
}

// Compare returns -1, 0 or 1 as a is before, at or after b.
func (a HRS) Compare(b HRS) int {
	switch {
	case a.Height != b.Height:
		return cmp3(a.Height < b.Height)
	case a.Round != b.Round:
		return cmp3(a.Round < b.Round)
	case a.Step != b.Step:
		return cmp3(a.Step < b.Step)
	}
	return 0
}

func cmp3(less bool) int {
	if less {
		return -1
	}
	return 1
}

func (a HRS) String() string { return fmt.Sprintf("%d/%d/%s", a.Height, a.Round, a.Step) }
