package core

import (
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	cmtjson "github.com/ballot-bft/ballot/libs/json"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// duplicateVoteEvidence returns valid evidence of a validator that signed two prevotes at
// height 3.
func duplicateVoteEvidence(t *testing.T) *types.DuplicateVoteEvidence {
	t.Helper()
	key := ed25519.GenPrivKeyFromSecret([]byte("equivocator"))
	val := types.NewValidator(key.PubKey(), 10)
	vals, err := types.NewValidatorSet([]*types.Validator{val})
	if err != nil {
		t.Fatal(err)
	}
	vote := func(hash byte) *types.Vote {
		v := &types.Vote{
			Type: types.PrevoteType, Height: 3, Round: 0,
			BlockID:          types.BlockID{Hash: bytesOf(hash, 32), PartSetHeader: types.PartSetHeader{Total: 1, Hash: bytesOf(hash, 32)}},
			Timestamp:        time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC),
			ValidatorAddress: val.Address,
		}
		sig, err := key.Sign(v.SignBytes("rpc-test"))
		if err != nil {
			t.Fatal(err)
		}
		v.Signature = sig
		return v
	}
	ev, err := types.NewDuplicateVoteEvidence(vote(1), vote(2), time.Date(2026, 1, 1, 0, 0, 3, 0, time.UTC), vals)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// Event payloads are written as {"type":"tendermint/event/<Kind>","value":…} with CometBFT's
// keys; ABCI results inside them are written generically (zero fields omitted).
func TestEventDataJSON(t *testing.T) {
	vote := duplicateVoteEvidence(t).VoteA
	for _, tc := range []struct {
		data any
		want string
	}{
		{types.EventDataNewBlockHeader{Header: types.Header{Height: 2}}, `{"type":"tendermint/event/NewBlockHeader","value":{"header":{"version":{},"chain_id":"","height":"2",`},
		{types.EventDataNewBlockEvents{Height: 119}, `{"type":"tendermint/event/NewBlockEvents","value":{"height":"119","events":null,"num_txs":"0"}}`},
		{types.EventDataTx{TxResult: abci.TxResult{Height: 134, Index: 1, Tx: []byte("k3=v3"),
			Result: abci.ExecTxResult{Events: []abci.Event{{Type: "app", Attributes: []abci.EventAttribute{{Key: "key", Value: "k3", Index: true}}}}}}},
			`{"type":"tendermint/event/Tx","value":{"TxResult":{"height":"134","index":1,"tx":"azM9djM=","result":{"events":[{"type":"app","attributes":[{"key":"key","value":"k3","index":true}]}]}}}}`},
		{types.EventDataTx{TxResult: abci.TxResult{Height: 2, Tx: []byte("a")}},
			`{"type":"tendermint/event/Tx","value":{"TxResult":{"height":"2","tx":"YQ==","result":{}}}}`},
		{types.EventDataRoundState{Height: 3, Round: 1, Step: "RoundStepPropose"},
			`{"type":"tendermint/event/RoundState","value":{"height":"3","round":1,"step":"RoundStepPropose"}}`},
		{types.EventDataNewRound{Height: 3, Step: "RoundStepNewRound", Proposer: types.ValidatorInfo{Address: []byte{0xAB}, Index: 0}},
			`{"type":"tendermint/event/NewRound","value":{"height":"3","round":0,"step":"RoundStepNewRound","proposer":{"address":"AB","index":0}}}`},
		{types.EventDataCompleteProposal{Height: 3, Step: "RoundStepPropose"},
			`{"type":"tendermint/event/CompleteProposal","value":{"height":"3","round":0,"step":"RoundStepPropose","block_id":{"hash":"","parts":{"total":0,"hash":""}}}}`},
		{types.EventDataVote{Vote: vote}, `{"type":"tendermint/event/Vote","value":{"Vote":{"type":1,"height":"3","round":0,`},
		{types.EventDataValidatorSetUpdates{}, `{"type":"tendermint/event/ValidatorSetUpdates","value":{"validator_updates":null}}`},
		{types.EventDataNewEvidence{Height: 3, Evidence: duplicateVoteEvidence(t)},
			`{"type":"tendermint/event/NewEvidence","value":{"evidence":{"type":"tendermint/DuplicateVoteEvidence","value":{"vote_a":`},
		{types.EventDataNewBlock{Block: types.MakeBlock(1, nil, &types.Commit{}, nil)},
			`{"type":"tendermint/event/NewBlock","value":{"block":{"header":`},
	} {
		view, err := eventDataJSON(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		js, err := cmtjson.Marshal(&ResultEvent{Data: view})
		if err != nil {
			t.Fatalf("%T: %v", tc.data, err)
		}
		got := strings.TrimSuffix(strings.TrimPrefix(string(js), `{"query":"","data":`), `,"events":{}}`)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%T:\n got %s\nwant %s…", tc.data, got, tc.want)
		}
	}
	if _, err := eventDataJSON("not an event"); err == nil {
		t.Error("an unknown payload must be refused")
	}
}

// broadcast_evidence reads evidence in its registered JSON form.
func TestEvidenceJSONRoundTrip(t *testing.T) {
	ev := duplicateVoteEvidence(t)
	js, err := cmtjson.Marshal(types.Evidence(ev))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(js), `{"type":"tendermint/DuplicateVoteEvidence","value":{`) {
		t.Fatalf("evidence JSON: %s", js)
	}
	var back types.Evidence
	if err := cmtjson.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if string(back.Hash()) != string(ev.Hash()) || back.ValidateBasic() != nil {
		t.Errorf("decoded evidence %v differs from %v", back, ev)
	}
}
