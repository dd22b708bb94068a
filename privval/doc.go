// Package privval holds ballot's validator signers: the PrivValidator
// interface the consensus shell signs through, and FilePV, the signer that
// keeps its key and its last sign state in files and refuses to sign
// anything that could make the validator equivocate.
//
// # Files
//
// FilePV uses the two files of CometBFT (operator.md §6.2, §6.3), byte for
// byte in the same layout (2-space indented JSON, mode 0600):
//
//   - priv_validator_key.json: address (uppercase hex), pub_key and priv_key
//     as typed JSON {"type": "tendermint/PubKeyEd25519", "value": base64}.
//   - priv_validator_state.json: height (decimal string), round, step, and
//     the signature (base64) and signbytes (uppercase hex) of the last
//     signed message.
//
// Loading checks both files completely (address matches the public key,
// the public key matches the private key, key types are known, the state's
// sign bytes encode a message at the state's height, round and step) and
// reports a bad file with one error line naming it.
//
// # Double-sign protection (consensus.md §13.1)
//
// Within a height and round a validator signs at most one message per
// privval step: 1 propose, 2 prevote, 3 precommit. A request at a lower
// height, round or step than the last signed one is refused (height, round,
// step regression). A request at the same height, round and step gets the
// stored signature if its sign bytes equal the stored ones, or differ only
// in the timestamp (then the message's timestamp is set to the stored one);
// anything else is refused as conflicting data. Vote-extension signatures
// are outside this check and always signed afresh.
//
// # Durability
//
// Before a fresh signature is returned the new state is written with
// internal/atomicfile (temporary file, fsync, rename, directory fsync). A
// crash before the rename leaves the old state and no signature was handed
// out; a crash after it leaves the new state, and re-signing the same
// message after the restart returns the same signature.
package privval
