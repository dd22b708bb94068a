package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/ballot-bft/ballot/rpc/jsonrpc/client"
)

// Subscribes to new block headers on a node's websocket and prints the heights of the next
// three (docs/rpc.md shows this program).
func ExampleWSClient_Subscribe() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, err := client.DialWS(ctx, "tcp://127.0.0.1:26657")
	if err != nil {
		log.Fatal(err)
	}
	defer ws.Close()

	events, err := ws.Subscribe(ctx, "tm.event='NewBlockHeader'", 10)
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		var ev struct {
			Data struct {
				Value struct {
					Header struct {
						Height string `json:"height"`
					} `json:"header"`
				} `json:"value"`
			} `json:"data"`
		}
		select {
		case resp, ok := <-events:
			if !ok || resp.Error != nil {
				log.Fatalf("subscription ended: %v", resp.Error)
			}
			if err := json.Unmarshal(resp.Result, &ev); err != nil {
				log.Fatal(err)
			}
			fmt.Println("new block", ev.Data.Value.Header.Height)
		case <-ctx.Done():
			log.Fatal(ctx.Err())
		}
	}
}
