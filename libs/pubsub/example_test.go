package pubsub_test

import (
	"context"
	"fmt"

	"github.com/ballot-bft/ballot/libs/pubsub"
	"github.com/ballot-bft/ballot/libs/pubsub/query"
)

func Example() {
	ctx := context.Background()
	server := pubsub.NewServer()

	q := query.MustParse("tm.event = 'Tx' AND transfer.sender = 'alice'")
	sub, err := server.Subscribe(ctx, "client-1", q, 10)
	if err != nil {
		panic(err)
	}

	_ = server.PublishWithEvents(ctx, "from bob", map[string][]string{
		"tm.event": {"Tx"}, "transfer.sender": {"bob"},
	})
	_ = server.PublishWithEvents(ctx, "from alice", map[string][]string{
		"tm.event": {"Tx"}, "transfer.sender": {"alice"},
	})

	select {
	case msg := <-sub.Out():
		fmt.Println(msg.Data())
	case <-sub.Canceled():
		fmt.Println("canceled:", sub.Err())
	}
	// Output: from alice
}
