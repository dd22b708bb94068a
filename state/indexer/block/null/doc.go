// Package null is the block indexer of tx_index.indexer = "null": it indexes nothing, and Has
// and Search fail with indexer.ErrDisabled ("block indexing is disabled"), the error the
// block_search route reports.
package null
