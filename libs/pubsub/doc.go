// Package pubsub is the publish/subscribe server under the event bus: publishers hand it a
// message with a flat event map ("type.attribute" → values), and every subscription whose
// query (see package query) matches the map receives the message.
//
// # The publisher never blocks
//
// The publisher is consensus and the block executor, so a slow subscriber must never stall
// it. Publish delivers synchronously but without waiting: it holds the server's table lock
// only while it matches queries and performs non-blocking channel sends, and nothing that
// holds that lock ever waits on another goroutine. Two kinds of subscription follow from it:
//
//   - Subscribe: the subscription has a buffered Out channel. When a message finds the buffer
//     full, the subscription is terminated instead (Err() == ErrTerminated, Canceled() is
//     closed) and the message is not delivered to it; other subscribers are unaffected. This is
//     the only kind to give untrusted clients (the RPC websocket).
//   - SubscribeUnbuffered: a lossless subscription for trusted in-process consumers (the
//     indexer). Out is unbuffered and fed, in order, by one goroutine per subscription from an
//     unbounded queue, so the subscriber sees every message however slow it is — at the price
//     of memory that grows while it lags. CometBFT blocks the publisher on such a
//     subscription; ballot does not.
//
// # Identity and lifecycle
//
// A subscription is identified by (client ID, query.String()); a client may hold any number
// of subscriptions with distinct queries. Limits on clients and subscriptions per client are
// the RPC layer's, which reads NumClients and NumClientSubscriptions.
//
// The server needs no goroutine of its own. Run(ctx) bounds its life: when ctx ends, every
// subscription is canceled with ErrServerStopped, later Subscribe calls fail with
// ErrServerStopped and later publishes are dropped (they have no subscribers).
//
// All methods are safe for concurrent use. Messages from consecutive Publish calls reach each
// subscription in call order. The message data and the event map are shared by every
// subscriber: neither the publisher nor the subscribers may modify them after Publish.
package pubsub
