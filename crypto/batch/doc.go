// Package batch picks a batch signature verifier for a key type, so callers
// verifying many signatures (commits, light-client checks) need not know
// which schemes support batching.
//
// Batching pays off from two signatures upward and only when every key has
// the same type; callers check that and fall back to one VerifySignature per
// signature otherwise.
package batch
