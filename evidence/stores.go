package evidence

import (
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// StateStore is what the pool reads from the state store (*state.DBStore has these methods). The
// pool calls it from any of its callers' goroutines, so it must be safe for concurrent reads.
// Loads of heights with nothing stored return an error.
type StateStore interface {
	// Load returns the last saved state (the empty state when none was saved).
	Load() (state.State, error)
	// LoadValidators returns the validator set of height.
	LoadValidators(height int64) (*types.ValidatorSet, error)
}

// BlockStore is what the pool reads from the block store (*blockstore.BlockStore has these
// methods). The pool calls it from any of its callers' goroutines, so it must be safe for
// concurrent reads. Loads of heights not stored return an error.
type BlockStore interface {
	// Base is the lowest stored height, Height the highest (0 when empty).
	Base() int64
	Height() int64
	// LoadBlockMeta returns the meta (with the header) of the block at height; the block store
	// keeps metas of pruned heights whose evidence has not expired.
	LoadBlockMeta(height int64) (*types.BlockMeta, error)
	// LoadBlock returns the block at height.
	LoadBlock(height int64) (*types.Block, error)
	// LoadBlockCommit returns the canonical commit of height (stored with block height+1);
	// LoadSeenCommit the commit this node saw for height (available for the latest height).
	LoadBlockCommit(height int64) (*types.Commit, error)
	LoadSeenCommit(height int64) (*types.Commit, error)
}
