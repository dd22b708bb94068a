package server

import (
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// EventSource is a subscription as ForwardEvents reads it. *pubsub.Subscription
// implements it.
type EventSource interface {
	// Out delivers matching messages; it is never closed.
	Out() <-chan pubsub.Message
	// Canceled is closed when the subscription ends; Err then says why.
	Canceled() <-chan struct{}
	// Err is nil while active, then the reason the subscription ended.
	Err() error
}

var _ EventSource = (*pubsub.Subscription)(nil)

// ForwardEvents sends every message of sub to conn as a success response carrying id
// (the subscribe request's id) and the result render returns for it — rpc.md §6.1. It
// returns at once; forwarding runs on its own goroutine, which starts after the reply to
// the request being served on conn is queued (so events never overtake the reply to
// "subscribe") and ends when sub ends or conn closes.
//
// A slow client is handled without ever blocking the publisher (pubsub does not wait for
// subscribers): when conn's send queue is full and closeOnSlowClient is set, the client
// is sent -32000 "subscription was canceled (reason: slow client)" if there is room and
// is disconnected; otherwise forwarding waits for room, and if the subscription's own
// buffer overflows meanwhile pubsub terminates it.
//
// When sub is canceled for any reason but an unsubscribe, the client gets -32000
// "subscription was canceled (reason: …)": "CometBFT exited" when the event bus stopped,
// else the cancellation error's text. After an unsubscribe nothing more is sent.
func ForwardEvents(conn types.WSConn, id types.ID, sub EventSource, render func(pubsub.Message) any, closeOnSlowClient bool) {
	run := func() { forwardEvents(conn, id, sub, render, closeOnSlowClient) }
	if c, ok := conn.(interface{ startAfterReply(func()) }); ok {
		c.startAfterReply(run)
		return
	}
	go run()
}

func forwardEvents(conn types.WSConn, id types.ID, sub EventSource, render func(pubsub.Message) any, closeOnSlowClient bool) {
	for {
		select {
		case <-conn.Context().Done():
			return
		case msg := <-sub.Out():
			resp := types.NewRPCSuccessResponse(id, render(msg))
			if conn.TryWriteRPCResponse(resp) {
				continue
			}
			if closeOnSlowClient {
				conn.TryWriteRPCResponse(types.RPCServerError(id, errors.New("subscription was canceled (reason: slow client)")))
				conn.Close()
				return
			}
			if err := conn.WriteRPCResponse(conn.Context(), resp); err != nil {
				return
			}
		case <-sub.Canceled():
			err := sub.Err()
			if errors.Is(err, pubsub.ErrUnsubscribed) {
				return
			}
			reason := "CometBFT exited"
			if err != nil && !errors.Is(err, pubsub.ErrServerStopped) {
				reason = err.Error()
			}
			notice := types.RPCServerError(id, fmt.Errorf("subscription was canceled (reason: %s)", reason))
			_ = conn.WriteRPCResponse(conn.Context(), notice)
			return
		}
	}
}
