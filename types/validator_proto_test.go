package types

import (
	"bytes"
	"math"
	"strings"
	"testing"

	pcrypto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func TestValidatorSetProtoRoundTrip(t *testing.T) {
	set := mustValidatorSet(t, secretValidator("a", 10), secretValidator("b", 20), secretValidator("c", 30))
	set.IncrementProposerPriority(2)
	pb, err := set.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	if pb.TotalVotingPower != 0 {
		t.Fatalf("total_voting_power written as %d, want 0", pb.TotalVotingPower)
	}
	bz, err := pb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var decoded tmproto.ValidatorSet
	if err := decoded.Unmarshal(bz); err != nil {
		t.Fatal(err)
	}
	back, err := ValidatorSetFromProto(&decoded)
	if err != nil {
		t.Fatal(err)
	}
	if !sameValidators(back, set) || back.TotalVotingPower() != 60 {
		t.Fatalf("round trip %v, want %v", back, set)
	}
	if !bytes.Equal(back.GetProposer().Address, set.GetProposer().Address) || !bytes.Equal(back.Hash(), set.Hash()) {
		t.Fatal("proposer or hash changed in the round trip")
	}
	for i, v := range back.Validators {
		if !v.PubKey.Equals(set.Validators[i].PubKey) {
			t.Fatalf("key %d changed", i)
		}
	}
	// The decoded set keeps working: the same next proposer as the original.
	if back.CopyIncrementProposerPriority(1).GetProposer().Address.String() != set.CopyIncrementProposerPriority(1).GetProposer().Address.String() {
		t.Fatal("decoded set selects a different next proposer")
	}

	empty, err := (&ValidatorSet{}).ToProto()
	if err != nil || len(empty.Validators) != 0 || empty.Proposer != nil {
		t.Fatalf("empty set to proto: %v, %v", empty, err)
	}
}

func TestValidatorSetFromProtoErrors(t *testing.T) {
	good := func() *tmproto.ValidatorSet {
		set := mustValidatorSet(t, secretValidator("a", 10), secretValidator("b", 20))
		pb, err := set.ToProto()
		if err != nil {
			t.Fatal(err)
		}
		return pb
	}
	outsider, err := secretValidator("z", 1).ToProto()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet
		want   string
	}{
		{"nil", func(*tmproto.ValidatorSet) *tmproto.ValidatorSet { return nil }, "nil validator set"},
		{"empty", func(*tmproto.ValidatorSet) *tmproto.ValidatorSet { return &tmproto.ValidatorSet{} }, "proposer"},
		{"no proposer", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet { pb.Proposer = nil; return pb }, "proposer: nil validator"},
		{"proposer outside", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet { pb.Proposer = outsider; return pb }, ErrProposerNotInVals.Error()},
		{"missing key", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet {
			pb.Validators[1].PubKey = pcrypto.PublicKey{}
			return pb
		}, "validator #1"},
		{"short key", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet {
			pb.Validators[0].PubKey = pcrypto.PublicKey{Sum: &pcrypto.PublicKey_Ed25519{Ed25519: []byte{1, 2}}}
			return pb
		}, "validator #0"},
		{"address mismatch", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet {
			pb.Validators[0].Address = pb.Validators[1].Address
			return pb
		}, "not derived from its public key"},
		{"duplicate", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet {
			pb.Validators[1] = pb.Validators[0]
			return pb
		}, "duplicate validator"},
		{"negative power", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet {
			pb.Validators[0].VotingPower = -1
			return pb
		}, "negative voting power"},
		{"total overflow", func(pb *tmproto.ValidatorSet) *tmproto.ValidatorSet {
			pb.Validators[0].VotingPower = math.MaxInt64
			pb.Validators[1].VotingPower = math.MaxInt64
			return pb
		}, ErrTotalVotingPowerOverflow.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidatorSetFromProto(tt.mutate(good()))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A forged total_voting_power is ignored.
	pb := good()
	pb.TotalVotingPower = 1
	set, err := ValidatorSetFromProto(pb)
	if err != nil || set.TotalVotingPower() != 30 {
		t.Fatalf("forged total: %v, %v", set, err)
	}
}

func TestValidatorToProtoErrors(t *testing.T) {
	var v *Validator
	if _, err := v.ToProto(); err == nil {
		t.Fatal("nil validator encoded")
	}
	if _, err := rawValidator("a", 1).ToProto(); err == nil {
		t.Fatal("validator without key encoded")
	}
	if rawValidator("a", 1).Bytes() != nil {
		t.Fatal("Bytes of a keyless validator")
	}
	if _, err := ValidatorFromProto(nil); err == nil {
		t.Fatal("nil proto decoded")
	}
	set := mustValidatorSet(t, rawValidator("a", 1))
	if _, err := set.ToProto(); err == nil {
		t.Fatal("set with keyless validator encoded")
	}
}

func FuzzValidatorSetFromProto(f *testing.F) {
	set := mustValidatorSet(f, secretValidator("a", 10), secretValidator("b", 20), secretValidator("c", 30))
	set.IncrementProposerPriority(5)
	pb, err := set.ToProto()
	if err != nil {
		f.Fatal(err)
	}
	bz, err := pb.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bz)
	f.Add([]byte{})
	f.Add(bz[:len(bz)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.ValidatorSet
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		set, err := ValidatorSetFromProto(&pb)
		if err != nil {
			return
		}
		// A decoded set is usable: hashing, proposer selection and re-encoding must not fail.
		_ = set.Hash()
		next := set.CopyIncrementProposerPriority(3)
		if next.GetProposer() == nil {
			t.Fatal("no proposer after increment")
		}
		out, err := set.ToProto()
		if err != nil {
			t.Fatalf("re-encoding a decoded set: %v", err)
		}
		back, err := ValidatorSetFromProto(out)
		if err != nil || !sameValidators(back, set) {
			t.Fatalf("re-decoding: %v", err)
		}
	})
}
