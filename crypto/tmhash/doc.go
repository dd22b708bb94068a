// Package tmhash is the hash function of the block protocol: SHA-256, and its
// 20-byte truncation used for addresses.
//
// All functions are pure and safe for concurrent use; they never retain or
// modify their input.
package tmhash
