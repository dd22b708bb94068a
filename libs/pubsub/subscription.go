package pubsub

import "sync"

// Message is one published message as a subscription receives it.
type Message struct {
	subscriptionID string
	data           any
	events         map[string][]string
}

// SubscriptionID returns the ID of the subscription that received the message.
func (m Message) SubscriptionID() string { return m.subscriptionID }

// Data returns the published value. It is shared with other subscribers: read only.
func (m Message) Data() any { return m.data }

// Events returns the event map the message was published with (the map the subscription's
// query matched). It is shared with other subscribers: read only.
func (m Message) Events() map[string][]string { return m.events }

// Subscription is one client's subscription to one query. Its owner reads Out until Canceled
// is closed; the server writes to it.
type Subscription struct {
	id       string
	clientID string
	query    Query
	key      string // query.String(), the subscription's identity with clientID
	out      chan Message
	canceled chan struct{}
	lossless bool

	mu    sync.Mutex
	err   error         // set once, when canceled is closed
	queue []Message     // lossless only: messages not yet handed to out
	wake  chan struct{} // lossless only: signals the pump that queue grew
	done  chan struct{} // lossless only: closed when the pump has exited
}

func newSubscription(id, clientID string, q Query, key string, capacity int, lossless bool) *Subscription {
	sub := &Subscription{
		id:       id,
		clientID: clientID,
		query:    q,
		key:      key,
		out:      make(chan Message, capacity),
		canceled: make(chan struct{}),
		lossless: lossless,
	}
	if lossless {
		sub.wake = make(chan struct{}, 1)
		sub.done = make(chan struct{})
		go sub.pump()
	}
	return sub
}

// ID returns the subscription's server-unique ID, also carried by its messages.
func (s *Subscription) ID() string { return s.id }

// ClientID returns the client the subscription belongs to.
func (s *Subscription) ClientID() string { return s.clientID }

// Query returns the query the subscription was made with.
func (s *Subscription) Query() Query { return s.query }

// Out returns the channel of matching messages. It is never closed: select on Canceled too.
// Once Canceled is closed nothing new is published to Out, but messages published before may
// still be readable (a buffered channel's contents, or the one message a lossless
// subscription was handing over); the reader may drain or drop them.
func (s *Subscription) Out() <-chan Message { return s.out }

// Canceled returns a channel closed when the subscription ends; Err then says why.
func (s *Subscription) Canceled() <-chan struct{} { return s.canceled }

// Err returns nil while the subscription is active, then the reason it ended:
// ErrUnsubscribed, ErrTerminated (too slow), ErrServerStopped, or a *QueryError.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// deliver hands msg to the subscription without blocking; false means a buffered
// subscription's channel is full. The server calls it with its table lock held.
func (s *Subscription) deliver(msg Message) bool {
	if !s.lossless {
		select {
		case s.out <- msg:
			return true
		default:
			return false
		}
	}
	s.mu.Lock()
	s.queue = append(s.queue, msg)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // the pump has a wake-up pending already
	}
	return true
}

// cancel ends the subscription with reason err; only the first call has an effect. The
// server calls it with its table lock held, after removing s from its table.
func (s *Subscription) cancel(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	s.err = err
	s.queue = nil
	close(s.canceled)
}

// pump moves a lossless subscription's queue to its unbuffered out channel, in order, until
// the subscription is canceled.
func (s *Subscription) pump() {
	defer close(s.done)
	for {
		s.mu.Lock()
		if s.err != nil {
			s.mu.Unlock()
			return
		}
		if len(s.queue) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.canceled:
				return
			}
		}
		msg := s.queue[0]
		s.queue[0] = Message{}
		s.queue = s.queue[1:]
		if len(s.queue) == 0 {
			s.queue = nil // let the backing array go
		}
		s.mu.Unlock()
		select {
		case s.out <- msg:
		case <-s.canceled:
			return
		}
	}
}
