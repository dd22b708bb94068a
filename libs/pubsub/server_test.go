package pubsub

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
)

var (
	txEvents    = map[string][]string{"tm.event": {"Tx"}, "tx.height": {"5"}, "transfer.sender": {"alice"}}
	blockEvents = map[string][]string{"tm.event": {"NewBlock"}}
)

// newServer returns a server whose Run ends with the test, so no subscription (and no
// lossless pump goroutine) outlives it.
func newServer(t *testing.T) *Server {
	t.Helper()
	s := NewServer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

func subscribe(t *testing.T, s *Server, client, q string, capacity int) *Subscription {
	t.Helper()
	sub, err := s.Subscribe(context.Background(), client, query.MustParse(q), capacity)
	if err != nil {
		t.Fatalf("Subscribe(%s, %q): %v", client, q, err)
	}
	return sub
}

func publish(t *testing.T, s *Server, msg any, events map[string][]string) {
	t.Helper()
	if err := s.PublishWithEvents(context.Background(), msg, events); err != nil {
		t.Fatalf("PublishWithEvents(%v): %v", msg, err)
	}
}

// pending returns the messages waiting in a buffered subscription's channel. Delivery is
// synchronous, so after Publish returns they are all there.
func pending(sub *Subscription) []any {
	var got []any
	for {
		select {
		case m := <-sub.Out():
			got = append(got, m.Data())
		default:
			return got
		}
	}
}

func wantData(t *testing.T, sub *Subscription, want ...any) {
	t.Helper()
	if got := pending(sub); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("subscription %s got %v, want %v", sub.Query(), got, want)
	}
}

func TestMessageCarriesDataEventsAndID(t *testing.T) {
	s := newServer(t)
	sub := subscribe(t, s, "c", "tm.event = 'Tx'", 1)
	publish(t, s, "tx1", txEvents)
	m := <-sub.Out()
	if m.Data() != "tx1" || !reflect.DeepEqual(m.Events(), txEvents) || m.SubscriptionID() != sub.ID() || sub.ID() == "" {
		t.Errorf("message = %q %v %q; want tx1 %v %q", m.Data(), m.Events(), m.SubscriptionID(), txEvents, sub.ID())
	}
	if sub.ClientID() != "c" || sub.Err() != nil {
		t.Errorf("ClientID %q, Err %v", sub.ClientID(), sub.Err())
	}
}

func TestOnlyMatchingSubscriptionsReceive(t *testing.T) {
	s := newServer(t)
	txs := subscribe(t, s, "a", "tm.event = 'Tx'", 10)
	txsB := subscribe(t, s, "b", "tm.event='Tx'", 10) // same query, other client
	blocks := subscribe(t, s, "a", "tm.event = 'NewBlock'", 10)
	alice := subscribe(t, s, "b", "transfer.sender = 'alice' AND tx.height > 4", 10)
	bob := subscribe(t, s, "c", "transfer.sender = 'bob'", 10)
	all, err := s.Subscribe(context.Background(), "d", query.All, 10)
	if err != nil {
		t.Fatal(err)
	}

	publish(t, s, "block1", blockEvents)
	publish(t, s, "tx1", txEvents)
	publish(t, s, "block2", blockEvents)
	if err := s.Publish(context.Background(), "plain"); err != nil {
		t.Fatal(err)
	}

	wantData(t, txs, "tx1")
	wantData(t, txsB, "tx1")
	wantData(t, blocks, "block1", "block2")
	wantData(t, alice, "tx1")
	wantData(t, bob)
	wantData(t, all, "block1", "tx1", "block2", "plain")
}

func TestSubscriptionIdentity(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	subscribe(t, s, "a", "tm.event = 'Tx'", 1)
	if _, err := s.Subscribe(ctx, "a", query.MustParse("tm.event='Tx'"), 1); !errors.Is(err, ErrAlreadySubscribed) {
		t.Errorf("same client, same query: err = %v, want ErrAlreadySubscribed", err)
	}
	if _, err := s.SubscribeUnbuffered(ctx, "a", query.MustParse("tm.event  =  'Tx'")); !errors.Is(err, ErrAlreadySubscribed) {
		t.Errorf("same client, same query, unbuffered: err = %v, want ErrAlreadySubscribed", err)
	}
	subscribe(t, s, "b", "tm.event = 'Tx'", 1)
	subscribe(t, s, "a", "tm.event = 'NewBlock'", 1)
	if n := s.NumClients(); n != 2 {
		t.Errorf("NumClients = %d, want 2", n)
	}
	if n := s.NumClientSubscriptions("a"); n != 2 {
		t.Errorf("NumClientSubscriptions(a) = %d, want 2", n)
	}
	if n := s.NumClientSubscriptions("nobody"); n != 0 {
		t.Errorf("NumClientSubscriptions(nobody) = %d, want 0", n)
	}
}

