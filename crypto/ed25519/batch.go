package ed25519

import (
	"crypto/rand"
	"fmt"

	"github.com/oasisprotocol/curve25519-voi/primitives/ed25519"

	"github.com/ballot-bft/ballot/crypto"
)

// BatchVerifier verifies many Ed25519 signatures at once under the same
// ZIP-215 rules as PubKey.VerifySignature. When the batch as a whole fails
// it checks each signature separately, so Verify always reports which ones
// are bad. It belongs to one goroutine.
type BatchVerifier struct {
	batch *ed25519.BatchVerifier
}

var _ crypto.BatchVerifier = (*BatchVerifier)(nil)

// NewBatchVerifier returns an empty batch.
func NewBatchVerifier() *BatchVerifier {
	return &BatchVerifier{batch: ed25519.NewBatchVerifier()}
}

// Add queues sig over msg by key. It returns an error, queuing nothing, when
// key is not a PubKeySize-byte ed25519 PubKey. A wrong-length signature or a
// key that is not a curve point is queued and reported invalid by Verify.
// msg and sig are retained until Verify returns and must not be modified
// before then.
func (v *BatchVerifier) Add(key crypto.PubKey, msg, sig []byte) error {
	pk, ok := key.(PubKey)
	if !ok {
		return fmt.Errorf("ed25519 batch: got a %T key, want ed25519", key)
	}
	if len(pk) != PubKeySize {
		return fmt.Errorf("%w: public key has %d bytes, want %d", ErrKeySize, len(pk), PubKeySize)
	}
	verifier.AddWithOptions(v.batch, ed25519.PublicKey(pk), msg, sig, zip215)
	return nil
}

// Verify reports whether all queued signatures are valid and, per entry in
// the order added, which are. An empty batch gives false, nil.
func (v *BatchVerifier) Verify() (bool, []bool) {
	return v.batch.Verify(rand.Reader)
}
