package types

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

// exampleCommit returns a commit of height 7 signed by n validators: entry i is COMMIT, except
// that index 1 is NIL and index 2 ABSENT when n is large enough. Extensions are signed too.
func exampleExtendedCommit(t testing.TB, n int) (*ExtendedCommit, []ed25519.PrivKey) {
	blockID := completeBlockID("committed")
	ec := &ExtendedCommit{Height: 7, Round: 1, BlockID: blockID}
	keys := make([]ed25519.PrivKey, n)
	for i := range n {
		keys[i] = testKey(string(rune('a' + i)))
		if i == 2 {
			ec.ExtendedSignatures = append(ec.ExtendedSignatures, NewExtendedCommitSigAbsent())
			continue
		}
		vote := &Vote{
			Type: PrecommitType, Height: 7, Round: 1, BlockID: blockID,
			Timestamp:        testTime.Add(time.Duration(i) * time.Millisecond),
			ValidatorAddress: keys[i].PubKey().Address(), ValidatorIndex: int32(i),
			Extension: []byte{byte(i), 'x'},
		}
		if i == 1 {
			vote.BlockID, vote.Extension = BlockID{}, nil
		}
		ec.ExtendedSignatures = append(ec.ExtendedSignatures, signVote(t, keys[i], vote).ExtendedCommitSig())
	}
	return ec, keys
}

func TestCommitSigValidateBasic(t *testing.T) {
	addr := testKey("a").PubKey().Address()
	good := CommitSig{BlockIDFlag: BlockIDFlagCommit, ValidatorAddress: addr, Timestamp: testTime, Signature: []byte{1}}
	cases := []struct {
		name   string
		cs     CommitSig
		reason string
	}{
		{"commit", good, ""},
		{"nil", func() CommitSig { c := good; c.BlockIDFlag = BlockIDFlagNil; return c }(), ""},
		{"absent", NewCommitSigAbsent(), ""},
		{"unknown flag", func() CommitSig { c := good; c.BlockIDFlag = BlockIDFlagUnknown; return c }(), "unknown block ID flag"},
		{"flag out of range", func() CommitSig { c := good; c.BlockIDFlag = 4; return c }(), "unknown block ID flag"},
		{"absent with address", CommitSig{BlockIDFlag: BlockIDFlagAbsent, ValidatorAddress: addr}, "absent entry has a validator address"},
		{"absent with time", CommitSig{BlockIDFlag: BlockIDFlagAbsent, Timestamp: testTime}, "absent entry has a timestamp"},
		{"absent with signature", CommitSig{BlockIDFlag: BlockIDFlagAbsent, Signature: []byte{1}}, "absent entry has a signature"},
		{"short address", func() CommitSig { c := good; c.ValidatorAddress = addr[:10]; return c }(), "validator address has 10 bytes"},
		{"no signature", func() CommitSig { c := good; c.Signature = nil; return c }(), "signature is missing"},
		{"oversized signature", func() CommitSig { c := good; c.Signature = make([]byte, MaxSignatureSize+1); return c }(), "at most"},
	}
	for _, tc := range cases {
		err := tc.cs.ValidateBasic()
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%s: valid entry rejected: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidCommitSig) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.reason)
		}
	}
}

func TestExtendedCommitSigValidateBasicAndEnsure(t *testing.T) {
	ec, _ := exampleExtendedCommit(t, 3)
	commitEntry, nilEntry := ec.ExtendedSignatures[0], ec.ExtendedSignatures[1]
	cases := []struct {
		name   string
		ecs    ExtendedCommitSig
		reason string
	}{
		{"commit with extension", commitEntry, ""},
		{"nil without extension", nilEntry, ""},
		{"absent", NewExtendedCommitSigAbsent(), ""},
		{"commit sig rules apply", func() ExtendedCommitSig { e := commitEntry; e.Signature = nil; return e }(), "signature is missing"},
		{"extension on nil entry", func() ExtendedCommitSig { e := nilEntry; e.Extension = []byte{1}; return e }(), "carries a vote extension"},
		{"extension signature on absent entry", func() ExtendedCommitSig {
			e := NewExtendedCommitSigAbsent()
			e.ExtensionSignature = []byte{1}
			return e
		}(), "carries a vote extension"},
		{"oversized extension", func() ExtendedCommitSig {
			e := commitEntry
			e.Extension = make([]byte, MaxVoteExtensionSize+1)
			return e
		}(), "extension has"},
		{"oversized extension signature", func() ExtendedCommitSig {
			e := commitEntry
			e.ExtensionSignature = make([]byte, MaxSignatureSize+1)
			return e
		}(), "extension signature has"},
		{"extension without signature", func() ExtendedCommitSig { e := commitEntry; e.ExtensionSignature = nil; return e }(), "extension without extension signature"},
	}
	for _, tc := range cases {
		err := tc.ecs.ValidateBasic()
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%s: valid entry rejected: %v", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidCommitSig) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.reason)
		}
	}

	if err := commitEntry.EnsureExtension(true); err != nil {
		t.Errorf("enabled, signed extension: %v", err)
	}
	noSig := commitEntry
	noSig.Extension, noSig.ExtensionSignature = nil, nil
	if err := noSig.EnsureExtension(true); !errors.Is(err, ErrVoteExtensionAbsent) {
		t.Errorf("enabled, unsigned: %v", err)
	}
	if err := noSig.EnsureExtension(false); err != nil {
		t.Errorf("disabled, no extension: %v", err)
	}
	if err := commitEntry.EnsureExtension(false); !errors.Is(err, ErrInvalidCommitSig) {
		t.Errorf("disabled, extension present: %v", err)
	}
	if err := nilEntry.EnsureExtension(true); err != nil {
		t.Errorf("enabled, nil entry needs no extension: %v", err)
	}
}

func TestCommitValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Commit)
		reason string
	}{
		{"valid", func(*Commit) {}, ""},
		{"empty commit at height 0", func(c *Commit) { *c = Commit{} }, ""},
		{"negative height", func(c *Commit) { c.Height = -1 }, "negative height"},
		{"negative round", func(c *Commit) { c.Round = -1 }, "negative round"},
		{"nil block ID", func(c *Commit) { c.BlockID = BlockID{} }, "nil block"},
		{"bad block ID", func(c *Commit) { c.BlockID.Hash = []byte{1, 2} }, "block ID"},
		{"no signatures", func(c *Commit) { c.Signatures = nil }, "no signatures"},
		{"bad entry", func(c *Commit) { c.Signatures[1].Signature = nil }, "entry 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ec, _ := exampleExtendedCommit(t, 4)
			c := ec.ToCommit()
			tc.modify(c)
			err := c.ValidateBasic()
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("valid commit rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidCommit) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err %v, want %q", err, tc.reason)
			}
			// The extended form follows the same rules.
			ext := c.WrappedExtendedCommit()
			if err := ext.ValidateBasic(); !errors.Is(err, ErrInvalidCommit) {
				t.Fatalf("extended commit: err %v", err)
			}
		})
	}
}

func TestCommitVotes(t *testing.T) {
	ec, keys := exampleExtendedCommit(t, 4)
	c := ec.ToCommit()
	for i := range int32(4) {
		vote := c.GetVote(i)
		if vote.Type != PrecommitType || vote.Height != 7 || vote.Round != 1 || vote.ValidatorIndex != i {
			t.Fatalf("vote %d: %v", i, vote)
		}
		if i == 2 {
			continue // ABSENT: nothing to verify
		}
		if err := vote.Verify(testChainID, keys[i].PubKey()); err != nil {
			t.Fatalf("vote %d from commit: %v", i, err)
		}
		if !bytes.Equal(c.VoteSignBytes(testChainID, i), vote.SignBytes(testChainID)) {
			t.Fatalf("vote %d sign bytes", i)
		}
		extVote := ec.GetExtendedVote(i)
		if err := extVote.VerifyVoteAndExtension(testChainID, keys[i].PubKey()); err != nil {
			t.Fatalf("extended vote %d: %v", i, err)
		}
	}
	if !c.GetVote(1).BlockID.IsNil() {
		t.Fatal("NIL entry must give a nil vote")
	}
	if c.GetVote(4) != nil || c.GetVote(-1) != nil || c.VoteSignBytes(testChainID, 9) != nil || ec.GetExtendedVote(4) != nil {
		t.Fatal("out-of-range index must give nil")
	}
	if got := c.BitArray().String(); got != "xx_x" {
		t.Fatalf("bit array %s", got)
	}
	if got := ec.BitArray().String(); got != "xx_x" {
		t.Fatalf("extended bit array %s", got)
	}
	if err := ec.EnsureExtensions(true); err != nil {
		t.Fatal(err)
	}
	if err := ec.EnsureExtensions(false); !errors.Is(err, ErrInvalidCommitSig) {
		t.Fatalf("extensions present while disabled: %v", err)
	}
	if err := c.WrappedExtendedCommit().EnsureExtensions(false); err != nil {
		t.Fatal(err)
	}
}