func TestBadSubscribeArguments(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	for _, capacity := range []int{0, -1} {
		if _, err := s.Subscribe(ctx, "a", query.All, capacity); err == nil {
			t.Errorf("Subscribe with capacity %d succeeded", capacity)
		}
	}
	if _, err := s.Subscribe(ctx, "a", nil, 1); err == nil {
		t.Error("Subscribe with a nil query succeeded")
	}
	if s.NumClients() != 0 {
		t.Errorf("failed subscribes left %d clients", s.NumClients())
	}
}

func TestUnsubscribe(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	txs := subscribe(t, s, "a", "tm.event = 'Tx'", 10)
	blocks := subscribe(t, s, "a", "tm.event = 'NewBlock'", 10)
	other := subscribe(t, s, "b", "tm.event = 'Tx'", 10)

	if err := s.Unsubscribe(ctx, "a", query.MustParse("tm.event='Tx'")); err != nil {
		t.Fatal(err)
	}
	<-txs.Canceled()
	if !errors.Is(txs.Err(), ErrUnsubscribed) {
		t.Errorf("Err = %v, want ErrUnsubscribed", txs.Err())
	}
	if err := s.Unsubscribe(ctx, "a", query.MustParse("tm.event='Tx'")); !errors.Is(err, ErrSubscriptionNotFound) {
		t.Errorf("second Unsubscribe: %v, want ErrSubscriptionNotFound", err)
	}
	publish(t, s, "tx1", txEvents)
	wantData(t, txs)
	wantData(t, other, "tx1")
	if n := s.NumClientSubscriptions("a"); n != 1 {
		t.Errorf("NumClientSubscriptions(a) = %d, want 1", n)
	}

	if err := s.UnsubscribeAll(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	<-blocks.Canceled()
	if !errors.Is(blocks.Err(), ErrUnsubscribed) {
		t.Errorf("Err = %v, want ErrUnsubscribed", blocks.Err())
	}
	if err := s.UnsubscribeAll(ctx, "a"); !errors.Is(err, ErrSubscriptionNotFound) {
		t.Errorf("second UnsubscribeAll: %v, want ErrSubscriptionNotFound", err)
	}
	if n := s.NumClients(); n != 1 {
		t.Errorf("NumClients = %d, want 1", n)
	}
	// The pair can be subscribed again.
	again := subscribe(t, s, "a", "tm.event = 'Tx'", 1)
	publish(t, s, "tx2", txEvents)
	wantData(t, again, "tx2")
}

func TestSlowSubscriberIsTerminatedOthersContinue(t *testing.T) {
	s := newServer(t)
	slow := subscribe(t, s, "slow", "tm.event = 'Tx'", 2)
	fast := subscribe(t, s, "fast", "tm.event = 'Tx'", 100)
	lossless, err := s.SubscribeUnbuffered(context.Background(), "indexer", query.MustParse("tm.event = 'Tx'"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		publish(t, s, i, txEvents)
	}
	<-slow.Canceled()
	if !errors.Is(slow.Err(), ErrTerminated) {
		t.Errorf("slow Err = %v, want ErrTerminated", slow.Err())
	}
	// The buffer keeps what was delivered before termination; nothing after.
	wantData(t, slow, 0, 1)
	wantData(t, fast, 0, 1, 2, 3, 4)
	for i := range 5 {
		if m := <-lossless.Out(); m.Data() != i {
			t.Fatalf("lossless message %d = %v", i, m.Data())
		}
	}
	if s.NumClients() != 2 || s.NumClientSubscriptions("slow") != 0 {
		t.Errorf("after termination: %d clients, slow has %d subscriptions", s.NumClients(), s.NumClientSubscriptions("slow"))
	}
	// The terminated client may subscribe again.
	subscribe(t, s, "slow", "tm.event = 'Tx'", 2)
}

func TestPublisherNeverBlocks(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	stuck := subscribe(t, s, "stuck", "tm.event = 'Tx'", 1)
	lagging, err := s.SubscribeUnbuffered(ctx, "lagging", query.MustParse("tm.event = 'Tx'"))
	if err != nil {
		t.Fatal(err)
	}
	// Nobody reads while the publisher runs; it must still finish.
	const n = 10000
	for i := range n {
		publish(t, s, i, txEvents)
	}
	if !errors.Is(stuck.Err(), ErrTerminated) {
		t.Errorf("stuck Err = %v, want ErrTerminated", stuck.Err())
	}
	// The lossless subscriber then reads everything, in order.
	for i := range n {
		if m := <-lagging.Out(); m.Data() != i {
			t.Fatalf("message %d = %v", i, m.Data())
		}
	}
	if lagging.Err() != nil {
		t.Errorf("lossless subscription ended: %v", lagging.Err())
	}
}

func TestUnsubscribeStopsLosslessPump(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	sub, err := s.SubscribeUnbuffered(ctx, "a", query.All)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, s, 1, txEvents) // queued, never read
	publish(t, s, 2, txEvents)
	if err := s.Unsubscribe(ctx, "a", query.All); err != nil {
		t.Fatal(err)
	}
	<-sub.done // the pump goroutine has exited
	if !errors.Is(sub.Err(), ErrUnsubscribed) {
		t.Errorf("Err = %v", sub.Err())
	}
}

func TestRunStopsTheServer(t *testing.T) {
	s := NewServer()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx) }()

	buffered := subscribe(t, s, "a", "tm.event = 'Tx'", 1)
	lossless, err := s.SubscribeUnbuffered(context.Background(), "b", query.All)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	for _, sub := range []*Subscription{buffered, lossless} {
		<-sub.Canceled()
		if !errors.Is(sub.Err(), ErrServerStopped) {
			t.Errorf("Err = %v, want ErrServerStopped", sub.Err())
		}
	}
	<-lossless.done
	if _, err := s.Subscribe(context.Background(), "a", query.All, 1); !errors.Is(err, ErrServerStopped) {
		t.Errorf("Subscribe after stop: %v, want ErrServerStopped", err)
	}
	if err := s.PublishWithEvents(context.Background(), "late", txEvents); err != nil {
		t.Errorf("Publish after stop: %v", err)
	}
	if s.NumClients() != 0 {
		t.Errorf("NumClients after stop = %d", s.NumClients())
	}
}

