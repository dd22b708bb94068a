package blockstore

import (
	"fmt"
	"sync"

	dbm "github.com/cometbft/cometbft-db"

	tmstore "github.com/ballot-bft/ballot/proto/tendermint/store"
)

// BlockStore is the block store on a cometbft-db database; see the package documentation for
// its layout, durability and concurrency contracts.
type BlockStore struct {
	db dbm.DB

	// writeMu serializes writers, so that a write can compute the new base and height from the
	// current ones and publish them after its batch is durable.
	writeMu sync.Mutex

	// mu guards base and height. They change only while writeMu is held.
	mu     sync.RWMutex
	base   int64
	height int64
}

// New opens the block store kept in db, reading its base and height. The store owns db from now
// on (Close closes it). It fails when the stored base/height record does not decode.
func New(db dbm.DB) (*BlockStore, error) {
	bz, err := db.Get(storeStateKey)
	if err != nil {
		return nil, fmt.Errorf("opening block store: %w", err)
	}
	bs := &BlockStore{db: db}
	if len(bz) == 0 {
		return bs, nil
	}
	var st tmstore.BlockStoreState
	if err := st.Unmarshal(bz); err != nil {
		return nil, corrupted(storeStateKey, "%v", err)
	}
	// Stores written before CometBFT recorded a base start at 1.
	if st.Height > 0 && st.Base == 0 {
		st.Base = 1
	}
	if st.Base < 0 || st.Height < 0 || (st.Height > 0 && st.Base > st.Height+1) {
		return nil, corrupted(storeStateKey, "base %d and height %d are inconsistent", st.Base, st.Height)
	}
	bs.base, bs.height = st.Base, st.Height
	return bs, nil
}

// Base returns the lowest stored height, or 0 for an empty store.
func (bs *BlockStore) Base() int64 {
	bs.mu.RLock()
	defer bs.mu.RUnlock()
	return bs.base
}

// Height returns the highest stored height, or 0 for an empty store.
func (bs *BlockStore) Height() int64 {
	bs.mu.RLock()
	defer bs.mu.RUnlock()
	return bs.height
}

// Size returns the number of stored blocks, Height-Base+1 (0 for an empty store).
func (bs *BlockStore) Size() int64 {
	bs.mu.RLock()
	defer bs.mu.RUnlock()
	if bs.height == 0 || bs.height < bs.base {
		return 0
	}
	return bs.height - bs.base + 1
}

// IsEmpty reports whether no block is stored (Size is 0).
func (bs *BlockStore) IsEmpty() bool {
	return bs.Size() == 0
}

// bounds returns base and height together.
func (bs *BlockStore) bounds() (base, height int64) {
	bs.mu.RLock()
	defer bs.mu.RUnlock()
	return bs.base, bs.height
}

// setBounds publishes a new base and height. Called with writeMu held.
func (bs *BlockStore) setBounds(base, height int64) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.base, bs.height = base, height
}

// writeBounds adds the base/height record to batch and writes the batch durably.
func writeBounds(batch dbm.Batch, base, height int64) error {
	st := tmstore.BlockStoreState{Base: base, Height: height}
	bz, err := st.Marshal()
	if err != nil {
		return fmt.Errorf("encoding block store state: %w", err)
	}
	if err := batch.Set(storeStateKey, bz); err != nil {
		return err
	}
	return batch.WriteSync()
}

// Close closes the database. No method may be called afterwards.
func (bs *BlockStore) Close() error {
	return bs.db.Close()
}
