package core

import (
	"encoding/hex"
	"testing"
	"time"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/types"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Votes, vote sets and part sets are rendered as CometBFT renders them (strings captured from
// dump_consensus_state of cometbft v0.38.26).
func TestRoundStateRendering(t *testing.T) {
	vote := &types.Vote{
		Type: types.PrecommitType, Height: 12, Round: 0,
		BlockID:          types.BlockID{Hash: mustHex(t, "DAAF283B9C6D0BE02E90AAA6B8C64029C0E0009C398A18E1793735B06F825A08")},
		Timestamp:        time.Date(2026, 11, 23, 9, 19, 49, 385025253, time.UTC),
		ValidatorAddress: mustHex(t, "1D3C30EEC9911B5267A19AADB5C663A50E42C5B2"),
		Signature:        mustHex(t, "54E2AF4C1941AABBCCDD"),
	}
	const want = "Vote{0:1D3C30EEC991 12/00/SIGNED_MSG_TYPE_PRECOMMIT(Precommit) DAAF283B9C6D 54E2AF4C1941 000000000000 @ 2026-11-23T09:19:49.385025253Z}"
	if got := voteString(vote); got != want {
		t.Errorf("vote:\n got %s\nwant %s", got, want)
	}
	if got := voteString(nil); got != "nil-Vote" {
		t.Errorf("nil vote: %s", got)
	}

	env := testEnv(t)
	vals := env.Consensus.RoundState().Validators
	summary := SummarizeVotes([]*types.Vote{vote}, vals, nil)
	js, err := cmtjson.Marshal(summary)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != `{"votes":["`+want+`"],"votes_bit_array":"BA{1:x} 10/10 = 1.00","peer_maj_23s":{}}` {
		t.Errorf("vote set: %s", js)
	}
	rv := NewRoundVotes(0, nil, []*types.Vote{nil}, vals)
	if js, _ := cmtjson.Marshal(rv); string(js) !=
		`{"round":0,"prevotes":["nil-Vote"],"prevotes_bit_array":"BA{1:_} 0/10 = 0.00","precommits":["nil-Vote"],"precommits_bit_array":"BA{1:_} 0/10 = 0.00"}` {
		t.Errorf("round votes: %s", js)
	}
	if js, _ := cmtjson.Marshal(SummarizeParts([]bool{true, false, true})); string(js) != `{"count/total":"2/3","parts_bit_array":"x_x"}` {
		t.Errorf("parts: %s", js)
	}

	rs := &RoundState{Height: 13, Round: 0, Step: 1, Validators: vals, Votes: []RoundVotes{rv}}
	simple := rs.Simple()
	js, err = cmtjson.Marshal(simple)
	if err != nil {
		t.Fatal(err)
	}
	wantSimple := `{"height/round/step":"13/0/1","start_time":"0001-01-01T00:00:00Z","proposal_block_hash":"","locked_block_hash":"","valid_block_hash":"",` +
		`"height_vote_set":[` + mustJSON(t, rv) + `],"proposer":{"address":"` + vals.Validators[0].Address.String() + `","index":0}}`
	if string(js) != wantSimple {
		t.Errorf("consensus_state:\n got %s\nwant %s", js, wantSimple)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	js, err := cmtjson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}
