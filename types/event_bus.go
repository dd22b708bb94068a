package types

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ballot-bft/ballot/libs/pubsub"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// BlockEventPublisher publishes the events of a committed block. The block executor takes
// one. Publishing never blocks on subscribers; an error means the event was not published
// (the caller logs it and carries on: events never stop the chain).
type BlockEventPublisher interface {
	PublishEventNewBlock(EventDataNewBlock) error
	PublishEventNewBlockHeader(EventDataNewBlockHeader) error
	PublishEventNewBlockEvents(EventDataNewBlockEvents) error
	PublishEventNewEvidence(EventDataNewEvidence) error
	PublishEventTx(EventDataTx) error
	PublishEventValidatorSetUpdates(EventDataValidatorSetUpdates) error
}

// TxEventPublisher publishes transaction results.
type TxEventPublisher interface {
	PublishEventTx(EventDataTx) error
}

// ConsensusEventPublisher publishes consensus progress. Consensus takes one; the contract
// is BlockEventPublisher's.
type ConsensusEventPublisher interface {
	PublishEventNewRoundStep(EventDataRoundState) error
	PublishEventTimeoutPropose(EventDataRoundState) error
	PublishEventTimeoutWait(EventDataRoundState) error
	PublishEventNewRound(EventDataNewRound) error
	PublishEventCompleteProposal(EventDataCompleteProposal) error
	PublishEventPolka(EventDataRoundState) error
	PublishEventLock(EventDataRoundState) error
	PublishEventUnlock(EventDataRoundState) error
	PublishEventRelock(EventDataRoundState) error
	PublishEventValidBlock(EventDataRoundState) error
	PublishEventVote(EventDataVote) error
}

// EventBus is the node's bus for typed events: each PublishEvent* method builds the event map
// CometBFT builds for that type and publishes the payload on a pubsub server; subscribers
// (RPC websocket clients, the indexer, tests) select events with queries. It inherits the
// server's guarantees: publishing never blocks on a subscriber, slow buffered subscribers are
// terminated, and all methods are safe for concurrent use.
type EventBus struct {
	pubsub *pubsub.Server
}

var (
	_ BlockEventPublisher     = (*EventBus)(nil)
	_ ConsensusEventPublisher = (*EventBus)(nil)
)

// NewEventBus returns an event bus; it works at once, and Run bounds its life.
func NewEventBus() *EventBus {
	return &EventBus{pubsub: pubsub.NewServer()}
}

// Run returns nil when ctx ends, after canceling every subscription with
// pubsub.ErrServerStopped.
func (b *EventBus) Run(ctx context.Context) error { return b.pubsub.Run(ctx) }

// Subscribe subscribes subscriber to events matching q with a buffer of outCapacity
// messages; see pubsub.Server.Subscribe.
func (b *EventBus) Subscribe(ctx context.Context, subscriber string, q pubsub.Query, outCapacity int) (*pubsub.Subscription, error) {
	return b.pubsub.Subscribe(ctx, subscriber, q, outCapacity)
}

// SubscribeUnbuffered subscribes subscriber to every event matching q without loss; only for
// trusted in-process subscribers. See pubsub.Server.SubscribeUnbuffered.
func (b *EventBus) SubscribeUnbuffered(ctx context.Context, subscriber string, q pubsub.Query) (*pubsub.Subscription, error) {
	return b.pubsub.SubscribeUnbuffered(ctx, subscriber, q)
}

// Unsubscribe ends subscriber's subscription to q; see pubsub.Server.Unsubscribe.
func (b *EventBus) Unsubscribe(ctx context.Context, subscriber string, q pubsub.Query) error {
	return b.pubsub.Unsubscribe(ctx, subscriber, q)
}

// UnsubscribeAll ends all of subscriber's subscriptions; see pubsub.Server.UnsubscribeAll.
func (b *EventBus) UnsubscribeAll(ctx context.Context, subscriber string) error {
	return b.pubsub.UnsubscribeAll(ctx, subscriber)
}

// NumClients returns the number of subscribers with at least one subscription.
func (b *EventBus) NumClients() int { return b.pubsub.NumClients() }

// NumClientSubscriptions returns the number of subscriber's subscriptions.
func (b *EventBus) NumClientSubscriptions(subscriber string) int {
	return b.pubsub.NumClientSubscriptions(subscriber)
}

// publish publishes data under tm.event = eventType, added to events (which may be nil).
func (b *EventBus) publish(eventType string, data EventData, events map[string][]string) error {
	if events == nil {
		events = make(map[string][]string, 1)
	}
	events[EventTypeKey] = append(events[EventTypeKey], eventType)
	// Publishing never waits, so there is no deadline to pass.
	return b.pubsub.PublishWithEvents(context.Background(), data, events)
}

