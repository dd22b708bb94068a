package core

import "github.com/ballot-bft/ballot/types"

// EventKind names a consensus event, with CometBFT's event names.
type EventKind uint8

// The consensus events.
const (
	EventNewRound         EventKind = iota + 1 // a round started; Proposer is set
	EventNewRoundStep                          // the step changed (also gossiped as NewRoundStep)
	EventCompleteProposal                      // the proposal and its whole block are in; BlockID is set
	EventVote                                  // a vote was added; Vote is set
	EventPolka                                 // +2/3 prevotes for one BlockID (or nil) in this round
	EventLock                                  // locked on BlockID
	EventUnlock                                // lock released
	EventRelock                                // locked again, on the block already locked, in a later round
	EventValidBlock                            // a new valid block; gossiped as NewValidBlock
	EventTimeoutPropose                        // the propose timeout fired
	EventTimeoutWait                           // a prevote- or precommit-wait timeout fired
)

var eventNames = map[EventKind]string{
	EventNewRound:         "NewRound",
	EventNewRoundStep:     "NewRoundStep",
	EventCompleteProposal: "CompleteProposal",
	EventVote:             "Vote",
	EventPolka:            "Polka",
	EventLock:             "Lock",
	EventUnlock:           "Unlock",
	EventRelock:           "Relock",
	EventValidBlock:       "ValidBlock",
	EventTimeoutPropose:   "TimeoutPropose",
	EventTimeoutWait:      "TimeoutWait",
}

// String returns the event's CometBFT name ("NewRoundStep").
func (k EventKind) String() string {
	if name, ok := eventNames[k]; ok {
		return name
	}
	return "Unknown"
}

// Event is a consensus event at a position of the protocol.
type Event struct {
	Kind EventKind
	HRS  HRS
	// Proposer is the round's proposer (EventNewRound).
	Proposer *types.Validator
	// ProposerIndex is Proposer's index in the validator set (EventNewRound).
	ProposerIndex int32
	// BlockID is the event's block (CompleteProposal, Polka, Lock, Relock, ValidBlock).
	BlockID types.BlockID
	// Vote is the added vote (EventVote).
	Vote *types.Vote
	// IsCommit marks a ValidBlock event for the block being committed (NewValidBlock.is_commit).
	IsCommit bool
}
