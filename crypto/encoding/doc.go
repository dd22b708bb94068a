// Package encoding converts public and private keys between their Go types
// (crypto/ed25519, crypto/secp256k1) and their external forms:
//
//   - protobuf: tendermint.crypto.PublicKey, a oneof of raw key bytes;
//   - amino-style JSON, as in key files, genesis and RPC:
//     {"type":"tendermint/PubKeyEd25519","value":"<base64 key bytes>"};
//   - ABCI's (type name, bytes) pair: "ed25519" / "secp256k1".
//
// Decoders copy their input, check key lengths (and, for private keys, the
// key's internal consistency) and return errors that name the problem;
// unknown and unsupported key types (ML-DSA-65 among them) wrap
// ErrUnsupportedKey. Everything is safe for concurrent use.
package encoding
