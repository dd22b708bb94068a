package types

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
)

// genesisBlock builds the vector's height-1 block the way the state does: MakeBlock, then
// Populate with the genesis state's values.
func genesisBlock(t testing.TB, v genesisVector) *Block {
	t.Helper()
	b := MakeBlock(v.InitialHeight, nil, &Commit{}, nil)
	b.Populate(
		tmversion.Consensus{Block: BlockProtocol, App: 0}, v.ChainID,
		parseTime(t, v.GenesisTime), BlockID{},
		unhex(t, v.ValidatorsHash), unhex(t, v.ValidatorsHash),
		unhex(t, v.ConsensusHash), nil, unhex(t, v.EmptyHash),
		unhex(t, v.ValidatorAddress),
	)
	return b
}

func TestGenesisVectorBlock(t *testing.T) {
	v := loadGenesisVector(t)
	b := genesisBlock(t, v)
	if err := b.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{
		"last commit hash": b.LastCommitHash, "data hash": b.DataHash, "evidence hash": b.EvidenceHash,
	} {
		if hex.EncodeToString(got) != v.EmptyHash {
			t.Errorf("%s %x, want %s", name, got, v.EmptyHash)
		}
	}
	pb, err := b.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	wire, err := pb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(wire) != v.BlockProtoLen || hex.EncodeToString(wire) != v.BlockProto {
		t.Fatalf("block proto (%d bytes)\n got %x\nwant %s", len(wire), wire, v.BlockProto)
	}
	if b.Size() != v.BlockProtoLen {
		t.Fatalf("Size %d", b.Size())
	}
	if got := hex.EncodeToString(b.Hash()); got != v.BlockHash {
		t.Fatalf("block hash %s, want %s", got, v.BlockHash)
	}
	if !b.HashesTo(unhex(t, v.BlockHash)) || b.HashesTo(nil) {
		t.Fatal("HashesTo")
	}
	ps, err := b.MakePartSet(BlockPartSizeBytes)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Total() != v.PartSetTotal || hex.EncodeToString(ps.Hash()) != v.PartSetHash {
		t.Fatalf("part set %d parts, hash %x; want %d, %s", ps.Total(), ps.Hash(), v.PartSetTotal, v.PartSetHash)
	}

	// Decoding the vector bytes gives the same block.
	var decoded tmproto.Block
	if err := decoded.Unmarshal(unhex(t, v.BlockProto)); err != nil {
		t.Fatal(err)
	}
	back, err := BlockFromProto(&decoded)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(back.Hash()) != v.BlockHash {
		t.Fatalf("decoded block hash %x", back.Hash())
	}

	meta := NewBlockMeta(b, ps)
	if err := meta.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if meta.BlockSize != v.BlockProtoLen || meta.NumTxs != 0 || hex.EncodeToString(meta.BlockID.Hash) != v.BlockHash {
		t.Fatalf("block meta %+v", meta)
	}
	metaBack, err := BlockMetaFromProto(meta.ToProto())
	if err != nil || !metaBack.BlockID.Equals(meta.BlockID) {
		t.Fatalf("block meta round trip: %v", err)
	}
}

// TestGenesisVectorHashesFromState checks that the validators and consensus hashes the vector
// uses are the ones ValidatorSet.Hash and ConsensusParams.Hash compute.
func TestGenesisVectorHashesFromState(t *testing.T) {
	v := loadGenesisVector(t)
	pub, err := ed25519.PubKeyFromBytes(unhex(t, v.ValidatorPubKey))
	if err != nil {
		t.Fatal(err)
	}
	vals, err := NewValidatorSet([]*Validator{NewValidator(pub, v.ValidatorPower)})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(vals.Hash()); got != v.ValidatorsHash {
		t.Errorf("validators hash %s, want %s", got, v.ValidatorsHash)
	}
	if got := hex.EncodeToString(DefaultConsensusParams().Hash()); got != v.ConsensusHash {
		t.Errorf("consensus hash %s, want %s", got, v.ConsensusHash)
	}
}

// exampleBlock returns a valid height-8 block with transactions, a last commit and duplicate
// vote evidence.
func exampleBlock(t testing.TB) *Block {
	t.Helper()
	ec, _ := exampleExtendedCommit(t, 4)
	b := MakeBlock(8, makeTxs(5), ec.ToCommit(), EvidenceList{exampleDuplicateVoteEvidence(t)})
	b.Populate(tmversion.Consensus{Block: BlockProtocol, App: 1}, testChainID, testTime.Add(time.Second),
		BlockID{Hash: sha("prev"), PartSetHeader: PartSetHeader{Total: 1, Hash: sha("prev parts")}},
		sha("vals"), sha("next vals"), sha("params"), []byte("app"), sha("results"),
		testKey("a").PubKey().Address())
	return b
}

func TestBlockValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Block)
		reason string
	}{
		{"valid", func(*Block) {}, ""},
		{"invalid header", func(b *Block) { b.Height = 0 }, "non-positive height"},
		{"missing last commit", func(b *Block) { b.LastCommit = nil }, "missing last commit"},
		{"invalid last commit", func(b *Block) { b.LastCommit.Round = -1 }, "last commit"},
		{"wrong last commit hash", func(b *Block) { b.LastCommitHash = sha("x") }, "last commit hash"},
		{"wrong data hash", func(b *Block) { b.Txs = b.Txs[1:] }, "data hash"},
		{"invalid evidence", func(b *Block) {
			b.Evidence.Evidence[0].(*DuplicateVoteEvidence).VoteB = nil
		}, "evidence 0"},
		{"wrong evidence hash", func(b *Block) { b.Evidence.Evidence = nil }, "evidence hash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := exampleBlock(t)
			tc.modify(b)
			err := b.ValidateBasic()
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("valid block rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidBlock) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err %v, want %q", err, tc.reason)
			}
		})
	}
	var nilBlock *Block
	if err := nilBlock.ValidateBasic(); !errors.Is(err, ErrInvalidBlock) {
		t.Fatal("nil block accepted")
	}
}

func TestBlockProtoRoundTrip(t *testing.T) {
	b := exampleBlock(t)
	pb, err := b.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := pb.Marshal()
	var decoded tmproto.Block
	if err := decoded.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := BlockFromProto(&decoded)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Hash(), b.Hash()) || len(back.Txs) != 5 || len(back.Evidence.Evidence) != 1 ||
		!bytes.Equal(back.Evidence.Evidence[0].Hash(), b.Evidence.Evidence[0].Hash()) {
		t.Fatal("round trip changed the block")
	}
	if back.Size() != len(wire) {
		t.Fatalf("Size %d, encoding %d", back.Size(), len(wire))
	}
	// A block whose part set is reassembled decodes to the same block.
	ps, err := b.MakePartSet(1000)
	if err != nil {
		t.Fatal(err)
	}
	all, err := ps.Bytes()
	if err != nil || !bytes.Equal(all, wire) {
		t.Fatal("part set bytes differ from the encoding")
	}
	decoded.LastCommit = nil
	if _, err := BlockFromProto(&decoded); !errors.Is(err, ErrInvalidBlock) {
		t.Fatal("block without last commit accepted")
	}
	if _, err := BlockFromProto(nil); !errors.Is(err, ErrInvalidBlock) {
		t.Fatal("nil accepted")
	}
}

func TestBlockMetaValidateBasic(t *testing.T) {
	b := exampleBlock(t)
	ps, err := b.MakePartSet(BlockPartSizeBytes)
	if err != nil {
		t.Fatal(err)
	}
	meta := NewBlockMeta(b, ps)
	if err := meta.ValidateBasic(); err != nil {
		t.Fatal(err)
	}
	if meta.NumTxs != 5 || meta.BlockSize != b.Size() {
		t.Fatalf("meta %+v", meta)
	}
	bad := *meta
	bad.BlockID.Hash = sha("other")
	if err := bad.ValidateBasic(); !errors.Is(err, ErrInvalidBlockMeta) {
		t.Fatalf("mismatched hash: %v", err)
	}
	bad = *meta
	bad.BlockID.Hash = []byte{1}
	if err := bad.ValidateBasic(); !errors.Is(err, ErrInvalidBlockMeta) {
		t.Fatalf("bad block ID: %v", err)
	}
}

func TestMaxDataBytes(t *testing.T) {
	if MaxCommitSigBytes != 3355 || MaxCommitBytes(1) != 94+3358 || MaxBlockPartsCount != 1601 {
		t.Fatalf("constants: sig %d, commit(1) %d, parts %d", MaxCommitSigBytes, MaxCommitBytes(1), MaxBlockPartsCount)
	}
	got, err := MaxDataBytes(22020096, 1000, 4)
	if want := int64(22020096 - 11 - 626 - MaxCommitBytes(4) - 1000); err != nil || got != want {
		t.Fatalf("MaxDataBytes %d, %v; want %d", got, err, want)
	}
	if got, err := MaxDataBytesNoEvidence(-1, 1); err != nil || got != MaxBlockSizeBytes-11-626-MaxCommitBytes(1) {
		t.Fatalf("max bytes -1: %d, %v", got, err)
	}
	if _, err := MaxDataBytes(1000, 0, 10); !errors.Is(err, ErrBlockTooSmall) {
		t.Fatalf("tiny block: %v", err)
	}
}

func FuzzBlockFromProto(f *testing.F) {
	v := loadGenesisVector(f)
	f.Add(unhex(f, v.BlockProto))
	pb, err := exampleBlock(f).ToProto()
	if err != nil {
		f.Fatal(err)
	}
	wire, _ := pb.Marshal()
	f.Add(wire)
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmproto.Block
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		b, err := BlockFromProto(&pb)
		if err != nil {
			return
		}
		if err := b.ValidateBasic(); err != nil {
			t.Fatalf("decoded block fails ValidateBasic: %v", err)
		}
		_ = b.Hash()
		if _, err := b.MakePartSet(BlockPartSizeBytes); err != nil {
			t.Fatalf("decoded block cannot be split: %v", err)
		}
	})
}
