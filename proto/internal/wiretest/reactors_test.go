package wiretest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/proto/tendermint/blocksync"
	"github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/proto/tendermint/mempool"
	"github.com/ballot-bft/ballot/proto/tendermint/statesync"
	"github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Consensus channel vectors (p2p.md §7.1), wrapped in consensus.Message.
func TestConsensusMessageVectors(t *testing.T) {
	t.Run("NewRoundStep", func(t *testing.T) {
		m := roundTrip[consensus.Message](t, unhex(t, "0a080805100118032002"))
		want := consensus.NewRoundStep{Height: 5, Round: 1, Step: 3, SecondsSinceStartTime: 2, LastCommitRound: 0}
		if got := m.GetNewRoundStep(); got == nil || *got != want {
			t.Fatalf("new_round_step = %+v, want %+v", got, want)
		}
	})
	t.Run("HasVote", func(t *testing.T) {
		m := roundTrip[consensus.Message](t, unhex(t, "3a080805100118012002"))
		want := consensus.HasVote{Height: 5, Round: 1, Type: types.PrevoteType, Index: 2}
		if got := m.GetHasVote(); got == nil || *got != want {
			t.Fatalf("has_vote = %+v, want %+v", got, want)
		}
	})
}

// Non-nullable fields of consensus messages are emitted even when empty, and
// last_commit_round -1 takes a 10-byte varint.
func TestConsensusMessageNonNullable(t *testing.T) {
	tests := []struct {
		name string
		msg  consensus.Message
		want string
	}{
		{"NewRoundStep at initial height",
			consensus.Message{Sum: &consensus.Message_NewRoundStep{NewRoundStep: &consensus.NewRoundStep{Height: 1, Step: 1, LastCommitRound: -1}}},
			"0a 0f 08 01 18 01 28 ff ff ff ff ff ff ff ff ff 01"},
		{"ProposalPOL with empty bits",
			consensus.Message{Sum: &consensus.Message_ProposalPol{ProposalPol: &consensus.ProposalPOL{Height: 2}}},
			"22 04 08 02 1a 00"},
		{"VoteSetMaj23 for nil",
			consensus.Message{Sum: &consensus.Message_VoteSetMaj23{VoteSetMaj23: &consensus.VoteSetMaj23{Height: 2, Type: types.PrecommitType}}},
			"42 08 08 02 18 02 22 02 12 00"},
		{"VoteSetBits empty",
			consensus.Message{Sum: &consensus.Message_VoteSetBits{VoteSetBits: &consensus.VoteSetBits{Height: 2, Round: 1, Type: types.PrevoteType}}},
			"4a 0c 08 02 10 01 18 01 22 02 12 00 2a 00"},
		{"NewValidBlock without bits",
			consensus.Message{Sum: &consensus.Message_NewValidBlock{NewValidBlock: &consensus.NewValidBlock{Height: 2, IsCommit: true}}},
			"12 06 08 02 1a 00 28 01"},
		{"BlockPart with empty part",
			consensus.Message{Sum: &consensus.Message_BlockPart{BlockPart: &consensus.BlockPart{Height: 2}}},
			"2a 06 08 02 1a 02 1a 00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.want)
			if got := encode(t, &tc.msg); !bytes.Equal(got, want) {
				t.Fatalf("encoding\n got %x\nwant %x", got, want)
			}
			roundTrip[consensus.Message](t, want)
		})
	}
}

// Blocksync vectors (p2p.md §8).
func TestBlocksyncMessageVectors(t *testing.T) {
	if m := roundTrip[blocksync.Message](t, unhex(t, "0a020807")); m.GetBlockRequest().GetHeight() != 7 {
		t.Fatalf("block_request = %+v", m.Sum)
	}
	if m := roundTrip[blocksync.Message](t, unhex(t, "2200")); m.GetStatusRequest() == nil {
		t.Fatalf("want status_request, got %T", m.Sum)
	}
	m := roundTrip[blocksync.Message](t, unhex(t, "2a04080a1001"))
	if s := m.GetStatusResponse(); s == nil || s.Height != 10 || s.Base != 1 {
		t.Fatalf("status_response = %+v", s)
	}
}

