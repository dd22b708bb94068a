package types

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// published publishes one event on a fresh bus and returns what a match-all subscriber got.
func published(t *testing.T, publish func(*EventBus) error) pubsub.Message {
	t.Helper()
	bus := NewEventBus()
	sub, err := bus.Subscribe(context.Background(), "test", query.All, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := publish(bus); err != nil {
		t.Fatalf("publish: %v", err)
	}
	select {
	case m := <-sub.Out():
		return m
	default:
		t.Fatal("nothing was published")
		return pubsub.Message{}
	}
}

// checkQueries asserts which queries match an event map.
func checkQueries(t *testing.T, events map[string][]string, matching, notMatching []string) {
	t.Helper()
	for _, want := range []bool{true, false} {
		qs := matching
		if !want {
			qs = notMatching
		}
		for _, s := range qs {
			q, err := query.Parse(s)
			if err != nil {
				t.Fatalf("Parse(%q): %v", s, err)
			}
			if got, _ := q.Matches(events); got != want {
				t.Errorf("%q.Matches(%v) = %v, want %v", s, events, got, want)
			}
		}
	}
}

func attr(key, value string) abci.EventAttribute {
	return abci.EventAttribute{Key: key, Value: value, Index: true}
}

func TestPublishEventTx(t *testing.T) {
	// The transaction of rpc.md §6.3's captured Tx event, with events like the kvstore's plus
	// ones the event bus must skip.
	data := EventDataTx{TxResult: abci.TxResult{
		Height: 134,
		Index:  1,
		Tx:     []byte("k3=v3"),
		Result: abci.ExecTxResult{Events: []abci.Event{
			{Type: "app", Attributes: []abci.EventAttribute{attr("creator", "Cosmoshi Netowoko"), attr("key", "k3")}},
			{Type: "app", Attributes: []abci.EventAttribute{{Key: "key", Value: "v3"}}}, // not indexed: still in the map
			{Type: "", Attributes: []abci.EventAttribute{attr("orphan", "x")}},          // empty type: skipped
			{Type: "transfer", Attributes: []abci.EventAttribute{attr("", "x"), attr("sender", "alice")}},
		}},
	}}
	m := published(t, func(b *EventBus) error { return b.PublishEventTx(data) })
	if !reflect.DeepEqual(m.Data(), data) {
		t.Errorf("data = %+v, want %+v", m.Data(), data)
	}
	want := map[string][]string{
		"tm.event":        {"Tx"},
		"tx.hash":         {"576FC328665BF180F2EA32274A869E933EC95793D74A19D78608D45428DE8245"},
		"tx.height":       {"134"},
		"app.creator":     {"Cosmoshi Netowoko"},
		"app.key":         {"k3", "v3"},
		"transfer.sender": {"alice"},
	}
	if !reflect.DeepEqual(m.Events(), want) {
		t.Errorf("events =\n%v\nwant\n%v", m.Events(), want)
	}
	checkQueries(t, m.Events(),
		[]string{
			"tm.event = 'Tx'",
			"tm.event='Tx' AND tx.height=134",
			"tx.height > 5 AND tx.height <= 134",
			"tx.hash = '576FC328665BF180F2EA32274A869E933EC95793D74A19D78608D45428DE8245'",
			"transfer.sender='alice'",
			"app.key = 'v3' AND app.creator CONTAINS 'Netowoko'",
			EventQueryTx.String(),
			EventQueryTxFor(Tx("k3=v3")).String(),
		},
		[]string{
			"tm.event='Tx' AND tx.height=5",
			"tm.event = 'NewBlock'",
			"transfer.sender = 'bob'",
			"orphan EXISTS",
			EventQueryTxFor(Tx("k3=v4")).String(),
		})
}

func TestPublishEventTxAppendsReservedKeysAfterAppValues(t *testing.T) {
	data := EventDataTx{TxResult: abci.TxResult{Height: 5, Tx: []byte("tx"), Result: abci.ExecTxResult{
		Events: []abci.Event{{Type: "tx", Attributes: []abci.EventAttribute{attr("height", "99")}}},
	}}}
	m := published(t, func(b *EventBus) error { return b.PublishEventTx(data) })
	if got := m.Events()[TxHeightKey]; !reflect.DeepEqual(got, []string{"99", "5"}) {
		t.Errorf("tx.height = %v, want [99 5]", got)
	}
	checkQueries(t, m.Events(), []string{"tm.event='Tx' AND tx.height=5", "tx.height = 99"}, nil)
}

func TestPublishEventNewBlock(t *testing.T) {
	data := EventDataNewBlock{
		Block:   &Block{},
		BlockID: BlockID{Hash: make([]byte, 32)},
		ResultFinalizeBlock: abci.ResponseFinalizeBlock{Events: []abci.Event{
			{Type: "transfer", Attributes: []abci.EventAttribute{attr("sender", "alice"), attr("amount", "8stake")}},
			{Type: "transfer", Attributes: []abci.EventAttribute{attr("sender", "bob")}},
			{Type: "rewards", Attributes: []abci.EventAttribute{{Key: "", Value: "dropped"}}},
		}},
	}
	m := published(t, func(b *EventBus) error { return b.PublishEventNewBlock(data) })
	if !reflect.DeepEqual(m.Data(), data) {
		t.Errorf("data = %+v, want %+v", m.Data(), data)
	}
	want := map[string][]string{
		"tm.event":        {"NewBlock"},
		"transfer.sender": {"alice", "bob"},
		"transfer.amount": {"8stake"},
	}
	if !reflect.DeepEqual(m.Events(), want) {
		t.Errorf("events = %v, want %v", m.Events(), want)
	}
	checkQueries(t, m.Events(),
		[]string{
			EventQueryNewBlock.String(),
			"tm.event = 'NewBlock' AND transfer.sender = 'bob'",
			"transfer.amount > 7",
			"transfer EXISTS",
		},
		[]string{
			"block.height EXISTS", // CometBFT v0.38 adds no block.height here (rpc.md §6.3)
			"rewards EXISTS",
			"tm.event = 'NewBlockEvents'",
		})
}

func TestPublishEventNewBlockEvents(t *testing.T) {
	// rpc.md §6.3's captured NewBlockEvents event: no block events, map with tm.event only.
	empty := EventDataNewBlockEvents{Height: 119, NumTxs: 0}
	m := published(t, func(b *EventBus) error { return b.PublishEventNewBlockEvents(empty) })
	if want := map[string][]string{"tm.event": {"NewBlockEvents"}}; !reflect.DeepEqual(m.Events(), want) {
		t.Errorf("events = %v, want %v", m.Events(), want)
	}
	if !reflect.DeepEqual(m.Data(), empty) {
		t.Errorf("data = %+v", m.Data())
	}

	data := EventDataNewBlockEvents{Height: 7, NumTxs: 2, Events: []abci.Event{
		{Type: "mint", Attributes: []abci.EventAttribute{attr("amount", "100"), {Key: "inflation", Value: "0.13"}}},
	}}
	m = published(t, func(b *EventBus) error { return b.PublishEventNewBlockEvents(data) })
	want := map[string][]string{"tm.event": {"NewBlockEvents"}, "mint.amount": {"100"}, "mint.inflation": {"0.13"}}
	if !reflect.DeepEqual(m.Events(), want) {
		t.Errorf("events = %v, want %v", m.Events(), want)
	}
	checkQueries(t, m.Events(),
		[]string{"tm.event='NewBlockEvents' AND mint.amount >= 100", "mint.inflation < 0.2"},
		[]string{"block.height = 7", "tm.event = 'NewBlock'"})
}

// TestTypeOnlyEvents checks every publisher whose map holds tm.event alone.
func TestTypeOnlyEvents(t *testing.T) {
	rs := EventDataRoundState{Height: 3, Round: 1, Step: "RoundStepPrevote"}
	tests := []struct {
		eventType string
		q         *query.Query
		data      EventData
		publish   func(*EventBus) error
	}{
		{EventNewBlockHeader, EventQueryNewBlockHeader, EventDataNewBlockHeader{Header: Header{Height: 3}},
			func(b *EventBus) error {
				return b.PublishEventNewBlockHeader(EventDataNewBlockHeader{Header: Header{Height: 3}})
			}},
		{EventNewEvidence, EventQueryNewEvidence, EventDataNewEvidence{Height: 3},
			func(b *EventBus) error { return b.PublishEventNewEvidence(EventDataNewEvidence{Height: 3}) }},
		{EventValidatorSetUpdates, EventQueryValidatorSetUpdates, EventDataValidatorSetUpdates{ValidatorUpdates: []*Validator{{VotingPower: 10}}},
			func(b *EventBus) error {
				return b.PublishEventValidatorSetUpdates(EventDataValidatorSetUpdates{ValidatorUpdates: []*Validator{{VotingPower: 10}}})
			}},
		{EventNewRoundStep, EventQueryNewRoundStep, rs, func(b *EventBus) error { return b.PublishEventNewRoundStep(rs) }},
		{EventTimeoutPropose, EventQueryTimeoutPropose, rs, func(b *EventBus) error { return b.PublishEventTimeoutPropose(rs) }},
		{EventTimeoutWait, EventQueryTimeoutWait, rs, func(b *EventBus) error { return b.PublishEventTimeoutWait(rs) }},
		{EventPolka, EventQueryPolka, rs, func(b *EventBus) error { return b.PublishEventPolka(rs) }},
		{EventLock, EventQueryLock, rs, func(b *EventBus) error { return b.PublishEventLock(rs) }},
		{EventUnlock, EventQueryUnlock, rs, func(b *EventBus) error { return b.PublishEventUnlock(rs) }},
		{EventRelock, EventQueryRelock, rs, func(b *EventBus) error { return b.PublishEventRelock(rs) }},
		{EventValidBlock, EventQueryValidBlock, rs, func(b *EventBus) error { return b.PublishEventValidBlock(rs) }},
		{EventNewRound, EventQueryNewRound, EventDataNewRound{Height: 3, Proposer: ValidatorInfo{Address: make([]byte, 20), Index: 2}},
			func(b *EventBus) error {
				return b.PublishEventNewRound(EventDataNewRound{Height: 3, Proposer: ValidatorInfo{Address: make([]byte, 20), Index: 2}})
			}},
		{EventCompleteProposal, EventQueryCompleteProposal, EventDataCompleteProposal{Height: 3, Step: "RoundStepPropose"},
			func(b *EventBus) error {
				return b.PublishEventCompleteProposal(EventDataCompleteProposal{Height: 3, Step: "RoundStepPropose"})
			}},
		{EventVote, EventQueryVote, EventDataVote{Vote: &Vote{Height: 3}},
			func(b *EventBus) error { return b.PublishEventVote(EventDataVote{Vote: &Vote{Height: 3}}) }},
	}
	for _, tt := range tests {
		m := published(t, tt.publish)
		if want := map[string][]string{EventTypeKey: {tt.eventType}}; !reflect.DeepEqual(m.Events(), want) {
			t.Errorf("%s: events = %v, want %v", tt.eventType, m.Events(), want)
		}
		if !reflect.DeepEqual(m.Data(), tt.data) {
			t.Errorf("%s: data = %+v, want %+v", tt.eventType, m.Data(), tt.data)
		}
		if ok, _ := tt.q.Matches(m.Events()); !ok {
			t.Errorf("%s: %q does not match", tt.eventType, tt.q)
		}
		if ok, _ := EventQueryTx.Matches(m.Events()); ok {
			t.Errorf("%s: the Tx query matches", tt.eventType)
		}
	}
}

func TestEventBusSubscriptions(t *testing.T) {
	bus := NewEventBus()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- bus.Run(ctx) }()

	votes, err := bus.Subscribe(context.Background(), "rpc", EventQueryVote, 1)
	if err != nil {
		t.Fatal(err)
	}
	txs, err := bus.SubscribeUnbuffered(context.Background(), "indexer", EventQueryTx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.Subscribe(context.Background(), "rpc", query.MustParse("tm.event='Vote'"), 1); !errors.Is(err, pubsub.ErrAlreadySubscribed) {
		t.Errorf("duplicate subscription: %v", err)
	}
	if bus.NumClients() != 2 || bus.NumClientSubscriptions("rpc") != 1 {
		t.Errorf("counts: %d clients, rpc has %d", bus.NumClients(), bus.NumClientSubscriptions("rpc"))
	}

	// Nobody reads: consensus and the block executor go on regardless.
	for h := range int64(50) {
		if err := bus.PublishEventVote(EventDataVote{Vote: &Vote{Height: h}}); err != nil {
			t.Fatal(err)
		}
		if err := bus.PublishEventTx(EventDataTx{TxResult: abci.TxResult{Height: h, Tx: Tx("t")}}); err != nil {
			t.Fatal(err)
		}
	}
	<-votes.Canceled()
	if !errors.Is(votes.Err(), pubsub.ErrTerminated) {
		t.Errorf("slow vote subscriber: Err = %v, want ErrTerminated", votes.Err())
	}
	for h := range int64(50) {
		m := <-txs.Out()
		if got := m.Data().(EventDataTx).TxResult.Height; got != h {
			t.Fatalf("indexer got height %d, want %d", got, h)
		}
	}

	if err := bus.Unsubscribe(context.Background(), "indexer", EventQueryTx); err != nil {
		t.Fatal(err)
	}
	if err := bus.UnsubscribeAll(context.Background(), "indexer"); !errors.Is(err, pubsub.ErrSubscriptionNotFound) {
		t.Errorf("UnsubscribeAll after Unsubscribe: %v", err)
	}
	last, err := bus.Subscribe(context.Background(), "rpc", EventQueryNewBlock, 1)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run = %v", err)
	}
	<-last.Canceled()
	if !errors.Is(last.Err(), pubsub.ErrServerStopped) {
		t.Errorf("after Run: Err = %v, want ErrServerStopped", last.Err())
	}
	if err := bus.PublishEventNewBlock(EventDataNewBlock{}); err != nil {
		t.Errorf("publish after stop: %v", err)
	}
}

