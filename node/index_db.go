package node

import (
	"fmt"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"

	"github.com/ballot-bft/ballot/config"
)

// Level-0 limits of the goleveldb tx_index database. Its hash and attribute keys arrive in
// random order, so every level-0 compaction rewrites all of level 1 (which holds the first
// 100 MiB): with goleveldb's default trigger of 4 tables the index rewrote its whole contents
// every 4 MiB of writes, which cost more CPU than anything else in a node at saturation
// (scripts/bench/results). Waiting for 16 tables does a quarter of that work, and uses no more
// memory: the tables are on disk.
const (
	indexL0Compaction = 16
	indexL0Slowdown   = 2 * indexL0Compaction // writes slow down (goleveldb's default: 8)
	indexL0Pause      = 3 * indexL0Compaction // writes wait for the compaction (default: 12)
)

// indexBloomBits is the bloom filter's bits per key: with up to indexL0Pause tables in level 0,
// a lookup by hash (the tx route) reads only the table that holds the key.
const indexBloomBits = 10

// txIndexOptions are the goleveldb options of the tx_index database.
func txIndexOptions() *opt.Options {
	return &opt.Options{
		CompactionL0Trigger:    indexL0Compaction,
		WriteL0SlowdownTrigger: indexL0Slowdown,
		WriteL0PauseTrigger:    indexL0Pause,
		Filter:                 filter.NewBloomFilter(indexBloomBits),
	}
}

// openIndexDB opens the tx_index database of cfg's db_backend, with txIndexOptions when that is
// goleveldb. The files stay readable by any goleveldb (the filter is an optional block).
func openIndexDB(cfg *config.Config) (dbm.DB, error) {
	var (
		db  dbm.DB
		err error
	)
	if dbm.BackendType(cfg.DBBackend) == dbm.GoLevelDBBackend {
		db, err = dbm.NewGoLevelDBWithOpts("tx_index", cfg.DBDir(), txIndexOptions())
	} else {
		db, err = dbm.NewDB("tx_index", dbm.BackendType(cfg.DBBackend), cfg.DBDir())
	}
	if err != nil {
		return nil, fmt.Errorf("opening tx_index database in %s: %w", cfg.DBDir(), err)
	}
	return db, nil
}
