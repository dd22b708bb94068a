package crypto

// AddressSize is the length in bytes of every key address (validator
// addresses and node IDs).
const AddressSize = 20

// Address is the 20-byte identifier derived from a public key. It is a
// HexBytes, so it prints and marshals to JSON as uppercase hex.
type Address = HexBytes

// PubKey is a public key of some signature scheme.
//
// Implementations are immutable and safe for concurrent use.
type PubKey interface {
	// Address returns the AddressSize-byte address of the key.
	Address() Address
	// Bytes returns the raw key bytes (the form carried in protobuf). The
	// result must not be modified.
	Bytes() []byte
	// VerifySignature reports whether sig is a valid signature of msg by this
	// key. Malformed signatures yield false, never a panic.
	VerifySignature(msg, sig []byte) bool
	// Equals reports whether other is a key of the same type with the same
	// bytes.
	Equals(other PubKey) bool
	// Type returns the scheme name, e.g. "ed25519" or "secp256k1".
	Type() string
}

// PrivKey is a private key of some signature scheme.
//
// Implementations are immutable and safe for concurrent use.
type PrivKey interface {
	// Bytes returns the raw key bytes as stored in key files. The result
	// must not be modified.
	Bytes() []byte
	// Sign signs msg. It fails only when the key itself is malformed.
	Sign(msg []byte) ([]byte, error)
	// PubKey returns the matching public key.
	PubKey() PubKey
	// Type returns the scheme name, matching PubKey().Type().
	Type() string
}

// BatchVerifier checks many signatures of one key type at once.
//
// A BatchVerifier is not safe for concurrent use; it is used by one goroutine
// to Add entries and then Verify them once.
type BatchVerifier interface {
	// Add queues sig over msg by key. It returns an error (and queues
	// nothing) when the key is of a type the verifier does not handle or is
	// malformed; a malformed signature is queued and reported invalid by
	// Verify. The verifier may retain msg and sig until Verify returns.
	Add(key PubKey, msg, sig []byte) error
	// Verify reports whether every queued signature is valid, and for each
	// entry, in the order added, whether that signature is valid. With no
	// entries it returns false, nil.
	Verify() (bool, []bool)
}
