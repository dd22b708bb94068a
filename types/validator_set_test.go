package types

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/crypto/merkle"
)

func TestValidatorsHashVectors(t *testing.T) {
	tests := []struct {
		name, secret, pub, address, simpleValidator, setHash string
	}{
		{
			// types.md §8 [RUN]: seed SHA256("test"), power 10.
			name:            "types.md §8",
			secret:          "test",
			pub:             "67d3b5eaf0c0bf6b5a602d359daecc86a7a74053490ec37ae08e71360587c870",
			address:         "c14ff30999c0d33fc2eff45b09ffee7b4c4a3527",
			simpleValidator: "0a220a2067d3b5eaf0c0bf6b5a602d359daecc86a7a74053490ec37ae08e71360587c870100a",
			setHash:         "b26db5d3188eb35bc79b5061410b762a8900f88088f762d9091b891c66eae432",
		},
		{
			// types.md §7.4 end-to-end genesis vector [RUN]: seed SHA256("a"), power 10.
			name:    "types.md §7.4",
			secret:  "a",
			pub:     "eae1c8793b5597c4b3f490e76ac31172c439690f8ee14142bb851a61f9a49f0e",
			address: "2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4",
			setHash: "2b07705070e01ca77252b8eb9f0cde7b00d809317c452fb54b32afb4c51e9957",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			val := secretValidator(tt.secret, 10)
			if got := hex.EncodeToString(val.PubKey.Bytes()); got != tt.pub {
				t.Fatalf("pub key %s, want %s", got, tt.pub)
			}
			if got := hex.EncodeToString(val.Address); got != tt.address {
				t.Fatalf("address %s, want %s", got, tt.address)
			}
			if tt.simpleValidator != "" {
				if got := hex.EncodeToString(val.Bytes()); got != tt.simpleValidator {
					t.Fatalf("Bytes() = %s, want %s", got, tt.simpleValidator)
				}
			}
			set := mustValidatorSet(t, val)
			if got := hex.EncodeToString(set.Hash()); got != tt.setHash {
				t.Fatalf("Hash() = %s, want %s", got, tt.setHash)
			}
		})
	}
}

func TestValidatorSetHashIgnoresPrioritiesAndFollowsOrder(t *testing.T) {
	set := mustValidatorSet(t, secretValidator("a", 10), secretValidator("b", 20), secretValidator("c", 30))
	h := set.Hash()
	leaves := [][]byte{set.Validators[0].Bytes(), set.Validators[1].Bytes(), set.Validators[2].Bytes()}
	if !bytes.Equal(h, merkle.HashFromByteSlices(leaves)) {
		t.Fatal("hash is not the Merkle root of the validators' Bytes in set order")
	}
	set.IncrementProposerPriority(3)
	if !bytes.Equal(set.Hash(), h) {
		t.Fatal("hash changed with priorities")
	}
	if err := set.UpdateWithChangeSet([]*Validator{secretValidator("a", 11)}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(set.Hash(), h) {
		t.Fatal("hash unchanged after a power change")
	}
	if got := hex.EncodeToString((&ValidatorSet{}).Hash()); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("empty set hash %s", got)
	}
}

func TestValidatorSetOrderAndLookups(t *testing.T) {
	a, b, c, d := secretValidator("a", 10), secretValidator("b", 20), secretValidator("c", 20), secretValidator("d", 5)
	set := mustValidatorSet(t, d, a, c, b)
	// Power descending, ties by address ascending: b (9d4a…) before c (c8ff…).
	want := []*Validator{b, c, a, d}
	for i, v := range set.Validators {
		if !bytes.Equal(v.Address, want[i].Address) {
			t.Fatalf("index %d holds %v, want %v", i, v.Address, want[i].Address)
		}
	}
	if set.Size() != 4 || set.TotalVotingPower() != 55 {
		t.Fatalf("size %d, total %d", set.Size(), set.TotalVotingPower())
	}
	idx, got := set.GetByAddress(a.Address)
	if idx != 2 || !bytes.Equal(got.Address, a.Address) {
		t.Fatalf("GetByAddress(a) = %d, %v", idx, got)
	}
	got.VotingPower = 1000 // a copy: the set is unaffected
	if set.Validators[2].VotingPower != 10 {
		t.Fatal("GetByAddress returned the set's own validator")
	}
	if idx, v := set.GetByAddress([]byte("nope")); idx != -1 || v != nil {
		t.Fatalf("GetByAddress(unknown) = %d, %v", idx, v)
	}
	addr, v := set.GetByIndex(1)
	if !bytes.Equal(addr, c.Address) || !bytes.Equal(v.Address, c.Address) {
		t.Fatalf("GetByIndex(1) = %v", addr)
	}
	for _, i := range []int32{-1, 4} {
		if addr, v := set.GetByIndex(i); addr != nil || v != nil {
			t.Fatalf("GetByIndex(%d) = %v, %v", i, addr, v)
		}
	}
	if !set.HasAddress(d.Address) || set.HasAddress([]byte("nope")) {
		t.Fatal("HasAddress wrong")
	}
	if err := set.ValidateBasic(); err != nil {
		t.Fatalf("ValidateBasic: %v", err)
	}
	if !strings.Contains(set.String(), "Proposer: Validator{") {
		t.Fatalf("String() = %s", set.String())
	}
}

