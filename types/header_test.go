package types

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	gogotypes "github.com/cosmos/gogoproto/types"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	tmversion "github.com/ballot-bft/ballot/proto/tendermint/version"
)

type headerHashVector struct {
	Header struct {
		VersionBlock        uint64 `json:"version_block"`
		VersionApp          uint64 `json:"version_app"`
		ChainID             string `json:"chain_id"`
		Height              int64  `json:"height"`
		Time                string `json:"time"`
		LastBlockIDHash     string `json:"last_block_id_hash"`
		LastBlockIDPSHTotal uint32 `json:"last_block_id_psh_total"`
		LastBlockIDPSHHash  string `json:"last_block_id_psh_hash"`
		LastCommitHash      string `json:"last_commit_hash"`
		DataHash            string `json:"data_hash"`
		ValidatorsHash      string `json:"validators_hash"`
		NextValidatorsHash  string `json:"next_validators_hash"`
		ConsensusHash       string `json:"consensus_hash"`
		AppHash             string `json:"app_hash"`
		LastResultsHash     string `json:"last_results_hash"`
		EvidenceHash        string `json:"evidence_hash"`
		ProposerPrefix20Of  string `json:"proposer_address_sha256_prefix20"`
	} `json:"header"`
	Hash   string `json:"hash"`
	Leaves struct {
		ChainID      string `json:"chain_id_string_value"`
		Height       string `json:"height_int64_value"`
		Time         string `json:"time_timestamp"`
		Version      string `json:"version_11_0"`
		EmptyBlockID string `json:"empty_block_id"`
	} `json:"leaves"`
}

func loadHeaderVector(t *testing.T) (Header, headerHashVector) {
	t.Helper()
	var v headerHashVector
	loadJSON(t, "header_hash.json", &v)
	vh := v.Header
	h := Header{
		Version: tmversion.Consensus{Block: vh.VersionBlock, App: vh.VersionApp},
		ChainID: vh.ChainID,
		Height:  vh.Height,
		Time:    parseTime(t, vh.Time),
		LastBlockID: BlockID{
			Hash:          vectorBytes(t, vh.LastBlockIDHash),
			PartSetHeader: PartSetHeader{Total: vh.LastBlockIDPSHTotal, Hash: vectorBytes(t, vh.LastBlockIDPSHHash)},
		},
		LastCommitHash:     vectorBytes(t, vh.LastCommitHash),
		DataHash:           vectorBytes(t, vh.DataHash),
		ValidatorsHash:     vectorBytes(t, vh.ValidatorsHash),
		NextValidatorsHash: vectorBytes(t, vh.NextValidatorsHash),
		ConsensusHash:      vectorBytes(t, vh.ConsensusHash),
		AppHash:            vectorBytes(t, vh.AppHash),
		LastResultsHash:    vectorBytes(t, vh.LastResultsHash),
		EvidenceHash:       vectorBytes(t, vh.EvidenceHash),
		ProposerAddress:    sha(vh.ProposerPrefix20Of)[:20],
	}
	return h, v
}

func TestHeaderHashVector(t *testing.T) {
	h, v := loadHeaderVector(t)
	if got := h.Hash().String(); got != v.Hash {
		t.Fatalf("header hash %s, want %s", got, v.Hash)
	}
	// Every field is covered by the hash.
	h2 := h
	h2.AppHash = sha("other")
	if h2.Hash().String() == v.Hash {
		t.Fatal("app hash not covered")
	}
}

func TestHeaderLeafEncodings(t *testing.T) {
	_, v := loadHeaderVector(t)
	check := func(name string, got []byte, want string) {
		t.Helper()
		if hex.EncodeToString(got) != want {
			t.Errorf("%s leaf %x, want %s", name, got, want)
		}
	}
	check("chain id", mustMarshal(&gogotypes.StringValue{Value: "chainId"}), v.Leaves.ChainID)
	check("height", mustMarshal(&gogotypes.Int64Value{Value: 3}), v.Leaves.Height)
	check("time", timeLeaf(parseTime(t, "2019-10-13T16:14:44Z")), v.Leaves.Time)
	check("version", mustMarshal(&tmversion.Consensus{Block: 11}), v.Leaves.Version)
	empty := BlockID{}.ToProto()
	check("empty block id", mustMarshal(&empty), v.Leaves.EmptyBlockID)
	check("empty bytes", bytesLeaf(nil), "")
}

