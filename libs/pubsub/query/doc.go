// Package query implements CometBFT's event query language, the filter that websocket
// subscriptions, tx_search and block_search share:
//
//	tm.event = 'Tx' AND tx.height > 5 AND transfer.sender CONTAINS 'cosmos1'
//
// # Grammar
//
//	query     = condition { "AND" condition }
//	condition = tag ( "EXISTS"
//	                | "=" ( string | number | time | date )
//	                | ( "<" | "<=" | ">" | ">=" ) ( number | time | date )
//	                | "CONTAINS" string )
//
// Lexical rules, byte for byte as CometBFT v0.38 scans them:
//
//   - tag: a letter, a Unicode digit other than 0-9, or '_', then any run of letters, digits, '_',
//     '.' and '-'. A word starting with 0-9 is a number, never a tag. The words AND, EXISTS and
//     CONTAINS (upper case) are keywords; "TIME" and "DATE" followed by a single space start a
//     time or date literal, anywhere else they are ordinary tags.
//   - string: '...' with no escapes; it cannot contain a quote.
//   - number: [0-9]+ optionally followed by '.' and [0-9]* (so "5." is a number). No sign.
//   - time: "TIME " then an RFC 3339 timestamp without fractional seconds
//     (2006-01-02T15:04:05Z or with ±hh:mm), year 1900-2999.
//   - date: "DATE " then 2006-01-02, year 1900-2999.
//   - whitespace (Unicode) separates tokens and is otherwise ignored; an invalid UTF-8 byte
//     reads as U+FFFD.
//
// Parse errors are *SyntaxError values whose text is CometBFT's ("offset 9: got = operator,
// wanted number, timestamp, datestamp or string"), so the RPC layer reports the same messages.
// One deliberate difference: CometBFT accepts a query that ends in an unterminated string
// after a complete condition ("a = 'b' 'c"); Parse rejects it.
//
// # Matching
//
// A query is matched against a flat event map, "type.attribute" → values, as the event bus
// builds it. A condition on tag T holds when any value of key T satisfies the operator; as a
// quirk kept from CometBFT, a condition whose tag equals an event type (the part of some key
// before its last '.') also tests the empty string, which makes "tm EXISTS" hold for any map
// with a tm.* key. All conditions must hold, and an empty map matches no query except All.
//
// Number conditions compare as big floats; an attribute value counts as a number when it
// starts with digits ("8atom" is 8, "-5" is not a number); whole-integer values are exact,
// others are rounded to 125 bits as CometBFT does. Time and date conditions parse the value
// with the same layout as the literal. A value that does not parse makes the comparison false.
//
// Queries are immutable after Parse and safe for concurrent use.
package query
