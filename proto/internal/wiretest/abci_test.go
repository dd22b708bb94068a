package wiretest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/proto/tendermint/types"
)

// Placeholder values filling the parts of abci.md §2.1 frames that the sheet
// elides (<12-byte Timestamp>, <addr>, <hash>). The chosen time needs 5-byte
// varints for both seconds and nanos, so the Timestamp is 12 bytes as captured.
const (
	placeholderTimeHex = "08 80 e2 cf aa 06 10 80 ca b5 ee 01" // 1700000000 s, 500000000 ns
)

var placeholderTime = time.Unix(1700000000, 500000000).UTC()

// Captured socket frames of abci.md §2.1, node to app.
func TestABCIRequestFrames(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		check func(t *testing.T, r *abci.Request)
	}{
		{"flush", "02 12 00", func(t *testing.T, r *abci.Request) {
			if r.GetFlush() == nil {
				t.Fatalf("want flush, got %T", r.Value)
			}
		}},
		{"commit", "02 5a 00", func(t *testing.T, r *abci.Request) {
			if r.GetCommit() == nil {
				t.Fatalf("want commit, got %T", r.Value)
			}
		}},
		{"info", "16 1a 14 0a 07 30 2e 33 38 2e 32 36 10 0b 18 08 22 05 32 2e 30 2e 30", func(t *testing.T, r *abci.Request) {
			want := abci.RequestInfo{Version: "0.38.26", BlockVersion: 11, P2PVersion: 8, AbciVersion: "2.0.0"}
			if got := r.GetInfo(); got == nil || *got != want {
				t.Fatalf("info = %+v, want %+v", got, want)
			}
		}},
		{"check_tx NEW", "07 42 05 0a 03 61 3d 62", func(t *testing.T, r *abci.Request) {
			ct := r.GetCheckTx()
			if ct == nil || string(ct.Tx) != "a=b" || ct.Type != abci.CheckTxType_New {
				t.Fatalf("check_tx = %+v", ct)
			}
		}},
		{"prepare_proposal height 1",
			"52 82 01 4f 08 87 e0 bf 0a 1a 00 28 01 32 0c " + placeholderTimeHex +
				" 3a 20 " + strings.Repeat("ab", 32) + " 42 14 " + strings.Repeat("cd", 20),
			func(t *testing.T, r *abci.Request) {
				pp := r.GetPrepareProposal()
				if pp == nil {
					t.Fatalf("want prepare_proposal, got %T", r.Value)
				}
				if pp.MaxTxBytes != 22016007 || pp.Height != 1 || !pp.Time.Equal(placeholderTime) {
					t.Errorf("max_tx_bytes %d height %d time %v", pp.MaxTxBytes, pp.Height, pp.Time)
				}
				if len(pp.Txs) != 0 || len(pp.Misbehavior) != 0 || len(pp.LocalLastCommit.Votes) != 0 {
					t.Errorf("want empty txs, misbehavior, local_last_commit: %+v", pp)
				}
				if !bytes.Equal(pp.NextValidatorsHash, filled(32, 0xab)) || !bytes.Equal(pp.ProposerAddress, filled(20, 0xcd)) {
					t.Errorf("hashes: %x %x", pp.NextValidatorsHash, pp.ProposerAddress)
				}
			}},
		{"process_proposal height 2",
			"8e 01 8a 01 8a 01 12 1e 12 1c 0a 18 0a 14 " + strings.Repeat("11", 20) + " 18 0a 18 02" +
				" 22 20 " + strings.Repeat("22", 32) + " 28 02 32 0c " + placeholderTimeHex +
				" 3a 20 " + strings.Repeat("33", 32) + " 42 14 " + strings.Repeat("11", 20),
			func(t *testing.T, r *abci.Request) {
				pp := r.GetProcessProposal()
				if pp == nil {
					t.Fatalf("want process_proposal, got %T", r.Value)
				}
				if pp.Height != 2 || !bytes.Equal(pp.Hash, filled(32, 0x22)) || !pp.Time.Equal(placeholderTime) {
					t.Errorf("height %d hash %x time %v", pp.Height, pp.Hash, pp.Time)
				}
				votes := pp.ProposedLastCommit.Votes
				if pp.ProposedLastCommit.Round != 0 || len(votes) != 1 {
					t.Fatalf("proposed_last_commit = %+v", pp.ProposedLastCommit)
				}
				v := votes[0]
				if !bytes.Equal(v.Validator.Address, filled(20, 0x11)) || v.Validator.Power != 10 ||
					v.BlockIdFlag != types.BlockIDFlagCommit {
					t.Errorf("vote = %+v", v)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frame := unhex(t, tc.frame)
			tc.check(t, roundTrip[abci.Request](t, unframe(t, frame)))
		})
	}
}

