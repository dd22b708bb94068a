package types

import (
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
)

func TestEventQueries(t *testing.T) {
	tests := []struct {
		q    *query.Query
		want string
	}{
		{EventQueryNewBlock, "tm.event = 'NewBlock'"},
		{EventQueryNewBlockHeader, "tm.event = 'NewBlockHeader'"},
		{EventQueryNewBlockEvents, "tm.event = 'NewBlockEvents'"},
		{EventQueryNewEvidence, "tm.event = 'NewEvidence'"},
		{EventQueryTx, "tm.event = 'Tx'"},
		{EventQueryValidatorSetUpdates, "tm.event = 'ValidatorSetUpdates'"},
		{EventQueryCompleteProposal, "tm.event = 'CompleteProposal'"},
		{EventQueryLock, "tm.event = 'Lock'"},
		{EventQueryNewRound, "tm.event = 'NewRound'"},
		{EventQueryNewRoundStep, "tm.event = 'NewRoundStep'"},
		{EventQueryPolka, "tm.event = 'Polka'"},
		{EventQueryRelock, "tm.event = 'Relock'"},
		{EventQueryTimeoutPropose, "tm.event = 'TimeoutPropose'"},
		{EventQueryTimeoutWait, "tm.event = 'TimeoutWait'"},
		{EventQueryUnlock, "tm.event = 'Unlock'"},
		{EventQueryValidBlock, "tm.event = 'ValidBlock'"},
		{EventQueryVote, "tm.event = 'Vote'"},
		// tx "k3=v3", the transaction of rpc.md §6.3's captured Tx event.
		{EventQueryTxFor(Tx("k3=v3")),
			"tm.event = 'Tx' AND tx.hash = '576FC328665BF180F2EA32274A869E933EC95793D74A19D78608D45428DE8245'"},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.want {
			t.Errorf("query = %q, want %q", got, tt.want)
		}
	}
}

func TestQueryForEvent(t *testing.T) {
	q, err := QueryForEvent("Custom-Event")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := q.Matches(map[string][]string{EventTypeKey: {"Custom-Event"}}); !ok {
		t.Errorf("%q does not match its event", q)
	}
	if ok, _ := q.Matches(map[string][]string{EventTypeKey: {"Tx"}}); ok {
		t.Errorf("%q matches another event", q)
	}
	if _, err := QueryForEvent("it's"); err == nil {
		t.Error("QueryForEvent accepted a type with a quote")
	}
}
