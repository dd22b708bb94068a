package wiretest

import (
	"bytes"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/proto/tendermint/consensus"
	"github.com/ballot-bft/ballot/proto/tendermint/state"
	"github.com/ballot-bft/ballot/proto/tendermint/store"
	"github.com/ballot-bft/ballot/proto/tendermint/types"
)

// zeroTimeHex is a non-nullable Go zero time: seconds -62135596800 (types.md §1).
const zeroTimeHex = "08 80 92 b8 c3 98 fe ff ff ff 01"

// WAL records (consensus.md §11). The sheet gives the layout but no byte
// example; these are derived by hand from it, written at time 1 s after the
// epoch.
func TestTimedWALMessages(t *testing.T) {
	at := time.Unix(1, 0).UTC()
	tests := []struct {
		name  string
		hex   string
		check func(t *testing.T, m *consensus.WALMessage)
	}{
		{"EndHeight", "0a 02 08 01 12 04 22 02 08 01", func(t *testing.T, m *consensus.WALMessage) {
			if e := m.GetEndHeight(); e == nil || e.Height != 1 {
				t.Fatalf("end_height = %+v", m.Sum)
			}
		}},
		{"EndHeight 0 still carries its (empty) message", "0a 02 08 01 12 02 22 00", func(t *testing.T, m *consensus.WALMessage) {
			if e := m.GetEndHeight(); e == nil || e.Height != 0 {
				t.Fatalf("end_height = %+v", m.Sum)
			}
		}},
		{"RoundState", "0a 02 08 01 12 16 0a 14 08 05 1a 10 52 6f 75 6e 64 53 74 65 70 50 72 6f 70 6f 73 65", func(t *testing.T, m *consensus.WALMessage) {
			rs := m.GetEventDataRoundState()
			if rs == nil || rs.Height != 5 || rs.Round != 0 || rs.Step != "RoundStepPropose" {
				t.Fatalf("round state = %+v", rs)
			}
		}},
		{"MsgInfo from a peer", "0a 02 08 01 12 13 12 11 0a 0a 3a 08 08 05 10 01 18 01 20 02 12 03 61 62 63", func(t *testing.T, m *consensus.WALMessage) {
			mi := m.GetMsgInfo()
			if mi == nil || mi.PeerID != "abc" || mi.Msg.GetHasVote().GetIndex() != 2 {
				t.Fatalf("msg_info = %+v", mi)
			}
		}},
		{"TimeoutInfo", "0a 02 08 01 12 0a 1a 08 0a 02 08 01 10 05 20 03", func(t *testing.T, m *consensus.WALMessage) {
			ti := m.GetTimeoutInfo()
			if ti == nil || ti.Duration != time.Second || ti.Height != 5 || ti.Round != 0 || ti.Step != 3 {
				t.Fatalf("timeout_info = %+v", ti)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := roundTrip[consensus.TimedWALMessage](t, unhex(t, tc.hex))
			if !m.Time.Equal(at) || m.Msg == nil {
				t.Fatalf("time %v msg %v", m.Time, m.Msg)
			}
			tc.check(t, m.Msg)
		})
	}
}

// Own messages are logged with an empty peer ID, which is omitted; the
// non-nullable msg is always written.
func TestMsgInfoOwnMessage(t *testing.T) {
	mi := consensus.MsgInfo{}
	if got := encode(t, &mi); !bytes.Equal(got, unhex(t, "0a 00")) {
		t.Fatalf("empty MsgInfo encodes to %x", got)
	}
}

// BlockStoreState as the block store saves it.
func TestBlockStoreState(t *testing.T) {
	s := roundTrip[store.BlockStoreState](t, unhex(t, "08 01 10 0a"))
	if s.Base != 1 || s.Height != 10 {
		t.Fatalf("decoded %+v", s)
	}
}

// An empty State still writes its non-nullable version, last block ID and
// time, and consensus params, in field-number order.
func TestStateNonNullable(t *testing.T) {
	var s state.State
	want := unhex(t, "0a 02 0a 00 22 02 12 00 2a 0b "+zeroTimeHex+" 52 00")
	if got := encode(t, &s); !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	full := state.State{
		Version:         state.Version{Software: "0.38.26"},
		ChainID:         "test-chain",
		InitialHeight:   1,
		LastBlockHeight: 3,
		LastBlockTime:   time.Unix(1, 0).UTC(),
		Validators:      &types.ValidatorSet{TotalVotingPower: 10},
		AppHash:         []byte{1, 2},
	}
	got := roundTrip[state.State](t, encode(t, &full))
	if got.ChainID != "test-chain" || got.InitialHeight != 1 || got.LastBlockHeight != 3 ||
		got.Version.Software != "0.38.26" || got.Validators.GetTotalVotingPower() != 10 ||
		got.NextValidators != nil || !bytes.Equal(got.AppHash, []byte{1, 2}) {
		t.Fatalf("decoded %+v", got)
	}
}

// ABCIResponsesInfo holds FinalizeBlock's response for v0.38 heights and the
// legacy responses for older ones.
func TestABCIResponsesInfo(t *testing.T) {
	info := roundTrip[state.ABCIResponsesInfo](t, unhex(t, "10 03 1a 04 2a 02 aa bb"))
	if info.Height != 3 || info.LegacyAbciResponses != nil ||
		!bytes.Equal(info.ResponseFinalizeBlock.GetAppHash(), []byte{0xaa, 0xbb}) {
		t.Fatalf("decoded %+v", info)
	}
	legacy := state.ABCIResponsesInfo{
		Height: 2,
		LegacyAbciResponses: &state.LegacyABCIResponses{
			DeliverTxs: []*abci.ExecTxResult{{Code: 1}},
			EndBlock:   &state.ResponseEndBlock{ValidatorUpdates: []abci.ValidatorUpdate{{Power: 5}}},
			BeginBlock: &state.ResponseBeginBlock{Events: []abci.Event{{Type: "begin"}}},
		},
	}
	got := roundTrip[state.ABCIResponsesInfo](t, encode(t, &legacy))
	l := got.LegacyAbciResponses
	if l == nil || len(l.DeliverTxs) != 1 || l.DeliverTxs[0].Code != 1 || l.EndBlock.ValidatorUpdates[0].Power != 5 ||
		l.BeginBlock.Events[0].Type != "begin" || got.ResponseFinalizeBlock != nil {
		t.Fatalf("decoded %+v", got)
	}
}
