// Package secp256k1 implements crypto.PubKey and crypto.PrivKey for ECDSA
// over secp256k1, as CometBFT uses it for validators and ABCI validator
// updates.
//
//   - A PubKey is the 33-byte compressed point; its address is
//     RIPEMD-160(SHA-256(pubkey)).
//   - A PrivKey is the 32-byte big-endian scalar.
//   - A signature is 64 bytes, r ‖ s big-endian, over SHA-256(msg). Signing
//     is deterministic (RFC 6979) and always produces low S; verification
//     rejects S above half the group order, so signatures are not malleable.
//
// Values are immutable; everything is safe for concurrent use.
package secp256k1
