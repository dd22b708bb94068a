package types

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/crypto/secp256k1"
)

const verifyChainID = "verify-chain"

// unbatchedKey is an ed25519 key reporting another type, which keeps commit verification on the
// one-signature-at-a-time path.
type unbatchedKey struct{ crypto.PubKey }

func (unbatchedKey) Type() string { return "unbatched-ed25519" }

// commitFixture is a validator set with its private keys, by address.
type commitFixture struct {
	set  *ValidatorSet
	keys map[string]crypto.PrivKey
}

// newCommitFixture builds a set of validators with the given powers, keys from secrets "v0", "v1"...
func newCommitFixture(t testing.TB, unbatched bool, powers ...int64) *commitFixture {
	t.Helper()
	f := &commitFixture{keys: map[string]crypto.PrivKey{}}
	var vals []*Validator
	for i, p := range powers {
		key := ed25519.GenPrivKeyFromSecret([]byte{'v', byte('0' + i)})
		pub := key.PubKey()
		if unbatched {
			pub = unbatchedKey{pub}
		}
		vals = append(vals, NewValidator(pub, p))
		f.keys[string(pub.Address())] = key
	}
	f.set = mustValidatorSet(t, vals...)
	return f
}

func fixtureBlockID(name string) BlockID {
	h := sha256.Sum256([]byte(name))
	p := sha256.Sum256([]byte(name + " parts"))
	return BlockID{Hash: h[:], PartSetHeader: PartSetHeader{Total: 3, Hash: p[:]}}
}

var fixtureTime = time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)

// extendedCommit returns an extended commit at height 5, round 1 for blockID with one entry per
// validator in set order, flags[i] giving entry i's kind (COMMIT, NIL or ABSENT). COMMIT entries
// carry a signed extension.
func (f *commitFixture) extendedCommit(t testing.TB, blockID BlockID, flags ...BlockIDFlag) *ExtendedCommit {
	t.Helper()
	ec := &ExtendedCommit{Height: 5, Round: 1, BlockID: blockID}
	for i, v := range f.set.Validators {
		if flags[i] == BlockIDFlagAbsent {
			ec.ExtendedSignatures = append(ec.ExtendedSignatures, NewExtendedCommitSigAbsent())
			continue
		}
		vote := &Vote{
			Type: PrecommitType, Height: 5, Round: 1, BlockID: blockID,
			Timestamp:        fixtureTime.Add(time.Duration(i) * time.Second),
			ValidatorAddress: v.Address, ValidatorIndex: int32(i),
		}
		if flags[i] == BlockIDFlagNil {
			vote.BlockID = BlockID{}
		} else {
			vote.Extension = []byte{'e', byte(i)}
		}
		key := f.keys[string(v.Address)]
		var err error
		if vote.Signature, err = key.Sign(vote.SignBytes(verifyChainID)); err != nil {
			t.Fatal(err)
		}
		if flags[i] == BlockIDFlagCommit {
			if vote.ExtensionSignature, err = key.Sign(vote.ExtensionSignBytes(verifyChainID)); err != nil {
				t.Fatal(err)
			}
		}
		ec.ExtendedSignatures = append(ec.ExtendedSignatures, vote.ExtendedCommitSig())
	}
	return ec
}

// commit is extendedCommit without the extensions.
func (f *commitFixture) commit(t testing.TB, blockID BlockID, flags ...BlockIDFlag) *Commit {
	t.Helper()
	return f.extendedCommit(t, blockID, flags...).ToCommit()
}

const (
	yes    = BlockIDFlagCommit
	nilVal = BlockIDFlagNil
	absent = BlockIDFlagAbsent
)

// forBothPaths runs test with batch and with one-by-one signature verification.
func forBothPaths(t *testing.T, test func(t *testing.T, unbatched bool)) {
	t.Run("batch", func(t *testing.T) { test(t, false) })
	t.Run("single", func(t *testing.T) { test(t, true) })
}

func TestVerifyCommitValid(t *testing.T) {
	forBothPaths(t, func(t *testing.T, unbatched bool) {
		f := newCommitFixture(t, unbatched, 10, 10, 10, 10)
		id := fixtureBlockID("b")
		for _, flags := range [][]BlockIDFlag{
			{yes, yes, yes, yes},
			{yes, yes, yes, absent},
			{yes, nilVal, yes, yes},
		} {
			c := f.commit(t, id, flags...)
			if err := f.set.VerifyCommit(verifyChainID, id, 5, c); err != nil {
				t.Fatalf("%v: VerifyCommit: %v", flags, err)
			}
			if err := f.set.VerifyCommitLight(verifyChainID, id, 5, c); err != nil {
				t.Fatalf("%v: VerifyCommitLight: %v", flags, err)
			}
			if err := f.set.VerifyCommitLightAllSignatures(verifyChainID, id, 5, c); err != nil {
				t.Fatalf("%v: VerifyCommitLightAllSignatures: %v", flags, err)
			}
			if err := f.set.VerifyCommitLightTrusting(verifyChainID, c, Fraction{1, 3}); err != nil {
				t.Fatalf("%v: VerifyCommitLightTrusting: %v", flags, err)
			}
		}
	})
}