func TestNopEventBus(t *testing.T) {
	var block BlockEventPublisher = NopEventBus{}
	var cons ConsensusEventPublisher = NopEventBus{}
	var tx TxEventPublisher = NopEventBus{}
	errs := []error{
		block.PublishEventNewBlock(EventDataNewBlock{}),
		block.PublishEventNewBlockHeader(EventDataNewBlockHeader{}),
		block.PublishEventNewBlockEvents(EventDataNewBlockEvents{}),
		block.PublishEventNewEvidence(EventDataNewEvidence{}),
		block.PublishEventValidatorSetUpdates(EventDataValidatorSetUpdates{}),
		tx.PublishEventTx(EventDataTx{}),
		cons.PublishEventNewRoundStep(EventDataRoundState{}),
		cons.PublishEventTimeoutPropose(EventDataRoundState{}),
		cons.PublishEventTimeoutWait(EventDataRoundState{}),
		cons.PublishEventNewRound(EventDataNewRound{}),
		cons.PublishEventCompleteProposal(EventDataCompleteProposal{}),
		cons.PublishEventPolka(EventDataRoundState{}),
		cons.PublishEventLock(EventDataRoundState{}),
		cons.PublishEventUnlock(EventDataRoundState{}),
		cons.PublishEventRelock(EventDataRoundState{}),
		cons.PublishEventValidBlock(EventDataRoundState{}),
		cons.PublishEventVote(EventDataVote{}),
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
}
