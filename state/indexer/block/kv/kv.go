package kv

import (
	"fmt"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/state/indexer"
	"github.com/ballot-bft/ballot/state/indexer/eventquery"
	"github.com/ballot-bft/ballot/types"
)

// StorePrefix is the prefix under which CometBFT keeps block events in the tx_index database.
const StorePrefix = "block_events"

// Indexer is the kv block indexer; see the package documentation.
type Indexer struct {
	db dbm.DB
}

var _ indexer.BlockIndexer = (*Indexer)(nil)

// New returns an indexer over db. The caller keeps ownership of db and closes it after the last
// use of the indexer.
func New(db dbm.DB) *Indexer {
	return &Indexer{db: db}
}

// Has reports whether the block at height is indexed.
func (idx *Indexer) Has(height int64) (bool, error) {
	ok, err := idx.db.Has(heightKey(height))
	if err != nil {
		return false, fmt.Errorf("reading block index of height %d: %w", height, err)
	}
	return ok, nil
}

// Index indexes a block's FinalizeBlock events in one synced write; see
// indexer.BlockIndexer.
func (idx *Indexer) Index(block types.EventDataNewBlockEvents) error {
	batch := idx.db.NewBatch()
	defer batch.Close()
	value := heightValue(block.Height)
	if err := batch.Set(heightKey(block.Height), value); err != nil {
		return fmt.Errorf("indexing block %d: %w", block.Height, err)
	}
	err := eventquery.ForEachIndexed(block.Events, []string{types.BlockHeightKey},
		func(seq int, composite, attrValue string) error {
			if err := batch.Set(eventKey(composite, attrValue, block.Height, int64(seq)), value); err != nil {
				return fmt.Errorf("indexing attribute %s of block %d: %w", composite, block.Height, err)
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("failed to index FinalizeBlock events: %w", err)
	}
	// Not synced: the index can always be rebuilt from the stores. A block's index is written
	// after its transactions' (same database, one journal), so after a power loss the indexer's
	// catch-up, which resumes above the highest indexed block, fills whatever the journal lost.
	if err := batch.Write(); err != nil {
		return fmt.Errorf("writing block index of height %d: %w", block.Height, err)
	}
	return nil
}
