package types

import (
	"fmt"
	"testing"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
)

// benchVotes returns a validator set of n validators (power 10 each) and one signed vote of
// typ per validator for blockID at height 100, round 0, in set order.
func benchVotes(b *testing.B, n int, typ SignedMsgType, blockID BlockID) (*ValidatorSet, []*Vote) {
	b.Helper()
	keys := make(map[string]ed25519.PrivKey, n)
	vals := make([]*Validator, n)
	for i := range vals {
		key := ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "bench-validator-%d", i))
		vals[i] = NewValidator(key.PubKey(), 10)
		keys[string(vals[i].Address)] = key
	}
	set := mustValidatorSet(b, vals...)
	votes := make([]*Vote, n)
	for i, v := range set.Validators {
		vote := &Vote{Type: typ, Height: 100, Round: 0, BlockID: blockID,
			Timestamp: fixtureTime, ValidatorAddress: v.Address, ValidatorIndex: int32(i)}
		sig, err := keys[string(v.Address)].Sign(vote.SignBytes(verifyChainID))
		if err != nil {
			b.Fatal(err)
		}
		vote.Signature = sig
		votes[i] = vote
	}
	return set, votes
}

// BenchmarkVoteSignBytes is the canonical encoding every signature check starts with.
func BenchmarkVoteSignBytes(b *testing.B) {
	_, votes := benchVotes(b, 1, PrecommitType, fixtureBlockID("block"))
	b.ReportAllocs()
	for b.Loop() {
		if len(votes[0].SignBytes(verifyChainID)) == 0 {
			b.Fatal("no sign bytes")
		}
	}
}

// BenchmarkVoteVerify is one vote's full check: address, sign bytes and ed25519 signature.
func BenchmarkVoteVerify(b *testing.B) {
	set, votes := benchVotes(b, 1, PrecommitType, fixtureBlockID("block"))
	pub := set.Validators[0].PubKey
	b.ReportAllocs()
	for b.Loop() {
		if err := votes[0].Verify(verifyChainID, pub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVoteSetAddVote adds every validator's prevote to a fresh vote set, as consensus
// does once per round (the standard benchmark has 4 validators). ns/op is per vote.
func BenchmarkVoteSetAddVote(b *testing.B) {
	for _, n := range []int{4, 100} {
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			set, votes := benchVotes(b, n, PrevoteType, fixtureBlockID("block"))
			b.ReportAllocs()
			var vs *VoteSet
			i := 0
			for b.Loop() {
				if i%n == 0 {
					vs = NewVoteSet(verifyChainID, 100, 0, PrevoteType, set)
				}
				added, err := vs.AddVote(votes[i%n])
				if err != nil || !added {
					b.Fatalf("vote %d: added %v, %v", i%n, added, err)
				}
				i++
			}
			if vs.Size() != n {
				b.Fatal("wrong set")
			}
		})
	}
}

// BenchmarkVoteSetAddDuplicate is a vote the set already holds, as gossip delivers most votes
// more than once (each peer forwards them): no signature check.
func BenchmarkVoteSetAddDuplicate(b *testing.B) {
	set, votes := benchVotes(b, 4, PrevoteType, fixtureBlockID("block"))
	vs := NewVoteSet(verifyChainID, 100, 0, PrevoteType, set)
	for _, v := range votes {
		if _, err := vs.AddVote(v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if added, err := vs.AddVote(votes[1]); added || err != nil {
			b.Fatalf("duplicate: added %v, %v", added, err)
		}
	}
}

// BenchmarkVerifyCommit checks a commit signed by every validator, as block sync and the
// light client do: batch verification (ed25519 keys) against one signature at a time.
func BenchmarkVerifyCommit(b *testing.B) {
	for _, n := range []int{4, 100} {
		for _, unbatched := range []bool{false, true} {
			name := fmt.Sprintf("validators=%d/batch", n)
			if unbatched {
				name = fmt.Sprintf("validators=%d/single", n)
			}
			b.Run(name, func(b *testing.B) {
				powers := make([]int64, n)
				for i := range powers {
					powers[i] = 10
				}
				f := newBenchCommitFixture(b, unbatched, powers)
				blockID := fixtureBlockID("commit")
				flags := make([]BlockIDFlag, n)
				for i := range flags {
					flags[i] = BlockIDFlagCommit
				}
				commit := f.commit(b, blockID, flags...)
				b.ReportAllocs()
				for b.Loop() {
					if err := f.set.VerifyCommit(verifyChainID, blockID, 5, commit); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// newBenchCommitFixture is newCommitFixture for any number of validators (its keys come from
// one-byte secrets, so it stops at 10).
func newBenchCommitFixture(b *testing.B, unbatched bool, powers []int64) *commitFixture {
	b.Helper()
	f := &commitFixture{keys: map[string]crypto.PrivKey{}}
	var vals []*Validator
	for i, p := range powers {
		key := ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "commit-validator-%d", i))
		pub := key.PubKey()
		if unbatched {
			pub = unbatchedKey{pub}
		}
		vals = append(vals, NewValidator(pub, p))
		f.keys[string(pub.Address())] = key
	}
	f.set = mustValidatorSet(b, vals...)
	return f
}
