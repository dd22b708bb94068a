package batch

import (
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
)

// Supports reports whether keys of k's type can be batch-verified.
func Supports(k crypto.PubKey) bool {
	_, ok := k.(ed25519.PubKey)
	return ok
}

// NewVerifier returns an empty batch verifier for keys of k's type, and
// false when that type has none (secp256k1, unknown types, nil). Each call
// returns a new verifier owned by the caller.
func NewVerifier(k crypto.PubKey) (crypto.BatchVerifier, bool) {
	if !Supports(k) {
		return nil, false
	}
	return ed25519.NewBatchVerifier(), true
}