func TestEndedContextIsRefused(t *testing.T) {
	s := newServer(t)
	sub := subscribe(t, s, "a", "tm.event = 'Tx'", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Subscribe(ctx, "b", query.All, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe: %v", err)
	}
	if _, err := s.SubscribeUnbuffered(ctx, "b", query.All); !errors.Is(err, context.Canceled) {
		t.Errorf("SubscribeUnbuffered: %v", err)
	}
	if err := s.PublishWithEvents(ctx, "x", txEvents); !errors.Is(err, context.Canceled) {
		t.Errorf("PublishWithEvents: %v", err)
	}
	if err := s.Unsubscribe(ctx, "a", query.MustParse("tm.event = 'Tx'")); !errors.Is(err, context.Canceled) {
		t.Errorf("Unsubscribe: %v", err)
	}
	if err := s.UnsubscribeAll(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("UnsubscribeAll: %v", err)
	}
	wantData(t, sub)
	if sub.Err() != nil || s.NumClients() != 1 {
		t.Errorf("refused calls changed state: Err %v, %d clients", sub.Err(), s.NumClients())
	}
}

// failingQuery is a Query whose evaluation fails.
type failingQuery struct{}

func (failingQuery) Matches(map[string][]string) (bool, error) { return false, errors.New("boom") }
func (failingQuery) String() string                            { return "failing" }

func TestQueryErrorEndsOnlyThatSubscription(t *testing.T) {
	s := newServer(t)
	bad, err := s.Subscribe(context.Background(), "a", failingQuery{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	good := subscribe(t, s, "b", "tm.event = 'Tx'", 1)
	publish(t, s, "tx1", txEvents)
	<-bad.Canceled()
	var qerr *QueryError
	if !errors.As(bad.Err(), &qerr) || qerr.Query != "failing" || qerr.Err.Error() != "boom" {
		t.Errorf("Err = %v, want a QueryError", bad.Err())
	}
	wantData(t, good, "tx1")
}

// TestConcurrentUse runs publishers, subscribers and unsubscribers at once (for the race
// detector) and checks that a lossless subscriber sees each publisher's messages in order.
func TestConcurrentUse(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	watcher, err := s.SubscribeUnbuffered(ctx, "watcher", query.MustParse("tm.event = 'Tx'"))
	if err != nil {
		t.Fatal(err)
	}
	const publishers, perPublisher = 4, 500
	type msg struct{ publisher, seq int }

	var wg sync.WaitGroup
	defer wg.Wait() // also on a failure below: every goroutine here finishes on its own
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perPublisher {
				if err := s.PublishWithEvents(ctx, msg{p, i}, txEvents); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := fmt.Sprintf("churn-%d", c)
			for i := range 100 {
				q := query.MustParse(fmt.Sprintf("tx.height > %d", i%3))
				sub, err := s.Subscribe(ctx, client, q, 1+i%4)
				if err != nil {
					t.Error(err)
					return
				}
				pending(sub)
				_ = s.NumClients() + s.NumClientSubscriptions(client)
				if err := s.Unsubscribe(ctx, client, q); err != nil && !errors.Is(err, ErrSubscriptionNotFound) {
					t.Error(err) // not found: terminated as slow in the meantime
					return
				}
			}
		}()
	}

	next := make([]int, publishers)
	for range publishers * perPublisher {
		m := (<-watcher.Out()).Data().(msg)
		if m.seq != next[m.publisher] {
			t.Fatalf("publisher %d: got message %d, want %d", m.publisher, m.seq, next[m.publisher])
		}
		next[m.publisher]++
	}
}
