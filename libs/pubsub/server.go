package pubsub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// Errors returned by the server, and reasons a subscription ends (Subscription.Err).
var (
	// ErrAlreadySubscribed: the client already has a subscription with an equal query.
	ErrAlreadySubscribed = errors.New("already subscribed")
	// ErrSubscriptionNotFound: Unsubscribe or UnsubscribeAll found nothing to remove.
	ErrSubscriptionNotFound = errors.New("subscription not found")
	// ErrServerStopped: the server's Run has ended; also the reason of every subscription
	// canceled by that (the RPC layer reports it to websocket clients as "CometBFT exited").
	ErrServerStopped = errors.New("pubsub server stopped")
	// ErrUnsubscribed: the subscription was removed by Unsubscribe or UnsubscribeAll.
	ErrUnsubscribed = errors.New("client unsubscribed")
	// ErrTerminated: a buffered subscription's channel was full when a message arrived; the
	// subscriber did not keep up. The text is CometBFT's.
	ErrTerminated = errors.New("client is not pulling messages fast enough")
)

// QueryError ends a subscription whose query failed to evaluate an event map.
type QueryError struct {
	Query string // the query's String
	Err   error  // what Matches returned
}

func (e *QueryError) Error() string {
	return fmt.Sprintf("failed to match against query %s: %v", e.Query, e.Err)
}

func (e *QueryError) Unwrap() error { return e.Err }

// Query selects messages by their event map. Implementations must be safe for concurrent
// use and must not modify the map; String identifies the query (two queries with equal
// String are the same subscription). *query.Query implements it.
type Query interface {
	Matches(events map[string][]string) (bool, error)
	String() string
}

// Server routes published messages to matching subscriptions. The zero value is not usable;
// call NewServer. See the package documentation for the delivery guarantees.
type Server struct {
	mu      sync.Mutex
	stopped bool
	nextID  uint64
	clients map[string]map[string]*Subscription // client ID → query string → subscription
	queries map[string]*queryGroup              // query string → its subscriptions
}

// queryGroup is the subscriptions sharing one query, so the query is evaluated once per
// message however many clients hold it.
type queryGroup struct {
	query Query
	subs  map[string]*Subscription // client ID → subscription
}

// NewServer returns a server ready for use; Run bounds its life.
func NewServer() *Server {
	return &Server{
		clients: make(map[string]map[string]*Subscription),
		queries: make(map[string]*queryGroup),
	}
}

// Run returns when ctx ends, after stopping the server: every subscription is canceled
// with ErrServerStopped. The server works before and without Run. Run returns nil.
func (s *Server) Run(ctx context.Context) error {
	<-ctx.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for _, subs := range s.clients {
		for _, sub := range subs {
			s.remove(sub, ErrServerStopped)
		}
	}
	return nil
}

// Subscribe subscribes clientID to messages matching q, delivered on a channel of
// outCapacity (> 0) messages; a subscriber that lets it fill up is terminated (ErrTerminated).
// It fails with ErrAlreadySubscribed, ErrServerStopped, ctx's error if ctx has ended, or an
// error for a non-positive capacity or nil query.
func (s *Server) Subscribe(ctx context.Context, clientID string, q Query, outCapacity int) (*Subscription, error) {
	if outCapacity <= 0 {
		return nil, fmt.Errorf("pubsub: subscription capacity %d is not positive (use SubscribeUnbuffered)", outCapacity)
	}
	return s.subscribe(ctx, clientID, q, outCapacity, false)
}

// SubscribeUnbuffered subscribes clientID to every message matching q, with no loss and no
// termination for slowness: messages wait in an unbounded queue until read from Out. Only for
// trusted in-process subscribers that keep reading. Errors are as for Subscribe.
func (s *Server) SubscribeUnbuffered(ctx context.Context, clientID string, q Query) (*Subscription, error) {
	return s.subscribe(ctx, clientID, q, 0, true)
}

func (s *Server) subscribe(ctx context.Context, clientID string, q Query, capacity int, lossless bool) (*Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errors.New("pubsub: nil query")
	}
	key := q.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, ErrServerStopped
	}
	if _, ok := s.clients[clientID][key]; ok {
		return nil, ErrAlreadySubscribed
	}
	s.nextID++
	sub := newSubscription(strconv.FormatUint(s.nextID, 10), clientID, q, key, capacity, lossless)
	if s.clients[clientID] == nil {
		s.clients[clientID] = make(map[string]*Subscription)
	}
	s.clients[clientID][key] = sub
	group := s.queries[key]
	if group == nil {
		group = &queryGroup{query: q, subs: make(map[string]*Subscription)}
		s.queries[key] = group
	}
	group.subs[clientID] = sub
	return sub, nil
}

// Unsubscribe ends clientID's subscription to q (matched by q.String()) with
// ErrUnsubscribed. It fails with ErrSubscriptionNotFound or ctx's error if ctx has ended.
func (s *Server) Unsubscribe(ctx context.Context, clientID string, q Query) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if q == nil {
		return ErrSubscriptionNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.clients[clientID][q.String()]
	if !ok {
		return ErrSubscriptionNotFound
	}
	s.remove(sub, ErrUnsubscribed)
	return nil
}

// UnsubscribeAll ends all of clientID's subscriptions with ErrUnsubscribed. It fails with
// ErrSubscriptionNotFound if there are none, or ctx's error if ctx has ended.
func (s *Server) UnsubscribeAll(ctx context.Context, clientID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	subs, ok := s.clients[clientID]
	if !ok {
		return ErrSubscriptionNotFound
	}
	for _, sub := range subs {
		s.remove(sub, ErrUnsubscribed)
	}
	return nil
}

// NumClients returns the number of clients with at least one subscription.
func (s *Server) NumClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// NumClientSubscriptions returns the number of clientID's subscriptions.
func (s *Server) NumClientSubscriptions(clientID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients[clientID])
}

// Publish publishes msg with an empty event map, which only query.All matches.
func (s *Server) Publish(ctx context.Context, msg any) error {
	return s.PublishWithEvents(ctx, msg, map[string][]string{})
}

// PublishWithEvents delivers msg to every subscription whose query matches events, without
// ever waiting for a subscriber (see the package documentation); it returns once every
// matching subscription has the message or has been terminated. The only error is ctx's, if
// ctx had ended before the call (then nothing is published). After the server stopped it
// publishes to no one and returns nil.
func (s *Server) PublishWithEvents(ctx context.Context, msg any, events map[string][]string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, group := range s.queries {
		match, err := group.query.Matches(events)
		if err != nil {
			reason := &QueryError{Query: key, Err: err}
			for _, sub := range group.subs {
				s.remove(sub, reason)
			}
			continue
		}
		if !match {
			continue
		}
		for _, sub := range group.subs {
			if !sub.deliver(Message{subscriptionID: sub.id, data: msg, events: events}) {
				s.remove(sub, ErrTerminated)
			}
		}
	}
	return nil
}

// remove takes sub out of the tables and cancels it with reason. Callers hold s.mu.
func (s *Server) remove(sub *Subscription, reason error) {
	key := sub.key
	if subs := s.clients[sub.clientID]; subs[key] == sub {
		delete(subs, key)
		if len(subs) == 0 {
			delete(s.clients, sub.clientID)
		}
	}
	if group := s.queries[key]; group != nil && group.subs[sub.clientID] == sub {
		delete(group.subs, sub.clientID)
		if len(group.subs) == 0 {
			delete(s.queries, key)
		}
	}
	sub.cancel(reason)
}