// Captured socket frames of abci.md §2.1, app to node.
func TestABCIResponseFrames(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		check func(t *testing.T, r *abci.Response)
	}{
		{"flush", "02 1a 00", func(t *testing.T, r *abci.Response) {
			if r.GetFlush() == nil {
				t.Fatalf("want flush, got %T", r.Value)
			}
		}},
		{"commit retain 0", "02 62 00", func(t *testing.T, r *abci.Response) {
			if c := r.GetCommit(); c == nil || c.RetainHeight != 0 {
				t.Fatalf("commit = %+v", c)
			}
		}},
		{"info", "21 22 1f 0a 0a 7b 22 73 69 7a 65 22 3a 30 7d 12 05 32 2e 30 2e 30 18 01 2a 08 00 00 00 00 00 00 00 00", func(t *testing.T, r *abci.Response) {
			info := r.GetInfo()
			if info == nil || info.Data != `{"size":0}` || info.Version != "2.0.0" || info.AppVersion != 1 ||
				info.LastBlockHeight != 0 || !bytes.Equal(info.LastBlockAppHash, make([]byte, 8)) {
				t.Fatalf("info = %+v", info)
			}
		}},
		{"check_tx gas_wanted 1", "04 4a 02 28 01", func(t *testing.T, r *abci.Response) {
			if ct := r.GetCheckTx(); ct == nil || ct.GasWanted != 1 || ct.Code != 0 {
				t.Fatalf("check_tx = %+v", ct)
			}
		}},
		{"check_tx code 2", "04 4a 02 08 02", func(t *testing.T, r *abci.Response) {
			if ct := r.GetCheckTx(); ct == nil || ct.Code != 2 {
				t.Fatalf("check_tx = %+v", ct)
			}
		}},
		{"process_proposal ACCEPT", "05 92 01 02 08 01", func(t *testing.T, r *abci.Response) {
			if pp := r.GetProcessProposal(); pp == nil || pp.Status != abci.ResponseProcessProposal_ACCEPT {
				t.Fatalf("process_proposal = %+v", pp)
			}
		}},
		{"extend_vote", "0a 9a 01 07 0a 05 65 78 74 2d 32", func(t *testing.T, r *abci.Response) {
			if ev := r.GetExtendVote(); ev == nil || string(ev.VoteExtension) != "ext-2" {
				t.Fatalf("extend_vote = %+v", ev)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frame := unhex(t, tc.frame)
			tc.check(t, roundTrip[abci.Response](t, unframe(t, frame)))
		})
	}
}

// The sheet shows only the head of the exception frame ("boom: …", 30 bytes of
// error text); any 30-byte error must produce that head.
func TestABCIExceptionFrame(t *testing.T) {
	msg := "boom: the app fell over here!!"
	if len(msg) != 30 {
		t.Fatalf("test message must be 30 bytes, is %d", len(msg))
	}
	resp := abci.Response{Value: &abci.Response_Exception{Exception: &abci.ResponseException{Error: msg}}}
	frame := frameOf(encode(t, &resp))
	head := unhex(t, "22 0a 20 0a 1e 62 6f 6f 6d 3a")
	if !bytes.HasPrefix(frame, head) {
		t.Fatalf("frame %x does not start with %x", frame, head)
	}
	got := roundTrip[abci.Response](t, unframe(t, frame))
	if got.GetException().GetError() != msg {
		t.Fatalf("exception = %+v", got.GetException())
	}
}