func TestVerifyCommitFailures(t *testing.T) {
	forBothPaths(t, func(t *testing.T, unbatched bool) {
		f := newCommitFixture(t, unbatched, 10, 10, 10, 10)
		id := fixtureBlockID("b")
		good := func() *Commit { return f.commit(t, id, yes, yes, yes, yes) }
		other := newCommitFixture(t, unbatched, 10, 10, 10, 10, 10) // v4 is not in f's set

		tests := []struct {
			name    string
			commit  func() *Commit
			height  int64
			blockID BlockID
			wantIs  error
			wantMsg string
		}{
			{"two missing", func() *Commit { return f.commit(t, id, yes, absent, yes, absent) }, 5, id,
				ErrNotEnoughVotingPowerSigned{}, "got 20, needed more than 26"},
			{"wrong signature", func() *Commit {
				c := good()
				c.Signatures[2].Signature = bytes.Repeat([]byte{7}, 64)
				return c
			}, 5, id, ErrCommitWrongSignature, "#2"},
			{"signature for another block", func() *Commit {
				c := good()
				c.Signatures[1] = f.commit(t, fixtureBlockID("other"), yes, yes, yes, yes).Signatures[1]
				return c
			}, 5, id, ErrCommitWrongSignature, "#1"},
			{"wrong nil-vote signature", func() *Commit {
				c := f.commit(t, id, yes, yes, yes, nilVal)
				c.Signatures[3].Signature[0] ^= 1
				return c
			}, 5, id, ErrCommitWrongSignature, "#3"},
			{"wrong height", good, 6, id, ErrCommitHeightMismatch, "want 6, got 5"},
			{"wrong block ID", good, 5, fixtureBlockID("x"), ErrCommitBlockIDMismatch, ""},
			{"too few entries", func() *Commit {
				c := good()
				c.Signatures = c.Signatures[:3]
				return c
			}, 5, id, ErrCommitSetSizeMismatch, "4 validators, 3 signatures"},
			{"too many entries", func() *Commit {
				c := good()
				c.Signatures = append(c.Signatures, NewCommitSigAbsent())
				return c
			}, 5, id, ErrCommitSetSizeMismatch, "4 validators, 5 signatures"},
			{"address of another validator", func() *Commit {
				c := good()
				c.Signatures[1].ValidatorAddress = other.set.Validators[4].Address
				if bytes.Equal(c.Signatures[1].ValidatorAddress, f.set.Validators[1].Address) {
					t.Fatal("fixture addresses collide")
				}
				return c
			}, 5, id, ErrCommitAddressMismatch, "signature #1"},
			{"malformed entry", func() *Commit {
				c := good()
				c.Signatures[0].Signature = nil
				return c
			}, 5, id, ErrInvalidCommitSig, "signature #0"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := f.set.VerifyCommit(verifyChainID, tt.blockID, tt.height, tt.commit())
				assertCommitError(t, err, tt.wantIs, tt.wantMsg)
			})
		}
	})
}

func assertCommitError(t *testing.T, err, wantIs error, wantMsg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", wantIs)
	}
	if want, ok := wantIs.(ErrNotEnoughVotingPowerSigned); ok {
		if !errors.As(err, &want) {
			t.Fatalf("error %v, want ErrNotEnoughVotingPowerSigned", err)
		}
	} else if !errors.Is(err, wantIs) {
		t.Fatalf("error %v, want %v", err, wantIs)
	}
	if !strings.Contains(err.Error(), wantMsg) {
		t.Fatalf("error %q does not contain %q", err, wantMsg)
	}
}

