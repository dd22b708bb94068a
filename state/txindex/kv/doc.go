// Package kv is CometBFT v0.38's key-value transaction indexer over a cometbft-db database, with
// CometBFT's key layout, so an existing tx_index.db keeps working:
//
//	SHA-256(tx)                                        → protobuf TxResult{height, index, tx, result}
//	"tx.height/<height>/<height>/<index>$es$0"         → SHA-256(tx)
//	"<type>.<key>/<value>/<height>/<index>$es$<seq>"   → SHA-256(tx), per attribute with index=true
//
// seq numbers the events of one transaction from 1 (events with an empty type take a number
// too); the tx.height key has seq 0. CometBFT numbered events with a counter that ran across
// transactions and restarted with the process; the two numberings coexist because matches are
// identified by (hash, height, index, seq), never by seq alone.
//
// # Search
//
// A query is planned with eventquery.NewPlan (height equalities deduplicated, ranges merged),
// then evaluated by eventquery.Match, which scans each condition's tag's keys:
//
//   - tx.hash (any operator): the operand is read as hex and that one transaction is returned,
//     whatever the other conditions say. Bad hex fails with "error during searching for a hash in
//     the query: ..."; an empty operand fails with "error while retrieving the result: transaction
//     hash cannot be empty".
//   - =: keys under "<tag>/<operand>/" (and "<height>/" when a height equality is kept), so the
//     comparison is textual ("5.0" does not equal 5) and a stored value "a/b" equals 'a'.
//   - EXISTS: every key of the tag. CONTAINS: every key whose value contains the operand.
//   - ranges: every key of the tag whose value, read as a number, lies in the merged range.
//
// Each condition's matches are event instances: a transaction at a height and index, and the
// event of it that carried the attribute. Conditions are intersected by instance, so attribute
// conditions must all hold in one event: two conditions on different event types never match
// together, and neither do two conditions met by two different events of the same type. The
// tx.height key is its own instance (seq 0), so tx.height EXISTS or CONTAINS, which scan those
// keys, never combine with attribute conditions; a tx.height equality or range next to
// attribute conditions filters their heights instead. The stored value is trimmed of spaces for
// CONTAINS and ranges, not for =.
//
// The surviving transactions are loaded, deduplicated by hash, sorted by the stored (height,
// index) and cut to the window (see txindex.SearchOptions).
//
// A TxIndex is safe for concurrent use. It never holds an iterator while reading single keys, so
// it cannot deadlock against a writer on databases whose iterators hold a read lock (MemDB).
package kv
