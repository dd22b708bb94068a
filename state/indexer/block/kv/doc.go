// Package kv is CometBFT v0.38's key-value block indexer over a cometbft-db database, with
// CometBFT's key layout (github.com/google/orderedcode encodings, reimplemented here):
//
//	ordered("block.height", height)                  → varint(height)   the block is indexed
//	ordered("<type>.<key>", value, height, seq)      → varint(height)   per attribute with index=true
//
// seq numbers the block's FinalizeBlock events from 1 (events with an empty type take a number
// too). CometBFT keeps these keys in the tx_index database under the prefix StorePrefix, so open
// the indexer with New(dbm.NewPrefixDB(txIndexDB, []byte(StorePrefix))).
//
// # Search
//
// The query language and its evaluation are the transaction indexer's: both plan and evaluate
// with package eventquery (NewPlan, Match), over block events and block.height here:
//
//   - block.height = H alone: the block if it is indexed, by the height key; next to other
//     conditions it filters their heights, as block.height ranges do. A range on block.height
//     alone scans the height keys. EXISTS and CONTAINS on block.height match nothing.
//   - =: keys under (tag, operand): exact textual equality of the value.
//   - EXISTS, CONTAINS (substring of the value, untrimmed) and ranges (value read as a number)
//     scan the tag's keys.
//   - Conditions intersect by event instance (height, seq): attribute conditions must all hold
//     in one event; conditions on two event types never match together.
//
// Matching heights are returned newest first, each once, and only if the block is indexed.
//
// An Indexer is safe for concurrent use, and never holds an iterator while reading single
// keys.
package kv