// genesisBlockHex is the 303-byte height-1 block of types.md §7.
const genesisBlockHex = "0aa2020a02080b120a746573742d636861696e18012206088081c8ac062a0212003220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8553a20e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85542202b07705070e01ca77252b8eb9f0cde7b00d809317c452fb54b32afb4c51e99574a202b07705070e01ca77252b8eb9f0cde7b00d809317c452fb54b32afb4c51e99575220048091bc7ddc283f77bfbf91d73c44da58c3df8a9cbc867405d8b7f3daada22f6220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8556a20e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85572142c4e4d1de6fbfc05d950fc7e6461be3007dd16e412001a0022041a021200"

// A BlockResponse carrying a real block; without vote extensions ext_commit
// is absent.
func TestBlocksyncBlockResponse(t *testing.T) {
	block := unhex(t, genesisBlockHex)
	if len(block) != 303 {
		t.Fatalf("block vector has %d bytes, want 303", len(block))
	}
	// 1a = field 3; 0a = block. 303 = af 02, 306 = b2 02.
	b := append(unhex(t, "1a b2 02 0a af 02"), block...)
	m := roundTrip[blocksync.Message](t, b)
	br := m.GetBlockResponse()
	if br == nil || br.Block == nil || br.ExtCommit != nil {
		t.Fatalf("block_response = %+v", br)
	}
	h := br.Block.Header
	if h.ChainID != "test-chain" || h.Height != 1 || h.Version.Block != 11 {
		t.Fatalf("header = %+v", h)
	}
	withExt := blocksync.Message{Sum: &blocksync.Message_BlockResponse{BlockResponse: &blocksync.BlockResponse{
		Block:     br.Block,
		ExtCommit: &types.ExtendedCommit{Height: 1},
	}}}
	got := roundTrip[blocksync.Message](t, encode(t, &withExt))
	if ec := got.GetBlockResponse().GetExtCommit(); ec == nil || ec.Height != 1 {
		t.Fatalf("ext_commit = %+v", ec)
	}
}

// Mempool vector (p2p.md §9): one tx "ab".
func TestMempoolMessageVector(t *testing.T) {
	m := roundTrip[mempool.Message](t, unhex(t, "0a040a026162"))
	txs := m.GetTxs().GetTxs()
	if len(txs) != 1 || string(txs[0]) != "ab" {
		t.Fatalf("txs = %q", txs)
	}
}

// State-sync messages (p2p.md §12); the sheet has no byte vectors, so these
// are derived by hand from its field table.
func TestStatesyncMessages(t *testing.T) {
	if m := roundTrip[statesync.Message](t, unhex(t, "0a00")); m.GetSnapshotsRequest() == nil {
		t.Fatalf("want snapshots_request, got %T", m.Sum)
	}
	m := roundTrip[statesync.Message](t, unhex(t, "12 0e 08 64 10 01 18 03 22 02 aa bb 2a 02 6d 64"))
	want := statesync.SnapshotsResponse{Height: 100, Format: 1, Chunks: 3, Hash: []byte{0xaa, 0xbb}, Metadata: []byte("md")}
	if got := m.GetSnapshotsResponse(); got == nil || got.Height != want.Height || got.Format != want.Format ||
		got.Chunks != want.Chunks || !bytes.Equal(got.Hash, want.Hash) || !bytes.Equal(got.Metadata, want.Metadata) {
		t.Fatalf("snapshots_response = %+v", got)
	}
	if m := roundTrip[statesync.Message](t, unhex(t, "1a 06 08 64 10 01 18 02")); m.GetChunkRequest().GetIndex() != 2 {
		t.Fatalf("chunk_request = %+v", m.Sum)
	}
	m = roundTrip[statesync.Message](t, unhex(t, "22 08 08 64 10 01 18 02 28 01"))
	if cr := m.GetChunkResponse(); cr == nil || !cr.Missing || cr.Index != 2 || len(cr.Chunk) != 0 {
		t.Fatalf("chunk_response = %+v", cr)
	}
	chunk := statesync.Message{Sum: &statesync.Message_ChunkResponse{ChunkResponse: &statesync.ChunkResponse{
		Height: 100, Format: 1, Index: 2, Chunk: []byte(strings.Repeat("x", 3)),
	}}}
	if got, want := encode(t, &chunk), unhex(t, "22 0b 08 64 10 01 18 02 22 03 78 78 78"); !bytes.Equal(got, want) {
		t.Fatalf("chunk_response encoding\n got %x\nwant %x", got, want)
	}
}
