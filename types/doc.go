// Package types holds ballot's domain types: blocks, headers, votes, proposals, commits, part sets,
// validators and validator sets, evidence, consensus parameters and the genesis document.
//
// Everything that is hashed or signed is byte-identical to CometBFT v0.38.26 (block protocol 11):
// hashes are RFC 6962 Merkle roots over the gogoproto encodings described in the fact sheets, and
// sign bytes are the length-delimited canonical messages of canonical.go. The generated protobuf
// types in proto/tendermint/types appear only at the edges, through ToProto and FromProto.
//
// Values of these types are not safe for concurrent mutation; share them read-only or copy them.
package types