// flattenEvents turns ABCI events into an event map: each attribute's value is appended
// under "<event type>.<attribute key>", in order. Events with an empty type and attributes
// with an empty key are skipped; the index flag plays no part.
func flattenEvents(events []abci.Event) map[string][]string {
	out := make(map[string][]string)
	for _, ev := range events {
		if ev.Type == "" {
			continue
		}
		for _, attr := range ev.Attributes {
			if attr.Key == "" {
				continue
			}
			key := ev.Type + "." + attr.Key
			out[key] = append(out[key], attr.Value)
		}
	}
	return out
}

// PublishEventNewBlock publishes a committed block; the map holds tm.event and the block's
// FinalizeBlock events (no block.height).
func (b *EventBus) PublishEventNewBlock(data EventDataNewBlock) error {
	return b.publish(EventNewBlock, data, flattenEvents(data.ResultFinalizeBlock.Events))
}

// PublishEventNewBlockHeader publishes a committed header; the map holds tm.event only.
func (b *EventBus) PublishEventNewBlockHeader(data EventDataNewBlockHeader) error {
	return b.publish(EventNewBlockHeader, data, nil)
}

// PublishEventNewBlockEvents publishes a block's FinalizeBlock events; the map holds tm.event
// and those events (no block.height).
func (b *EventBus) PublishEventNewBlockEvents(data EventDataNewBlockEvents) error {
	return b.publish(EventNewBlockEvents, data, flattenEvents(data.Events))
}

// PublishEventNewEvidence publishes committed evidence; the map holds tm.event only.
func (b *EventBus) PublishEventNewEvidence(data EventDataNewEvidence) error {
	return b.publish(EventNewEvidence, data, nil)
}

// PublishEventTx publishes a transaction result; the map holds the tx's ABCI events, then
// tm.event, tx.hash (upper-case hex) and tx.height (decimal). These are appended after any
// app attribute with the same composite key.
func (b *EventBus) PublishEventTx(data EventDataTx) error {
	events := flattenEvents(data.TxResult.Result.Events)
	events[TxHashKey] = append(events[TxHashKey], fmt.Sprintf("%X", Tx(data.TxResult.Tx).Hash()))
	events[TxHeightKey] = append(events[TxHeightKey], strconv.FormatInt(data.TxResult.Height, 10))
	return b.publish(EventTx, data, events)
}

// PublishEventValidatorSetUpdates publishes validator updates; the map holds tm.event only.
func (b *EventBus) PublishEventValidatorSetUpdates(data EventDataValidatorSetUpdates) error {
	return b.publish(EventValidatorSetUpdates, data, nil)
}

// PublishEventNewRoundStep publishes a step change; the map holds tm.event only, as for every
// consensus event.
func (b *EventBus) PublishEventNewRoundStep(data EventDataRoundState) error {
	return b.publish(EventNewRoundStep, data, nil)
}

// PublishEventTimeoutPropose publishes a fired propose timeout.
func (b *EventBus) PublishEventTimeoutPropose(data EventDataRoundState) error {
	return b.publish(EventTimeoutPropose, data, nil)
}

// PublishEventTimeoutWait publishes a fired prevote- or precommit-wait timeout.
func (b *EventBus) PublishEventTimeoutWait(data EventDataRoundState) error {
	return b.publish(EventTimeoutWait, data, nil)
}

// PublishEventNewRound publishes the start of a round.
func (b *EventBus) PublishEventNewRound(data EventDataNewRound) error {
	return b.publish(EventNewRound, data, nil)
}

// PublishEventCompleteProposal publishes a complete proposal.
func (b *EventBus) PublishEventCompleteProposal(data EventDataCompleteProposal) error {
	return b.publish(EventCompleteProposal, data, nil)
}

// PublishEventPolka publishes +2/3 prevotes for one block or nil.
func (b *EventBus) PublishEventPolka(data EventDataRoundState) error {
	return b.publish(EventPolka, data, nil)
}

// PublishEventLock publishes a new lock.
func (b *EventBus) PublishEventLock(data EventDataRoundState) error {
	return b.publish(EventLock, data, nil)
}

// PublishEventUnlock publishes a released lock.
func (b *EventBus) PublishEventUnlock(data EventDataRoundState) error {
	return b.publish(EventUnlock, data, nil)
}

// PublishEventRelock publishes a lock renewed on the locked block.
func (b *EventBus) PublishEventRelock(data EventDataRoundState) error {
	return b.publish(EventRelock, data, nil)
}

// PublishEventValidBlock publishes a new valid block.
func (b *EventBus) PublishEventValidBlock(data EventDataRoundState) error {
	return b.publish(EventValidBlock, data, nil)
}

// PublishEventVote publishes a vote added to consensus's vote sets.
func (b *EventBus) PublishEventVote(data EventDataVote) error {
	return b.publish(EventVote, data, nil)
}
