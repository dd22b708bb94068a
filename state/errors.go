package state

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupted wraps every error about stored bytes that do not decode, or decode to
	// something inconsistent. The message names the database key.
	ErrCorrupted = errors.New("corrupted state store value")

	// ErrNotFound wraps the errors of loads that find nothing stored for the asked height (or
	// key): pruned heights, heights not reached yet.
	ErrNotFound = errors.New("not found in state store")

	// ErrFinalizeBlockResponsesNotPersisted is returned by LoadFinalizeBlockResponse when the
	// store was opened with DiscardABCIResponses: only the last response is kept.
	ErrFinalizeBlockResponsesNotPersisted = errors.New("node is not persisting finalize block responses")

	// ErrGenesisHashMismatch is returned when the genesis file's hash differs from the one
	// recorded in the store at the first start.
	ErrGenesisHashMismatch = errors.New("genesis doc hash in db does not match loaded genesis doc")

	// ErrInvalidBlock wraps every error of ValidateBlock: the block does not fit the state.
	ErrInvalidBlock = errors.New("block validation failed")

	// ErrInvalidUpdate wraps every error of UpdateState and ValidatorUpdatesFromABCI caused by
	// the application's FinalizeBlock results (bad validator or consensus-param updates).
	ErrInvalidUpdate = errors.New("invalid finalize block results")
)

// corrupted returns an ErrCorrupted error naming key and the cause.
func corrupted(key []byte, format string, args ...any) error {
	return fmt.Errorf("%w: key %q: %s", ErrCorrupted, key, fmt.Sprintf(format, args...))
}

// notFound returns an ErrNotFound error describing what is missing.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}
