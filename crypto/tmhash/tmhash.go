package tmhash

import "crypto/sha256"

const (
	// Size is the length in bytes of a Sum digest.
	Size = sha256.Size
	// TruncatedSize is the length in bytes of a SumTruncated digest.
	TruncatedSize = 20
	// BlockSize is the SHA-256 block size in bytes.
	BlockSize = sha256.BlockSize
)

// Sum returns the SHA-256 digest of b in a newly allocated slice.
func Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// SumTruncated returns the first TruncatedSize bytes of the SHA-256 digest of
// b in a newly allocated slice.
func SumTruncated(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:TruncatedSize:TruncatedSize]
}
