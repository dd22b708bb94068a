// Package null is the block indexer of tx_index.indexer = "null": it indexes nothing, and Has
// and Search fail with indexer.ErrDisabled ("block indexing is disabled"), the error the
// block_search route reports.
//
// CometBFT reports the error before it even parses block_search's query; an RPC layer that wants
// the same precedence recognizes the null indexer by its type (idx.(null.Indexer)).
package null
