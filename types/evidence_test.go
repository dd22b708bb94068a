package types

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// conflictingVotes returns two prevotes of testKey("a") at height 10 round 0 for different blocks.
func conflictingVotes(t testing.TB) (*Vote, *Vote) {
	key := testKey("a")
	mk := func(block string) *Vote {
		return signVote(t, key, &Vote{
			Type: PrevoteType, Height: 10, Round: 0, BlockID: completeBlockID(block),
			Timestamp: testTime, ValidatorAddress: key.PubKey().Address(), ValidatorIndex: 0,
		})
	}
	return mk("block one"), mk("block two")
}

// testValidatorSet returns a set of the keys testKey(secrets[i]) with power 10 each.
func testValidatorSet(t testing.TB, secrets ...string) *ValidatorSet {
	t.Helper()
	vals := make([]*Validator, len(secrets))
	for i, s := range secrets {
		vals[i] = NewValidator(testKey(s).PubKey(), 10)
	}
	set, err := NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func exampleDuplicateVoteEvidence(t testing.TB) *DuplicateVoteEvidence {
	t.Helper()
	v1, v2 := conflictingVotes(t)
	ev, err := NewDuplicateVoteEvidence(v1, v2, testTime, testValidatorSet(t, "a", "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestNewDuplicateVoteEvidence(t *testing.T) {
	v1, v2 := conflictingVotes(t)
	vals := testValidatorSet(t, "a", "b", "c")
	ab, err := NewDuplicateVoteEvidence(v1, v2, testTime, vals)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := NewDuplicateVoteEvidence(v2, v1, testTime, vals)
	if err != nil {
		t.Fatal(err)
	}
	if ab.VoteA != ba.VoteA || ab.VoteA.BlockID.Key() >= ab.VoteB.BlockID.Key() {
		t.Fatal("votes not ordered by BlockID.Key whatever the argument order")
	}
	if ab.ValidatorPower != 10 || ab.TotalVotingPower != 30 || !ab.Timestamp.Equal(testTime) || ab.Height() != 10 {
		t.Fatalf("evidence %v", ab)
	}
	if err := ab.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewDuplicateVoteEvidence(v1, v2, testTime, testValidatorSet(t, "b")); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatalf("validator outside the set: %v", err)
	}
	if _, err := NewDuplicateVoteEvidence(v1, nil, testTime, vals); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatalf("nil vote: %v", err)
	}
}

func TestDuplicateVoteEvidenceValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*DuplicateVoteEvidence)
		reason string
	}{
		{"valid", func(*DuplicateVoteEvidence) {}, ""},
		{"missing vote A", func(e *DuplicateVoteEvidence) { e.VoteA = nil }, "misses a vote"},
		{"missing vote B", func(e *DuplicateVoteEvidence) { e.VoteB = nil }, "misses a vote"},
		{"invalid vote A", func(e *DuplicateVoteEvidence) { e.VoteA.Height = 0 }, "vote A"},
		{"invalid vote B", func(e *DuplicateVoteEvidence) { e.VoteB.Signature = nil }, "vote B"},
		{"votes out of order", func(e *DuplicateVoteEvidence) { e.VoteA, e.VoteB = e.VoteB, e.VoteA }, "not in block ID order"},
		{"same block", func(e *DuplicateVoteEvidence) { e.VoteB = e.VoteA }, "not in block ID order"},
	}
	for _, tc := range cases {
		ev := exampleDuplicateVoteEvidence(t)
		tc.modify(ev)
		err := ev.ValidateBasic()
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%s: valid evidence rejected: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidEvidence) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.reason)
		}
	}
}

func TestDuplicateVoteEvidenceHashAndBytes(t *testing.T) {
	ev := exampleDuplicateVoteEvidence(t)
	pb, err := ev.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := pb.Marshal()
	if !bytes.Equal(ev.Bytes(), wire) {
		t.Fatal("Bytes is not the proto encoding of the concrete message")
	}
	sum := sha256.Sum256(wire)
	if !bytes.Equal(ev.Hash(), sum[:]) {
		t.Fatal("Hash is not SHA-256(proto)")
	}
	// The evidence hash of a list is the Merkle root over the concrete encodings.
	list := EvidenceList{ev}
	leaf := sha256.Sum256(append([]byte{0}, wire...))
	if !bytes.Equal(list.Hash(), leaf[:]) {
		t.Fatal("evidence list hash")
	}
	if !bytes.Equal(EvidenceList(nil).Hash(), unhex(t, emptyHashHex)) {
		t.Fatal("empty evidence list hash")
	}
	if !list.Has(exampleDuplicateVoteEvidence(t)) || (EvidenceList{}).Has(ev) {
		t.Fatal("Has")
	}
}

func TestEvidenceProtoRoundTrip(t *testing.T) {
	list := EvidenceList{exampleDuplicateVoteEvidence(t)}
	pb, err := list.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := pb.Marshal()
	var decoded tmproto.EvidenceList
	if err := decoded.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := EvidenceListFromProto(&decoded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Hash(), list.Hash()) {
		t.Fatal("round trip changed the evidence")
	}
	if _, err := EvidenceFromProto(&tmproto.Evidence{}); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatalf("empty oneof: %v", err)
	}
	if _, err := EvidenceFromProto(nil); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatal("nil accepted")
	}
	if _, err := EvidenceToProto(nil); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatal("nil evidence encoded")
	}
	bad := decoded.Evidence[0].GetDuplicateVoteEvidence()
	bad.VoteA, bad.VoteB = bad.VoteB, bad.VoteA
	if _, err := EvidenceListFromProto(&decoded); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatalf("misordered votes accepted: %v", err)
	}
}

