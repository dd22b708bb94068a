// Package eventquery is what the kv transaction and block indexers share: the way CometBFT
// v0.38's kv indexers take a query apart (Plan) and evaluate it over their keys (Match, given
// the indexer's key Layout), the numeric comparisons they apply to stored attribute values
// (Range, ValueNumber), which event attributes they store (ForEachIndexed), and the error for an
// event that composes to a reserved key (ReservedKeyError).
//
// # How a query is planned
//
// A kv indexer does not evaluate a query against each indexed item. It evaluates each condition
// separately by scanning the keys of the condition's tag, and intersects the results by event
// instance. Before that, NewPlan rewrites the conditions exactly as CometBFT v0.38.26 does,
// quirks included:
//
//   - Equalities on the indexer's own height key (tx.height or block.height): only the first
//     one whose operand reads as a number is kept (its value truncated to an integer becomes
//     Plan.Height) and moved to the end; a string operand that reads as a number ('5') counts,
//     one that does not ('abc', a time) is dropped. If any other condition on the height key
//     exists (a range, EXISTS, CONTAINS), every height equality is dropped.
//   - Range conditions (<, <=, >, >=) are merged per tag into one Range: a later bound replaces
//     an earlier one on the same side, and an inclusive flag once set stays set. A range on
//     tx.height or block.height (either key, in either indexer) also becomes Plan.HeightRange,
//     which filters the heights of every other condition's matches.
//
// Plan.HeightOK is the height filter each match passes through: the height range if there is
// one, otherwise the height equality if there is one.
//
// # How a plan is evaluated
//
// Match scans, per merged range and per remaining condition, the keys of the condition's tag,
// keeps those that satisfy it and pass the height filter, and intersects the scans by event
// instance (what Layout.Instance returns: the indexed item and the event of it that carried the
// attribute). So all attribute conditions must hold within one event; conditions on two event
// types never match together. The layouts differ only in how keys are built and read: the
// transaction index's "<tag>/<value>/<height>/<index>$es$<seq>" strings, whose = prefix is
// narrowed by a kept height equality and whose values are trimmed, and the block index's
// orderedcode tuples.
//
// # Numbers
//
// Stored values are compared with range bounds as numbers: an integer (with optional sign)
// exactly, anything else big.ParseFloat accepts ("1.5", "-2e3", "Inf") at 125 bits, and any
// other value never matches. Bounds that are times or dates never match anything (CometBFT does
// not implement them for the indexers).
//
// Everything here is safe for concurrent use; only Match reads a database.
package eventquery
