// Package crypto defines the key, address and batch-verification abstractions
// shared by every signature scheme ballot supports.
//
// Concrete schemes live in sub-packages (crypto/ed25519, crypto/secp256k1);
// crypto/encoding converts keys to and from their protobuf and amino-style
// JSON forms; crypto/tmhash and crypto/merkle hold the hash and Merkle-tree
// rules that consensus relies on byte for byte.
//
// Contracts common to all implementations:
//   - PubKey and PrivKey values are immutable once built; methods never
//     modify the receiver and are safe for concurrent use.
//   - Byte slices returned by Bytes() and Address() may alias the key's
//     storage: callers must not modify them.
//   - An Address is always AddressSize (20) bytes and renders as uppercase
//     hex, both in String() and in JSON.
package crypto
