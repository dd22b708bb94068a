// Package null is the transaction indexer of tx_index.indexer = "null": it indexes nothing,
// and every read fails with txindex.ErrDisabled ("transaction indexing is disabled"), the error
// the tx and tx_search routes report.
package null
