// Package indexer holds the block indexer interface (BlockIndexer; implementations in block/kv
// and block/null) and the Service that keeps the transaction and block indexers up to date with
// committed blocks, plus Reindex for the reindex-event command.
//
// # The service
//
// Service.Run subscribes to the event bus without loss (one subscription for NewBlockEvents and
// Tx events, so they arrive in publication order) and, for every committed block, indexes the
// block's transactions in one batch and then the block itself. Publishing never waits on the
// indexer (the bus queues for a lossless subscriber), so indexing never holds up consensus; a
// slow indexer only lets the queue grow.
//
// Before it indexes live events, Run catches up: it finds the highest indexed height at or
// below the block store's height (walking down with BlockIndexer.Has) and reindexes the heights
// above it from the stored blocks and FinalizeBlock responses. Because the transactions of a
// height are written before the block marker Has reads, a crash between the two writes leaves
// the height to be redone. Heights that cannot be loaded (responses discarded or pruned) end
// the catch-up with a logged error; run reindex-event for them.
//
// A block whose events compose to a reserved key (tx.hash, tx.height, block.height) is logged
// and skipped for the part that failed, as CometBFT does; any other indexing error is a storage
// failure and ends Run with it.
package indexer