// InitChain with the default genesis params exactly as abci.md §5.6 shows
// them, plus one validator and an initial height.
func TestABCIInitChainDefaultParams(t *testing.T) {
	params := "0a 10 08 80 80 c0 0a 10 ff ff ff ff ff ff ff ff ff 01" +
		" 12 0e 08 a0 8d 06 12 04 08 80 c6 0a 18 80 80 40" +
		" 1a 09 0a 07 65 64 32 35 35 31 39" +
		" 22 00 2a 00"
	body := "0a 0c " + placeholderTimeHex +
		" 12 0a 74 65 73 74 2d 63 68 61 69 6e" + // chain_id "test-chain"
		" 1a 31 " + params +
		" 22 26 0a 22 0a 20 " + strings.Repeat("01", 32) + " 10 0a" + // validator, power 10
		" 30 01" // initial_height 1
	inner := unhex(t, body)
	b := append([]byte{0x2a, byte(len(inner))}, inner...) // field 5, init_chain
	req := roundTrip[abci.Request](t, b)
	ic := req.GetInitChain()
	if ic == nil {
		t.Fatalf("want init_chain, got %T", req.Value)
	}
	if ic.ChainId != "test-chain" || ic.InitialHeight != 1 || !ic.Time.Equal(placeholderTime) {
		t.Errorf("chain %q initial height %d time %v", ic.ChainId, ic.InitialHeight, ic.Time)
	}
	cp := ic.ConsensusParams
	if cp == nil || cp.Block == nil || cp.Block.MaxBytes != 22020096 || cp.Block.MaxGas != -1 {
		t.Fatalf("block params = %+v", cp)
	}
	if cp.Evidence.MaxAgeNumBlocks != 100000 || cp.Evidence.MaxAgeDuration != 48*time.Hour || cp.Evidence.MaxBytes != 1048576 {
		t.Errorf("evidence params = %+v", cp.Evidence)
	}
	if len(cp.Validator.PubKeyTypes) != 1 || cp.Validator.PubKeyTypes[0] != "ed25519" {
		t.Errorf("validator params = %+v", cp.Validator)
	}
	if cp.Version == nil || cp.Abci == nil {
		t.Errorf("empty version and abci params must still be present: %+v", cp)
	}
	if len(ic.Validators) != 1 || ic.Validators[0].Power != 10 ||
		!bytes.Equal(ic.Validators[0].PubKey.GetEd25519(), filled(32, 0x01)) {
		t.Errorf("validators = %+v", ic.Validators)
	}
}

// A nil-free FinalizeBlock request/response pair must emit the non-nullable
// commit info and time even when empty (abci.md §5.7), and decoders must read
// both the emitted and the absent form the same.
func TestABCINonNullableAlwaysEmitted(t *testing.T) {
	req := abci.Request{Value: &abci.Request_FinalizeBlock{FinalizeBlock: &abci.RequestFinalizeBlock{Height: 3}}}
	got := encode(t, &req)
	// 0xa2 0x01 = field 20; decided_last_commit `12 00`; height `28 03`;
	// zero Go time as seconds -62135596800.
	want := unhex(t, "a2 01 11 12 00 28 03 32 0b 08 80 92 b8 c3 98 fe ff ff ff 01")
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	var absent abci.RequestFinalizeBlock
	if err := absent.Unmarshal(unhex(t, "28 03")); err != nil {
		t.Fatal(err)
	}
	if absent.Height != 3 || len(absent.DecidedLastCommit.Votes) != 0 {
		t.Fatalf("decoded %+v", absent)
	}
}

// ResponseFinalizeBlock and ExecTxResult carry negative numbers as 10-byte
// varints and keep tx_results order.
func TestABCIFinalizeBlockResponse(t *testing.T) {
	resp := abci.ResponseFinalizeBlock{
		Events: []abci.Event{{Type: "block", Attributes: []abci.EventAttribute{{Key: "k", Value: "v", Index: true}}}},
		TxResults: []*abci.ExecTxResult{
			{Code: 0, Data: []byte{1}, GasWanted: -1},
			{Code: 7, Log: "bad", Codespace: "app"},
		},
		AppHash: filled(32, 0x44),
	}
	b := encode(t, &resp)
	got := roundTrip[abci.ResponseFinalizeBlock](t, b)
	if len(got.TxResults) != 2 || got.TxResults[0].GasWanted != -1 || got.TxResults[1].Code != 7 ||
		got.Events[0].Attributes[0].Key != "k" || !got.Events[0].Attributes[0].Index {
		t.Fatalf("decoded %+v", got)
	}
	exec := encode(t, got.TxResults[0])
	if want := unhex(t, "12 01 01 28 ff ff ff ff ff ff ff ff ff 01"); !bytes.Equal(exec, want) {
		t.Fatalf("ExecTxResult encoding\n got %x\nwant %x", exec, want)
	}
}

// refetch_chunks is a packed repeated uint32 (abci.md §5.7).
func TestABCIRefetchChunksPacked(t *testing.T) {
	r := abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY, RefetchChunks: []uint32{1, 2, 300}}
	want := unhex(t, "08 03 12 04 01 02 ac 02")
	if got := encode(t, &r); !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
}
