// Package merkle implements the RFC 6962-style binary Merkle tree used for
// every list hash in the block protocol (transactions, validator sets,
// evidence, header fields, block parts).
//
// Tree rules (types.md §4):
//   - the hash of an empty list is SHA-256 of no bytes;
//   - a leaf hashes as SHA-256(0x00 ‖ item), items taken as raw bytes;
//   - an inner node hashes as SHA-256(0x01 ‖ left ‖ right);
//   - a list of n ≥ 2 items splits at k, the largest power of two strictly
//     less than n: left = items[:k], right = items[k:].
//
// A Proof shows that a leaf is the index-th of total leaves under a root;
// its aunts run from the leaf's sibling up to the root's child.
//
// All functions are safe for concurrent use and never modify their inputs.
package merkle
