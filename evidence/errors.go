package evidence

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// Reasons for rejecting evidence. Every error returned for invalid evidence wraps
// types.ErrInvalidEvidence and exactly one of these.
var (
	// ErrNotConflicting: the two votes do not conflict (different height, round, type or
	// validator, or the same block ID).
	ErrNotConflicting = errors.New("votes do not conflict")
	// ErrUnknownValidator: the accused validator is not in the validator set of the evidence
	// height.
	ErrUnknownValidator = errors.New("validator not in the set")
	// ErrPowerMismatch: the validator's or the set's voting power in the evidence differs from
	// the validator set of the evidence height.
	ErrPowerMismatch = errors.New("voting power mismatch")
	// ErrBadSignature: a vote's signature does not verify (also wraps types.ErrVoteInvalidSignature
	// or types.ErrVoteInvalidValidatorAddress).
	ErrBadSignature = errors.New("bad vote signature")
	// ErrTimeMismatch: the evidence time is not the time of the block at the evidence height.
	ErrTimeMismatch = errors.New("evidence time differs from block time")
	// ErrExpired: the evidence is older than both evidence.max_age_num_blocks and
	// evidence.max_age_duration.
	ErrExpired = errors.New("evidence expired")
	// ErrFromFuture: the evidence height is above the last committed height.
	ErrFromFuture = errors.New("evidence from the future")
	// ErrUnknownHeight: the node does not have the header, commit or validator set that
	// verification needs (pruned, or never stored).
	ErrUnknownHeight = errors.New("chain data for the evidence height unavailable")
	// ErrCommitted: the evidence was already committed in a block.
	ErrCommitted = errors.New("evidence already committed")
	// ErrDuplicate: a block carries the same evidence twice.
	ErrDuplicate = errors.New("duplicate evidence")
	// ErrConflictingBlock: a light client attack's conflicting block is not a valid attack
	// (not signed by enough trusted power, not conflicting, or correctly derived when it must
	// not be).
	ErrConflictingBlock = errors.New("invalid conflicting block")
	// ErrByzantineValidators: a light client attack's byzantine validators are not the ones the
	// node computes.
	ErrByzantineValidators = errors.New("byzantine validators mismatch")
	// ErrMalformed: the evidence fails ValidateBasic or is of an unknown type.
	ErrMalformed = errors.New("malformed evidence")
)

// ErrCorrupted wraps errors about stored evidence that does not decode or sits under the wrong
// key. It does not wrap types.ErrInvalidEvidence.
var ErrCorrupted = errors.New("evidence store corrupted")

// invalid returns an error wrapping types.ErrInvalidEvidence and reason, with a formatted
// detail.
func invalid(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", types.ErrInvalidEvidence, reason, fmt.Sprintf(format, args...))
}