func TestValidatorSetCopyIsDeep(t *testing.T) {
	set := mustValidatorSet(t, secretValidator("a", 10), secretValidator("b", 20))
	c := set.Copy()
	c.IncrementProposerPriority(1)
	c.Validators[0].VotingPower = 99
	if set.Validators[0].VotingPower == 99 {
		t.Fatal("copy shares validators")
	}
	if bytes.Equal(set.GetProposer().Address, c.GetProposer().Address) {
		t.Fatal("incrementing the copy did not move its proposer, or moved the original's")
	}
	if i, _ := c.GetByAddress(c.Proposer.Address); c.Validators[i] != c.Proposer {
		t.Fatal("the copy's proposer is not one of its validators")
	}
}

func TestGetProposerWithoutCache(t *testing.T) {
	set := &ValidatorSet{Validators: []*Validator{
		{Address: []byte{2}, VotingPower: 1, ProposerPriority: 5},
		{Address: []byte{1}, VotingPower: 1, ProposerPriority: 5},
		{Address: []byte{3}, VotingPower: 1, ProposerPriority: 4},
	}}
	if got := set.GetProposer().Address; !bytes.Equal(got, []byte{1}) {
		t.Fatalf("proposer %X, want 01 (tie → lower address)", got)
	}
	if (&ValidatorSet{}).GetProposer() != nil {
		t.Fatal("empty set has a proposer")
	}
}

func TestValidatorValidateBasic(t *testing.T) {
	good := secretValidator("a", 10)
	other := secretValidator("b", 10)
	tests := []struct {
		name string
		v    *Validator
		want string
	}{
		{"ok", good, ""},
		{"zero power ok", secretValidator("a", 0), ""},
		{"nil", nil, "nil validator"},
		{"no key", &Validator{Address: good.Address, VotingPower: 1}, "no public key"},
		{"negative", &Validator{Address: good.Address, PubKey: good.PubKey, VotingPower: -1}, "negative voting power"},
		{"wrong address", &Validator{Address: other.Address, PubKey: good.PubKey, VotingPower: 1}, "not derived from its public key"},
		{"short address", &Validator{Address: good.Address[:19], PubKey: good.PubKey, VotingPower: 1}, "not derived from its public key"},
	}
	for _, tt := range tests {
		err := tt.v.ValidateBasic()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: ValidateBasic = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestValidatorSetValidateBasic(t *testing.T) {
	set := mustValidatorSet(t, secretValidator("a", 10), secretValidator("b", 20))
	if err := set.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	var nilSet *ValidatorSet
	if err := nilSet.ValidateBasic(); !errors.Is(err, ErrEmptyValidatorSet) {
		t.Fatalf("nil set: %v", err)
	}
	outsider := set.Copy()
	outsider.Proposer = secretValidator("z", 1)
	if err := outsider.ValidateBasic(); !errors.Is(err, ErrProposerNotInVals) {
		t.Fatalf("outside proposer: %v", err)
	}
	noProposer := set.Copy()
	noProposer.Proposer = nil
	if err := noProposer.ValidateBasic(); err == nil || !strings.Contains(err.Error(), "proposer") {
		t.Fatalf("missing proposer: %v", err)
	}
	dup := set.Copy()
	dup.Validators = append(dup.Validators, dup.Validators[0].Copy())
	if err := dup.ValidateBasic(); err == nil || !strings.Contains(err.Error(), "duplicate validator") {
		t.Fatalf("duplicate: %v", err)
	}
	bad := set.Copy()
	bad.Validators[1].VotingPower = -5
	if err := bad.ValidateBasic(); err == nil || !strings.Contains(err.Error(), "invalid validator #1") {
		t.Fatalf("bad member: %v", err)
	}
}

func TestCompareProposerPriority(t *testing.T) {
	lo := &Validator{Address: []byte{1}, ProposerPriority: 3}
	hi := &Validator{Address: []byte{2}, ProposerPriority: 4}
	if lo.CompareProposerPriority(hi) != hi || hi.CompareProposerPriority(lo) != hi {
		t.Fatal("higher priority must win")
	}
	tie := &Validator{Address: []byte{0}, ProposerPriority: 4}
	if hi.CompareProposerPriority(tie) != tie || tie.CompareProposerPriority(hi) != tie {
		t.Fatal("tie must go to the lower address")
	}
	var none *Validator
	if none.CompareProposerPriority(lo) != lo {
		t.Fatal("nil receiver must yield other")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("same address did not panic")
		}
	}()
	hi.CompareProposerPriority(&Validator{Address: []byte{2}, ProposerPriority: 4})
}