func TestVerifyCommitExactlyTwoThirdsFails(t *testing.T) {
	forBothPaths(t, func(t *testing.T, unbatched bool) {
		// Total 60: 40 is exactly 2/3 and is not enough; 50 is.
		f := newCommitFixture(t, unbatched, 10, 20, 30)
		id := fixtureBlockID("b")
		var flags []BlockIDFlag
		for _, v := range f.set.Validators { // set order: 30, 20, 10
			flags = append(flags, map[int64]BlockIDFlag{30: yes, 20: absent, 10: yes}[v.VotingPower])
		}
		c := f.commit(t, id, flags...)
		err := f.set.VerifyCommit(verifyChainID, id, 5, c)
		var got ErrNotEnoughVotingPowerSigned
		if !errors.As(err, &got) || got != (ErrNotEnoughVotingPowerSigned{Got: 40, Needed: 40}) {
			t.Fatalf("VerifyCommit = %v, want insufficient power 40 of more than 40", err)
		}
		if err := f.set.VerifyCommitLight(verifyChainID, id, 5, c); !errors.As(err, &got) {
			t.Fatalf("VerifyCommitLight = %v", err)
		}
		// NIL precommits are checked but not counted.
		flags[1] = nilVal
		if err := f.set.VerifyCommit(verifyChainID, id, 5, f.commit(t, id, flags...)); !errors.As(err, &got) || got.Got != 40 {
			t.Fatalf("with a nil vote: %v", err)
		}
		flags[1] = yes
		if err := f.set.VerifyCommit(verifyChainID, id, 5, f.commit(t, id, flags...)); err != nil {
			t.Fatalf("all signed: %v", err)
		}
	})
}

func TestVerifyCommitLightSkipsWhatItNeedNotCheck(t *testing.T) {
	forBothPaths(t, func(t *testing.T, unbatched bool) {
		f := newCommitFixture(t, unbatched, 10, 10, 10, 10)
		id := fixtureBlockID("b")
		// A bad NIL entry: VerifyCommit checks it, the light checks skip it.
		c := f.commit(t, id, yes, yes, yes, nilVal)
		c.Signatures[3].Signature[5] ^= 1
		assertCommitError(t, f.set.VerifyCommit(verifyChainID, id, 5, c), ErrCommitWrongSignature, "#3")
		if err := f.set.VerifyCommitLightAllSignatures(verifyChainID, id, 5, c); err != nil {
			t.Fatalf("light check of a commit with a bad nil vote: %v", err)
		}
		// A bad last COMMIT entry: the light check stops before it, the all-signatures one does not.
		c = f.commit(t, id, yes, yes, yes, yes)
		c.Signatures[3].Signature[5] ^= 1
		if err := f.set.VerifyCommitLight(verifyChainID, id, 5, c); err != nil {
			t.Fatalf("VerifyCommitLight checked past 2/3: %v", err)
		}
		assertCommitError(t, f.set.VerifyCommitLightAllSignatures(verifyChainID, id, 5, c), ErrCommitWrongSignature, "#3")
		assertCommitError(t, f.set.VerifyCommit(verifyChainID, id, 5, c), ErrCommitWrongSignature, "#3")
	})
}

func TestVerifyCommitLightTrusting(t *testing.T) {
	forBothPaths(t, func(t *testing.T, unbatched bool) {
		signers := newCommitFixture(t, unbatched, 10, 10, 10, 10)
		id := fixtureBlockID("b")
		c := signers.commit(t, id, yes, yes, yes, absent)

		// A trusted set sharing two of the signers, plus two validators that did not sign.
		outsiders := newCommitFixture(t, unbatched, 10, 10, 10, 10, 10, 10)
		trusted := mustValidatorSet(t, signers.set.Validators[0].Copy(), signers.set.Validators[1].Copy(),
			outsiders.set.Validators[4].Copy(), outsiders.set.Validators[5].Copy())
		if trusted.HasAddress(outsiders.set.Validators[4].Address) && signers.set.HasAddress(outsiders.set.Validators[4].Address) {
			t.Fatal("fixture addresses collide")
		}
		// 20 of 40 signed: more than 1/3, not more than 1/2.
		if err := trusted.VerifyCommitLightTrusting(verifyChainID, c, Fraction{1, 3}); err != nil {
			t.Fatalf("trust 1/3: %v", err)
		}
		var got ErrNotEnoughVotingPowerSigned
		if err := trusted.VerifyCommitLightTrusting(verifyChainID, c, Fraction{1, 2}); !errors.As(err, &got) || got != (ErrNotEnoughVotingPowerSigned{20, 20}) {
			t.Fatalf("trust 1/2: %v", err)
		}
		if err := trusted.VerifyCommitLightTrustingAllSignatures(verifyChainID, c, Fraction{1, 3}); err != nil {
			t.Fatalf("trust 1/3, all signatures: %v", err)
		}

		// The same validator twice (its signature copied to another entry) is a double vote.
		dup := c.Clone()
		dup.Signatures[2] = dup.Signatures[0]
		assertCommitError(t, signers.set.VerifyCommitLightTrusting(verifyChainID, dup, Fraction{2, 3}), ErrCommitDoubleVote, "#0 and #2")

		// A bad signature of a trusted validator fails.
		bad := c.Clone()
		bad.Signatures[1].Signature[0] ^= 1
		assertCommitError(t, trusted.VerifyCommitLightTrustingAllSignatures(verifyChainID, bad, Fraction{1, 3}), ErrCommitWrongSignature, "#1")

		if err := trusted.VerifyCommitLightTrusting(verifyChainID, c, Fraction{1, 0}); err == nil || !strings.Contains(err.Error(), "zero denominator") {
			t.Fatalf("zero denominator: %v", err)
		}
		if err := trusted.VerifyCommitLightTrusting(verifyChainID, c, Fraction{1 << 62, 1 << 63}); err == nil || !strings.Contains(err.Error(), "overflows") {
			t.Fatalf("overflow: %v", err)
		}
	})
}

