package types

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func TestDefaultConsensusParamsHash(t *testing.T) {
	// types.md §5: consensus_hash of the default params [RUN].
	const want = "048091bc7ddc283f77bfbf91d73c44da58c3df8a9cbc867405d8b7f3daada22f"
	p := DefaultConsensusParams()
	if got := hex.EncodeToString(p.Hash()); got != want {
		t.Fatalf("default params hash = %s, want %s", got, want)
	}
	if err := p.ValidateBasic(); err != nil {
		t.Fatalf("default params invalid: %v", err)
	}
	// Only block.max_bytes and block.max_gas are hashed.
	q := *p
	q.Evidence.MaxAgeNumBlocks = 7
	q.Validator.PubKeyTypes = []string{PubKeyTypeSecp256k1}
	q.ABCI.VoteExtensionsEnableHeight = 9
	if hex.EncodeToString(q.Hash()) != want {
		t.Fatal("hash changed with a non-hashed parameter")
	}
	q.Block.MaxGas = 1
	if hex.EncodeToString(q.Hash()) == want {
		t.Fatal("hash did not change with block.max_gas")
	}
}

func TestConsensusParamsValidateBasic(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(p *ConsensusParams)
		wantErr string // substring; "" means valid
	}{
		{"default", func(*ConsensusParams) {}, ""},
		{"max bytes -1", func(p *ConsensusParams) { p.Block.MaxBytes = -1 }, ""},
		{"max bytes 1", func(p *ConsensusParams) { p.Block.MaxBytes = 1; p.Evidence.MaxBytes = 0 }, ""},
		{"max bytes at limit", func(p *ConsensusParams) { p.Block.MaxBytes = 104857600 }, ""},
		{"max bytes 0", func(p *ConsensusParams) { p.Block.MaxBytes = 0 }, "block.max_bytes must not be 0"},
		{"max bytes -2", func(p *ConsensusParams) { p.Block.MaxBytes = -2 }, "block.max_bytes must be -1 or greater than 0, got -2"},
		{"max bytes too big", func(p *ConsensusParams) { p.Block.MaxBytes = 104857601 }, "block.max_bytes 104857601 exceeds"},
		{"max gas -1", func(p *ConsensusParams) { p.Block.MaxGas = -1 }, ""},
		{"max gas 0", func(p *ConsensusParams) { p.Block.MaxGas = 0 }, ""},
		{"max gas -2", func(p *ConsensusParams) { p.Block.MaxGas = -2 }, "block.max_gas must be -1 or greater, got -2"},
		{"age blocks 0", func(p *ConsensusParams) { p.Evidence.MaxAgeNumBlocks = 0 }, "evidence.max_age_num_blocks must be greater than 0, got 0"},
		{"age duration 0", func(p *ConsensusParams) { p.Evidence.MaxAgeDuration = 0 }, "evidence.max_age_duration must be greater than 0, got 0s"},
		{"evidence bytes = block", func(p *ConsensusParams) { p.Block.MaxBytes = 1000; p.Evidence.MaxBytes = 1000 }, ""},
		{"evidence bytes > block", func(p *ConsensusParams) { p.Block.MaxBytes = 1000; p.Evidence.MaxBytes = 1001 }, "evidence.max_bytes 1001 exceeds the block's maximum size 1000"},
		{"evidence bytes > 100MiB with -1", func(p *ConsensusParams) { p.Block.MaxBytes = -1; p.Evidence.MaxBytes = 104857601 }, "evidence.max_bytes 104857601 exceeds"},
		{"evidence bytes 0", func(p *ConsensusParams) { p.Evidence.MaxBytes = 0 }, ""},
		{"evidence bytes negative", func(p *ConsensusParams) { p.Evidence.MaxBytes = -1 }, "evidence.max_bytes must not be negative, got -1"},
		{"vote ext negative", func(p *ConsensusParams) { p.ABCI.VoteExtensionsEnableHeight = -1 }, "abci.vote_extensions_enable_height must not be negative, got -1"},
		{"no key types", func(p *ConsensusParams) { p.Validator.PubKeyTypes = nil }, "validator.pub_key_types must list at least one key type"},
		{"all key types", func(p *ConsensusParams) {
			p.Validator.PubKeyTypes = []string{PubKeyTypeEd25519, PubKeyTypeSecp256k1, PubKeyTypeMLDSA65}
		}, ""},
		{"unknown key type", func(p *ConsensusParams) { p.Validator.PubKeyTypes = []string{"ed25519", "rsa"} }, `validator.pub_key_types[1] "rsa" is not a known key type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultConsensusParams()
			tt.mutate(p)
			err := p.ValidateBasic()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidConsensusParams) {
				t.Fatalf("error %v does not wrap ErrInvalidConsensusParams", err)
			}
		})
	}
}

func TestConsensusParamsValidateUpdate(t *testing.T) {
	// The vote-extension height rules of CometBFT v0.38 (validateUpdate's case table).
	const h = 10
	tests := []struct {
		name     string
		cur      int64
		update   *tmproto.ABCIParams // nil: no ABCI section
		wantFail bool
	}{
		{"no abci section", 5, nil, false},
		{"negative", 0, &tmproto.ABCIParams{VoteExtensionsEnableHeight: -1}, true},
		{"disabled stays disabled", 0, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 0}, false},
		{"no-op past height", 5, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 5}, false},
		{"no-op future height", 20, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 20}, false},
		{"disable once enabled", 5, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 0}, true},
		{"disable at current height", 10, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 0}, true},
		{"disable a future plan", 20, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 0}, false},
		{"enable at past height", 0, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 3}, true},
		{"enable at current height", 0, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 10}, true},
		{"move future plan to past", 20, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 9}, true},
		{"enable in future", 0, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 11}, false},
		{"modify once enabled", 5, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 30}, true},
		{"modify future plan", 20, &tmproto.ABCIParams{VoteExtensionsEnableHeight: 30}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultConsensusParams()
			p.ABCI.VoteExtensionsEnableHeight = tt.cur
			err := p.ValidateUpdate(&tmproto.ConsensusParams{Abci: tt.update}, h)
			if (err != nil) != tt.wantFail {
				t.Fatalf("ValidateUpdate(cur %d, update %v, h %d) = %v, want failure %v", tt.cur, tt.update, h, err, tt.wantFail)
			}
			if err != nil && !errors.Is(err, ErrInvalidConsensusParams) {
				t.Fatalf("error %v does not wrap ErrInvalidConsensusParams", err)
			}
		})
	}
	if err := DefaultConsensusParams().ValidateUpdate(nil, h); err != nil {
		t.Fatalf("nil update: %v", err)
	}
}

func TestVoteExtensionsEnabled(t *testing.T) {
	tests := []struct {
		enable, h int64
		want      bool
	}{
		{0, 1, false}, {0, 100, false}, {1, 1, true}, {5, 4, false}, {5, 5, true}, {5, 6, true},
	}
	for _, tt := range tests {
		p := ABCIParams{VoteExtensionsEnableHeight: tt.enable}
		if got := p.VoteExtensionsEnabled(tt.h); got != tt.want {
			t.Errorf("enable %d, height %d: got %v, want %v", tt.enable, tt.h, got, tt.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("height 0 did not panic")
		}
	}()
	ABCIParams{VoteExtensionsEnableHeight: 1}.VoteExtensionsEnabled(0)
}

func TestConsensusParamsUpdate(t *testing.T) {
	p := *DefaultConsensusParams()
	orig := p.ToProto()

	same := p.Update(nil)
	if !reflect.DeepEqual(same, p) {
		t.Fatalf("nil update changed params: %+v", same)
	}

	got := p.Update(&tmproto.ConsensusParams{
		Block:     &tmproto.BlockParams{MaxBytes: 1024, MaxGas: 50},
		Validator: &tmproto.ValidatorParams{PubKeyTypes: []string{PubKeyTypeSecp256k1}},
		Abci:      &tmproto.ABCIParams{VoteExtensionsEnableHeight: 42},
	})
	want := p
	want.Block = BlockParams{MaxBytes: 1024, MaxGas: 50}
	want.Validator.PubKeyTypes = []string{PubKeyTypeSecp256k1}
	want.ABCI.VoteExtensionsEnableHeight = 42
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Update = %+v, want %+v", got, want)
	}
	// The receiver is untouched, and the result does not share the key-type slice.
	if !reflect.DeepEqual(p.ToProto(), orig) {
		t.Fatal("Update modified its receiver")
	}
	got.Validator.PubKeyTypes[0] = "changed"
	if p.Validator.PubKeyTypes[0] != PubKeyTypeEd25519 {
		t.Fatal("Update result aliases the receiver's key types")
	}

	got = p.Update(&tmproto.ConsensusParams{
		Evidence: &tmproto.EvidenceParams{MaxAgeNumBlocks: 3, MaxAgeDuration: time.Minute, MaxBytes: 9},
		Version:  &tmproto.VersionParams{App: 7},
	})
	if got.Evidence != (EvidenceParams{MaxAgeNumBlocks: 3, MaxAgeDuration: time.Minute, MaxBytes: 9}) || got.Version.App != 7 {
		t.Fatalf("evidence/version update not applied: %+v", got)
	}
	if got.Block != p.Block {
		t.Fatal("absent block section changed")
	}
}

func TestConsensusParamsProtoRoundTrip(t *testing.T) {
	p := *DefaultConsensusParams()
	p.Version.App = 3
	p.ABCI.VoteExtensionsEnableHeight = 12
	pb := p.ToProto()
	bz, err := pb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var back tmproto.ConsensusParams
	if err := back.Unmarshal(bz); err != nil {
		t.Fatal(err)
	}
	if got := ConsensusParamsFromProto(back); !reflect.DeepEqual(got, p) {
		t.Fatalf("round trip = %+v, want %+v", got, p)
	}
	// Missing sections decode as zero values, which fail validation.
	empty := ConsensusParamsFromProto(tmproto.ConsensusParams{})
	if !reflect.DeepEqual(empty, ConsensusParams{}) {
		t.Fatalf("empty proto = %+v", empty)
	}
	if empty.ValidateBasic() == nil {
		t.Fatal("zero params validated")
	}
}

func TestConsensusParamsJSON(t *testing.T) {
	// operator.md §5.1: the exact JSON of the defaults.
	const want = `{"block":{"max_bytes":"22020096","max_gas":"-1"},` +
		`"evidence":{"max_age_num_blocks":"100000","max_age_duration":"172800000000000","max_bytes":"1048576"},` +
		`"validator":{"pub_key_types":["ed25519"]},"version":{"app":"0"},` +
		`"abci":{"vote_extensions_enable_height":"0"}}`
	bz, err := json.Marshal(DefaultConsensusParams())
	if err != nil {
		t.Fatal(err)
	}
	if string(bz) != want {
		t.Fatalf("JSON =\n%s\nwant\n%s", bz, want)
	}
	var back ConsensusParams
	if err := json.Unmarshal(bz, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, DefaultConsensusParams()) {
		t.Fatalf("JSON round trip = %+v", back)
	}

	bad := []struct{ in, wantErr string }{
		{`{"block":{"max_bytes":22020096}}`, "block.max_bytes"},
		{`{"version":{"app":0}}`, "version.app"},
		{`{"evidence":{"max_age_duration":"48h"}}`, "evidence.max_age_duration"},
		{`{"block":{"max_gas":"1.5"}}`, "block.max_gas"},
		{`{"block":{"max_gas":""}}`, "block.max_gas"},
		{`{"block":{"max_gas":true}}`, "block.max_gas"},
		{`{"block":{"max_bytes":"99999999999999999999"}}`, "block.max_bytes"},
	}
	for _, b := range bad {
		var p ConsensusParams
		err := json.Unmarshal([]byte(b.in), &p)
		if err == nil || !strings.Contains(err.Error(), b.wantErr) {
			t.Errorf("Unmarshal(%s) = %v, want an error naming %s", b.in, err, b.wantErr)
		}
	}

	// A missing section decodes as zero values; null integers are left at zero.
	var p ConsensusParams
	if err := json.Unmarshal([]byte(`{"block":{"max_bytes":"1","max_gas":null}}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Block.MaxBytes != 1 || p.Block.MaxGas != 0 || p.Evidence.MaxAgeNumBlocks != 0 {
		t.Fatalf("partial decode = %+v", p)
	}
}
