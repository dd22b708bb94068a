// Package null is the transaction indexer of tx_index.indexer = "null": it indexes nothing,
// and every read fails with txindex.ErrDisabled ("transaction indexing is disabled"), the error
// the tx and tx_search routes report.
//
// CometBFT reports the error before it even parses tx_search's query; an RPC layer that wants the
// same precedence recognizes the null indexer by its type (idx.(null.TxIndex)).
package null
