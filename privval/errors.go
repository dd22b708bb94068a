package privval

import "errors"

// Refusals of the double-sign protection (consensus.md §13.1). A signer that
// returns one of these has not signed and has not changed its state; the
// caller must not retry the same request expecting a different answer.
var (
	// ErrHeightRegression: the message's height is below the last signed
	// height.
	ErrHeightRegression = errors.New("height regression")
	// ErrRoundRegression: same height, round below the last signed round.
	ErrRoundRegression = errors.New("round regression")
	// ErrStepRegression: same height and round, step below the last signed
	// step (e.g. a prevote after a precommit).
	ErrStepRegression = errors.New("step regression")
	// ErrNoSignBytes: the message is at the last signed height, round and
	// step, but the state holds no sign bytes to compare it with.
	ErrNoSignBytes = errors.New("same height, round and step as the last signature but no sign bytes stored")
	// ErrConflictingData: the message is at the last signed height, round
	// and step and differs from what was signed there in more than the
	// timestamp. Signing it would be equivocation.
	ErrConflictingData = errors.New("conflicting data")
)

// Malformed requests.
var (
	// ErrUnknownVoteType: the vote is neither a prevote nor a precommit.
	ErrUnknownVoteType = errors.New("unknown vote type")
	// ErrUnexpectedExtension: a prevote or a nil precommit carries a vote
	// extension; only non-nil precommits may.
	ErrUnexpectedExtension = errors.New("unexpected vote extension: extensions are only allowed in non-nil precommits")
)
