package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/server"
	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// checkSubscriptionLimits refuses a new subscription of subscriber when the event bus already
// has max_subscription_clients subscribers or subscriber has max_subscriptions_per_client
// subscriptions.
func (env *Environment) checkSubscriptionLimits(subscriber string) error {
	if n := env.Config.MaxSubscriptionClients; env.EventBus.NumClients() >= n {
		return fmt.Errorf("max_subscription_clients %d reached", n)
	}
	if n := env.Config.MaxSubscriptionsPerClient; env.EventBus.NumClientSubscriptions(subscriber) >= n {
		return fmt.Errorf("max_subscriptions_per_client %d reached", n)
	}
	return nil
}

// Subscribe subscribes the websocket client to events matching q. Every matching event is sent
// as a response carrying this request's id: {query, data: {type, value}, events}.
func (env *Environment) Subscribe(ctx *rpctypes.Context, q string) (*ResultSubscribe, error) {
	if ctx.WSConn == nil || ctx.JSONReq == nil {
		return nil, errors.New("subscribe is only available over the websocket")
	}
	addr := ctx.RemoteAddr()
	if err := env.checkSubscriptionLimits(addr); err != nil {
		return nil, err
	}
	if len(q) > maxQueryLength {
		return nil, errQueryTooLong
	}
	parsed, err := query.Parse(q)
	if err != nil {
		return nil, fmt.Errorf("failed to parse query: %w", err)
	}
	env.logger().Info("Subscribe to query", "remote", addr, "query", q)
	sub, err := env.EventBus.Subscribe(ctx.Context(), addr, parsed, env.Config.SubscriptionBufferSize)
	if err != nil {
		return nil, err
	}
	logger := env.logger()
	server.ForwardEvents(ctx.WSConn, ctx.JSONReq.ID, sub, func(msg pubsub.Message) any {
		data, err := eventDataJSON(msg.Data())
		if err != nil {
			// Only types.EventData values are published; anything else is a bug upstream.
			logger.Error("Cannot render an event for a subscriber", "query", q, "err", err)
		}
		return &ResultEvent{Query: q, Data: data, Events: msg.Events()}
	}, env.Config.CloseOnSlowClient)
	return &ResultSubscribe{}, nil
}

// Unsubscribe ends the websocket client's subscription to q ("subscription not found" if it has
// none).
func (env *Environment) Unsubscribe(ctx *rpctypes.Context, q string) (*ResultUnsubscribe, error) {
	addr := ctx.RemoteAddr()
	parsed, err := query.Parse(q)
	if err != nil {
		return nil, fmt.Errorf("failed to parse query: %w", err)
	}
	env.logger().Info("Unsubscribe from query", "remote", addr, "query", q)
	if err := env.EventBus.Unsubscribe(context.Background(), addr, parsed); err != nil {
		return nil, err
	}
	return &ResultUnsubscribe{}, nil
}

// UnsubscribeAll ends every subscription of the websocket client ("subscription not found" if
// it has none).
func (env *Environment) UnsubscribeAll(ctx *rpctypes.Context) (*ResultUnsubscribe, error) {
	addr := ctx.RemoteAddr()
	env.logger().Info("Unsubscribe from all", "remote", addr)
	if err := env.EventBus.UnsubscribeAll(context.Background(), addr); err != nil {
		return nil, err
	}
	return &ResultUnsubscribe{}, nil
}