// lightClientAttack returns a valid attack: a conflicting height-12 light block signed by one
// validator, common height 10.
func lightClientAttack(t testing.TB) *LightClientAttackEvidence {
	t.Helper()
	key := testKey("a")
	vals := testValidatorSet(t, "a")
	header := Header{
		Version: exampleBlock(t).Version, ChainID: testChainID, Height: 12, Time: testTime,
		ValidatorsHash: vals.Hash(), NextValidatorsHash: vals.Hash(), ProposerAddress: key.PubKey().Address(),
	}
	blockID := BlockID{Hash: header.Hash(), PartSetHeader: PartSetHeader{Total: 1, Hash: sha("parts")}}
	vote := signVote(t, key, &Vote{Type: PrecommitType, Height: 12, BlockID: blockID, Timestamp: testTime,
		ValidatorAddress: key.PubKey().Address()})
	vote.ExtensionSignature = nil
	commit := &Commit{Height: 12, BlockID: blockID, Signatures: []CommitSig{vote.CommitSig()}}
	return &LightClientAttackEvidence{
		ConflictingBlock:    &LightBlock{SignedHeader: &SignedHeader{Header: &header, Commit: commit}, ValidatorSet: vals},
		CommonHeight:        10,
		ByzantineValidators: vals.Validators,
		TotalVotingPower:    10,
		Timestamp:           testTime,
	}
}

func TestLightClientAttackEvidenceHash(t *testing.T) {
	ev := lightClientAttack(t)
	// types.md §5: 32-byte buffer with the first 31 bytes of the block hash, then the zig-zag
	// varint of the common height (10 → 0x14).
	buf := make([]byte, 33)
	copy(buf, ev.ConflictingBlock.Hash()[:31])
	buf[32] = 0x14
	want := sha256.Sum256(buf)
	if !bytes.Equal(ev.Hash(), want[:]) {
		t.Fatalf("hash %x, want %x", ev.Hash(), want)
	}
	ev.CommonHeight = 300
	buf = binary.AppendVarint(buf[:32], 300)
	if want := sha256.Sum256(buf); !bytes.Equal(ev.Hash(), want[:]) || len(buf) != 34 {
		t.Fatal("two-byte varint")
	}
	// Only the conflicting block and the common height are covered.
	before := ev.Hash()
	ev.TotalVotingPower = 99
	if !bytes.Equal(before, ev.Hash()) {
		t.Fatal("hash covers the total voting power")
	}
}

func TestLightClientAttackEvidenceValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*LightClientAttackEvidence)
		reason string
	}{
		{"valid", func(*LightClientAttackEvidence) {}, ""},
		{"common height equals block height", func(e *LightClientAttackEvidence) { e.CommonHeight = 12 }, ""},
		{"missing conflicting block", func(e *LightClientAttackEvidence) { e.ConflictingBlock = nil }, "conflicting block is missing"},
		{"missing header", func(e *LightClientAttackEvidence) { e.ConflictingBlock.Header = nil }, "misses its header"},
		{"zero total power", func(e *LightClientAttackEvidence) { e.TotalVotingPower = 0 }, "non-positive total voting power"},
		{"zero common height", func(e *LightClientAttackEvidence) { e.CommonHeight = 0 }, "non-positive common height"},
		{"common height above block", func(e *LightClientAttackEvidence) { e.CommonHeight = 13 }, "above the conflicting block's height"},
		{"commit for another block", func(e *LightClientAttackEvidence) {
			e.ConflictingBlock.Commit.BlockID.Hash = sha("other")
		}, "commit signs block"},
		{"validator set does not match header", func(e *LightClientAttackEvidence) {
			e.ConflictingBlock.ValidatorSet = testValidatorSet(t, "b")
		}, "validators hash"},
		{"missing validator set", func(e *LightClientAttackEvidence) { e.ConflictingBlock.ValidatorSet = nil }, "validator set"},
	}
	for _, tc := range cases {
		ev := lightClientAttack(t)
		tc.modify(ev)
		err := ev.ValidateBasic()
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%s: valid evidence rejected: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidEvidence) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.reason)
		}
	}
}

func TestLightClientAttackEvidenceProtoRoundTrip(t *testing.T) {
	ev := lightClientAttack(t)
	pb, err := EvidenceToProto(ev)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := pb.Marshal()
	var decoded tmproto.Evidence
	if err := decoded.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := EvidenceFromProto(&decoded)
	if err != nil {
		t.Fatal(err)
	}
	lca, ok := back.(*LightClientAttackEvidence)
	if !ok {
		t.Fatalf("decoded %T", back)
	}
	if !bytes.Equal(lca.Hash(), ev.Hash()) || !bytes.Equal(lca.Bytes(), ev.Bytes()) || len(lca.ByzantineValidators) != 1 ||
		lca.Height() != 10 {
		t.Fatal("round trip changed the evidence")
	}
	inner := decoded.GetLightClientAttackEvidence()
	inner.CommonHeight = 13
	if _, err := EvidenceFromProto(&decoded); !errors.Is(err, ErrInvalidEvidence) {
		t.Fatal("invalid evidence accepted")
	}
}

func FuzzEvidenceFromProto(f *testing.F) {
	for _, ev := range []Evidence{exampleDuplicateVoteEvidence(f), lightClientAttack(f)} {
		pb, err := EvidenceToProto(ev)
		if err != nil {
			f.Fatal(err)
		}
		wire, _ := pb.Marshal()
		f.Add(wire)
	}
	f.Add([]byte{0x0a, 0x00})
	f.Add([]byte{0x12, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.Evidence
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		ev, err := EvidenceFromProto(&pb)
		if err != nil {
			return
		}
		_ = ev.Hash()
		_ = ev.String()
		if _, err := EvidenceToProto(ev); err != nil {
			t.Fatalf("valid evidence cannot be encoded: %v", err)
		}
	})
}