func TestHeaderHashNeedsValidatorsHash(t *testing.T) {
	h, _ := loadHeaderVector(t)
	h.ValidatorsHash = nil
	if h.Hash() != nil {
		t.Fatal("header without validators hash must hash to nil")
	}
	var nilHeader *Header
	if nilHeader.Hash() != nil {
		t.Fatal("nil header must hash to nil")
	}
}

// validHeader returns a header that passes ValidateBasic.
func validHeader(t *testing.T) Header {
	h, _ := loadHeaderVector(t)
	h.Version.Block = BlockProtocol
	return h
}

func TestHeaderValidateBasic(t *testing.T) {
	cases := []struct {
		name   string
		modify func(*Header)
		reason string
	}{
		{"valid", func(*Header) {}, ""},
		{"empty hashes and long app hash", func(h *Header) {
			h.LastCommitHash, h.DataHash, h.EvidenceHash, h.LastResultsHash = nil, nil, nil, nil
			h.AppHash = make([]byte, 100)
		}, ""},
		{"chain ID of 50 bytes", func(h *Header) { h.ChainID = strings.Repeat("c", MaxChainIDLen) }, ""},
		{"wrong block protocol", func(h *Header) { h.Version.Block = 10 }, "block protocol 10"},
		{"chain ID too long", func(h *Header) { h.ChainID = strings.Repeat("c", MaxChainIDLen+1) }, "chain ID has 51 bytes"},
		{"zero height", func(h *Header) { h.Height = 0 }, "non-positive height"},
		{"negative height", func(h *Header) { h.Height = -5 }, "non-positive height"},
		{"bad last block ID", func(h *Header) { h.LastBlockID.Hash = []byte{1} }, "last block ID"},
		{"bad last commit hash", func(h *Header) { h.LastCommitHash = []byte{1} }, "last commit hash"},
		{"bad data hash", func(h *Header) { h.DataHash = make([]byte, 33) }, "data hash"},
		{"bad evidence hash", func(h *Header) { h.EvidenceHash = []byte{1} }, "evidence hash"},
		{"bad validators hash", func(h *Header) { h.ValidatorsHash = []byte{1} }, "validators hash"},
		{"bad next validators hash", func(h *Header) { h.NextValidatorsHash = []byte{1} }, "next validators hash"},
		{"bad consensus hash", func(h *Header) { h.ConsensusHash = []byte{1} }, "consensus hash"},
		{"bad last results hash", func(h *Header) { h.LastResultsHash = []byte{1} }, "last results hash"},
		{"short proposer address", func(h *Header) { h.ProposerAddress = h.ProposerAddress[:19] }, "proposer address"},
		{"missing proposer address", func(h *Header) { h.ProposerAddress = nil }, "proposer address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := validHeader(t)
			tc.modify(&h)
			err := h.ValidateBasic()
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("valid header rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidHeader) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err %v, want %q", err, tc.reason)
			}
		})
	}
}

func TestHeaderProtoRoundTrip(t *testing.T) {
	h := validHeader(t)
	wire, err := h.ToProto().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var pb tmproto.Header
	if err := pb.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	back, err := HeaderFromProto(&pb)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash().String() != h.Hash().String() {
		t.Fatal("round trip changed the header hash")
	}
	pb.Height = 0
	if _, err := HeaderFromProto(&pb); !errors.Is(err, ErrInvalidHeader) {
		t.Fatalf("invalid header accepted: %v", err)
	}
	if _, err := HeaderFromProto(nil); !errors.Is(err, ErrInvalidHeader) {
		t.Fatal("nil accepted")
	}
}