func TestVerifyCommitExtended(t *testing.T) {
	f := newCommitFixture(t, false, 10, 10, 10, 10)
	id := fixtureBlockID("b")
	ec := f.extendedCommit(t, id, yes, nilVal, yes, yes)
	if err := f.set.VerifyCommitExtended(verifyChainID, id, 5, ec); err != nil {
		t.Fatal(err)
	}

	bad := ec.Clone()
	bad.ExtendedSignatures[2].ExtensionSignature[0] ^= 1
	err := f.set.VerifyCommitExtended(verifyChainID, id, 5, bad)
	if err == nil || !errors.Is(err, ErrVoteInvalidSignature) || !strings.Contains(err.Error(), "validator #2") {
		t.Fatalf("bad extension signature: %v", err)
	}

	missing := ec.Clone()
	missing.ExtendedSignatures[3].ExtensionSignature = nil
	missing.ExtendedSignatures[3].Extension = nil
	if err := f.set.VerifyCommitExtended(verifyChainID, id, 5, missing); !errors.Is(err, ErrVoteExtensionAbsent) {
		t.Fatalf("missing extension signature: %v", err)
	}

	wrongVote := ec.Clone()
	wrongVote.ExtendedSignatures[0].Signature[0] ^= 1
	assertCommitError(t, f.set.VerifyCommitExtended(verifyChainID, id, 5, wrongVote), ErrCommitWrongSignature, "#0")

	if err := f.set.VerifyCommitExtended(verifyChainID, id, 5, nil); err == nil {
		t.Fatal("nil extended commit accepted")
	}
}

func TestVerifyCommitMixedKeyTypes(t *testing.T) {
	// An ed25519 and a secp256k1 validator: no batch verifier covers both.
	seed := sha256.Sum256([]byte("secp validator"))
	secpKey, err := secp256k1.PrivKeyFromBytes(seed[:])
	if err != nil {
		t.Fatal(err)
	}
	edKey := ed25519.GenPrivKeyFromSecret([]byte("ed validator"))
	f := &commitFixture{keys: map[string]crypto.PrivKey{
		string(secpKey.PubKey().Address()): secpKey,
		string(edKey.PubKey().Address()):   edKey,
	}}
	f.set = mustValidatorSet(t, NewValidator(secpKey.PubKey(), 10), NewValidator(edKey.PubKey(), 10))
	if f.set.allKeysSameType() {
		t.Fatal("mixed set reported as one key type")
	}
	id := fixtureBlockID("b")
	c := f.commit(t, id, yes, yes)
	if err := f.set.VerifyCommit(verifyChainID, id, 5, c); err != nil {
		t.Fatal(err)
	}
	for i := range c.Signatures {
		bad := c.Clone()
		bad.Signatures[i].Signature[3] ^= 1
		assertCommitError(t, f.set.VerifyCommit(verifyChainID, id, 5, bad), ErrCommitWrongSignature, fmt.Sprintf("#%d", i))
	}
	// The set hashes with both key types.
	if len(f.set.Hash()) != 32 || f.set.Validators[0].Bytes() == nil || f.set.Validators[1].Bytes() == nil {
		t.Fatal("mixed set does not hash")
	}
}

func TestVerifyCommitNilArguments(t *testing.T) {
	f := newCommitFixture(t, false, 10)
	id := fixtureBlockID("b")
	var nilSet *ValidatorSet
	if err := nilSet.VerifyCommit(verifyChainID, id, 5, f.commit(t, id, yes)); err == nil {
		t.Fatal("nil set accepted")
	}
	if err := f.set.VerifyCommit(verifyChainID, id, 5, nil); err == nil {
		t.Fatal("nil commit accepted")
	}
	if err := f.set.VerifyCommitLightTrusting(verifyChainID, nil, Fraction{1, 3}); err == nil {
		t.Fatal("nil commit accepted in trusting mode")
	}
	// A single validator uses the one-by-one path.
	c := f.commit(t, id, yes)
	if err := f.set.VerifyCommit(verifyChainID, id, 5, c); err != nil {
		t.Fatal(err)
	}
	c.Signatures[0].Signature[0] ^= 1
	assertCommitError(t, f.set.VerifyCommit(verifyChainID, id, 5, c), ErrCommitWrongSignature, "#0")
}
