package blockstore

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound wraps the errors of loads of blocks, parts or commits that are not stored
	// (below the base, above the height, or never saved).
	ErrNotFound = errors.New("not found in block store")

	// ErrCorrupted wraps every error about stored bytes that do not decode or are inconsistent.
	// The message names the database key.
	ErrCorrupted = errors.New("corrupted block store value")
)

// storeStateKey holds the store's base and height.
var storeStateKey = []byte("blockStore")

func metaKey(height int64) []byte            { return fmt.Appendf(nil, "H:%d", height) }
func partKey(height int64, index int) []byte { return fmt.Appendf(nil, "P:%d:%d", height, index) }
func commitKey(height int64) []byte          { return fmt.Appendf(nil, "C:%d", height) }
func seenCommitKey(height int64) []byte      { return fmt.Appendf(nil, "SC:%d", height) }
func extCommitKey(height int64) []byte       { return fmt.Appendf(nil, "EC:%d", height) }
func hashKey(hash []byte) []byte             { return fmt.Appendf(nil, "BH:%x", hash) }

// corrupted returns an ErrCorrupted error naming key and the cause.
func corrupted(key []byte, format string, args ...any) error {
	return fmt.Errorf("%w: key %q: %s", ErrCorrupted, key, fmt.Sprintf(format, args...))
}

// notFound returns an ErrNotFound error describing what is missing.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}
