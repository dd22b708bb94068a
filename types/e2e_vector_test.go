package types

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
)

// genesisVector mirrors testdata/genesis_vector.json (types.md §7.4).
type genesisVector struct {
	ChainID            string `json:"chain_id"`
	GenesisTime        string `json:"genesis_time"`
	InitialHeight      int64  `json:"initial_height"`
	ValidatorKeySecret string `json:"validator_key_secret"`
	ValidatorPubKey    string `json:"validator_pub_key"`
	ValidatorAddress   string `json:"validator_address"`
	ValidatorPower     int64  `json:"validator_power"`
	ValidatorsHash     string `json:"validators_hash"`
	ConsensusHash      string `json:"consensus_hash"`
	EmptyHash          string `json:"empty_hash"`
	BlockHash          string `json:"block_hash"`
	BlockProto         string `json:"block_proto"`
	BlockProtoLen      int    `json:"block_proto_len"`
	PartSetTotal       uint32 `json:"part_set_total"`
	PartSetHash        string `json:"part_set_hash"`
	PrecommitTime      string `json:"precommit_time"`
	PrecommitSignBytes string `json:"precommit_sign_bytes"`
	PrecommitSignature string `json:"precommit_signature"`
	CommitHash         string `json:"commit_hash"`
	ProposalTime       string `json:"proposal_time"`
	ProposalPOLRound   int32  `json:"proposal_pol_round"`
	ProposalSignBytes  string `json:"proposal_sign_bytes"`
	ProposalSignature  string `json:"proposal_signature"`
}

func loadGenesisVector(t testing.TB) genesisVector {
	t.Helper()
	var v genesisVector
	loadJSON(t, "genesis_vector.json", &v)
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func parseTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// blockID returns the BlockID of the vector's height-1 block.
func (v genesisVector) blockID(t testing.TB) BlockID {
	return BlockID{
		Hash:          unhex(t, v.BlockHash),
		PartSetHeader: PartSetHeader{Total: v.PartSetTotal, Hash: unhex(t, v.PartSetHash)},
	}
}

func TestGenesisVectorKey(t *testing.T) {
	v := loadGenesisVector(t)
	key := testKey(v.ValidatorKeySecret)
	if got := hex.EncodeToString(key.PubKey().Bytes()); got != v.ValidatorPubKey {
		t.Fatalf("pub key %s, want %s", got, v.ValidatorPubKey)
	}
	if got := hex.EncodeToString(key.PubKey().Address()); got != v.ValidatorAddress {
		t.Fatalf("address %s, want %s", got, v.ValidatorAddress)
	}
}

// TestGenesisVectorPrecommitAndCommit checks the height-1 precommit's sign bytes and signature and
// the hash of the commit built from it (height 2's last_commit_hash).
func TestGenesisVectorPrecommitAndCommit(t *testing.T) {
	v := loadGenesisVector(t)
	key := testKey(v.ValidatorKeySecret)
	vote := &Vote{
		Type:             PrecommitType,
		Height:           1,
		Round:            0,
		BlockID:          v.blockID(t),
		Timestamp:        parseTime(t, v.PrecommitTime),
		ValidatorAddress: unhex(t, v.ValidatorAddress),
		ValidatorIndex:   0,
	}
	if got := hex.EncodeToString(vote.SignBytes(v.ChainID)); got != v.PrecommitSignBytes {
		t.Fatalf("precommit sign bytes\n got %s\nwant %s", got, v.PrecommitSignBytes)
	}
	sig, err := key.Sign(vote.SignBytes(v.ChainID))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sig); got != v.PrecommitSignature {
		t.Fatalf("precommit signature\n got %s\nwant %s", got, v.PrecommitSignature)
	}
	vote.Signature = unhex(t, v.PrecommitSignature)
	if err := vote.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if err := vote.Verify(v.ChainID, key.PubKey()); err != nil {
		t.Fatalf("vector signature does not verify: %v", err)
	}

	commit := &Commit{Height: 1, Round: 0, BlockID: v.blockID(t), Signatures: []CommitSig{vote.CommitSig()}}
	if err := commit.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(commit.Hash()); got != v.CommitHash {
		t.Fatalf("commit hash %s, want %s", got, v.CommitHash)
	}
	// The commit gives back the same vote and sign bytes (types.md §10).
	if got := commit.VoteSignBytes(v.ChainID, 0); !bytes.Equal(got, unhex(t, v.PrecommitSignBytes)) {
		t.Fatalf("commit vote sign bytes %x", got)
	}
	if err := commit.GetVote(0).Verify(v.ChainID, key.PubKey()); err != nil {
		t.Fatalf("vote from commit: %v", err)
	}
}

func TestGenesisVectorProposal(t *testing.T) {
	v := loadGenesisVector(t)
	key := testKey(v.ValidatorKeySecret)
	p := NewProposal(1, 0, v.ProposalPOLRound, v.blockID(t), parseTime(t, v.ProposalTime))
	if got := hex.EncodeToString(p.SignBytes(v.ChainID)); got != v.ProposalSignBytes {
		t.Fatalf("proposal sign bytes\n got %s\nwant %s", got, v.ProposalSignBytes)
	}
	sig, err := key.Sign(p.SignBytes(v.ChainID))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(sig); got != v.ProposalSignature {
		t.Fatalf("proposal signature\n got %s\nwant %s", got, v.ProposalSignature)
	}
	p.Signature = sig
	if err := p.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(v.ChainID, key.PubKey()); err != nil {
		t.Fatal(err)
	}
}