func TestCommitHash(t *testing.T) {
	if got := (&Commit{}).Hash(); !bytes.Equal(got, unhex(t, emptyHashHex)) {
		t.Fatalf("empty commit hash %x", got)
	}
	ec, _ := exampleExtendedCommit(t, 3)
	c := ec.ToCommit()
	h := c.Hash()
	c2 := c.Clone()
	c2.Signatures[0].Timestamp = c2.Signatures[0].Timestamp.Add(time.Millisecond)
	if bytes.Equal(h, c2.Hash()) || !bytes.Equal(h, c.Hash()) {
		t.Fatal("hash must cover entry timestamps, and Clone must be deep")
	}
	// Extensions are not part of the commit hash.
	if !bytes.Equal(h, ec.ToCommit().Hash()) {
		t.Fatal("hash changed")
	}
}

func TestEmptyCommitEncoding(t *testing.T) {
	wire, err := (&Commit{}).ToProto().Marshal()
	if err != nil || string(wire) != "\x1a\x02\x12\x00" {
		t.Fatalf("empty commit encodes as %x, want 1a021200", wire)
	}
}

func TestCommitProtoRoundTrip(t *testing.T) {
	ec, _ := exampleExtendedCommit(t, 4)
	c := ec.ToCommit()
	wire, _ := c.ToProto().Marshal()
	var pb tmproto.Commit
	if err := pb.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := CommitFromProto(&pb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Hash(), c.Hash()) || !back.BlockID.Equals(c.BlockID) || back.Height != 7 || back.Round != 1 {
		t.Fatalf("round trip changed the commit: %v", back)
	}
	// The ABSENT entry's zero time survives the trip as a zero time.
	if !back.Signatures[2].Timestamp.IsZero() || back.Signatures[2].ValidateBasic() != nil {
		t.Fatalf("absent entry after round trip: %v", back.Signatures[2])
	}

	ewire, _ := ec.ToProto().Marshal()
	var epb tmproto.ExtendedCommit
	if err := epb.Unmarshal(ewire); err != nil {
		t.Fatal(err)
	}
	eback, err := ExtendedCommitFromProto(&epb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(eback.ExtendedSignatures[0].Extension, ec.ExtendedSignatures[0].Extension) ||
		!bytes.Equal(eback.ToCommit().Hash(), c.Hash()) {
		t.Fatal("extended round trip changed the commit")
	}

	if _, err := CommitFromProto(nil); !errors.Is(err, ErrInvalidCommit) {
		t.Fatal("nil commit accepted")
	}
	if _, err := ExtendedCommitFromProto(nil); !errors.Is(err, ErrInvalidCommit) {
		t.Fatal("nil extended commit accepted")
	}
	pb.Signatures[0].BlockIdFlag = BlockIDFlagUnknown
	if _, err := CommitFromProto(&pb); !errors.Is(err, ErrInvalidCommit) {
		t.Fatal("invalid entry accepted")
	}
	if _, err := CommitSigFromProto(pb.Signatures[0]); !errors.Is(err, ErrInvalidCommitSig) {
		t.Fatal("invalid entry accepted by CommitSigFromProto")
	}
	if _, err := ExtendedCommitSigFromProto(epb.ExtendedSignatures[0]); err != nil {
		t.Fatalf("valid extended entry rejected: %v", err)
	}
}

func FuzzCommitFromProto(f *testing.F) {
	ec, _ := exampleExtendedCommit(f, 3)
	wire, _ := ec.ToCommit().ToProto().Marshal()
	f.Add(wire)
	empty, _ := (&Commit{}).ToProto().Marshal()
	f.Add(empty)
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.Commit
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		c, err := CommitFromProto(&pb)
		if err != nil {
			return
		}
		_ = c.Hash()
		_ = c.BitArray()
		for i := range int32(c.Size()) {
			_ = c.VoteSignBytes(testChainID, i)
		}
		if _, err := CommitFromProto(c.ToProto()); err != nil {
			t.Fatalf("re-decoding a valid commit failed: %v", err)
		}
	})
}

func FuzzExtendedCommitFromProto(f *testing.F) {
	ec, _ := exampleExtendedCommit(f, 3)
	wire, _ := ec.ToProto().Marshal()
	f.Add(wire)
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.ExtendedCommit
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		ec, err := ExtendedCommitFromProto(&pb)
		if err != nil {
			return
		}
		_ = ec.EnsureExtensions(true)
		if err := ec.ToCommit().ValidateBasic(); err != nil {
			t.Fatalf("plain commit of a valid extended commit is invalid: %v", err)
		}
	})
}
