// Package ed25519 implements crypto.PubKey, crypto.PrivKey and
// crypto.BatchVerifier for Ed25519, the default key type for validators and
// node identities.
//
// Verification follows ZIP-215 (curve25519-voi's VerifyOptionsZIP_215):
// cofactored, and accepting small-order and non-canonically encoded points.
// Some signatures it accepts are rejected by strict RFC 8032 verifiers such
// as Go's crypto/ed25519; every node of a network must use the same rules or
// consensus may split. Single and batch verification give the same answer
// for every input.
//
// Signing is deterministic (RFC 8032). Expanded public keys used for
// verification are kept in a process-wide, size-bounded LRU cache so a
// validator's key is decompressed once, not once per vote.
//
// Keys are byte slices: a PubKey is 32 bytes, a PrivKey 64 bytes (seed ‖
// public key), as stored in key files. Values are immutable; all functions
// and methods are safe for concurrent use except a BatchVerifier, which
// belongs to one goroutine.
package ed25519
