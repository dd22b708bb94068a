package kv_test

import (
	"context"
	"fmt"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/pubsub/query"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/state/txindex"
	"github.com/ballot-bft/ballot/state/txindex/kv"
)

// Example shows how the tx_search route reproduces CometBFT: order_by, page and per_page
// become SearchOptions, and the order_by error is returned from the window so that errors come
// in CometBFT's order.
func Example() {
	idx := kv.New(dbm.NewMemDB())
	batch := txindex.NewBatch(3)
	for i, sender := range []string{"alice", "bob", "alice"} {
		batch.Ops[i] = &abci.TxResult{Height: 7, Index: uint32(i), Tx: []byte{byte('a' + i)},
			Result: abci.ExecTxResult{Events: []abci.Event{{Type: "transfer", Attributes: []abci.EventAttribute{
				{Key: "sender", Value: sender, Index: true},
			}}}}}
	}
	if err := idx.AddBatch(batch); err != nil {
		panic(err)
	}

	txSearch := func(q, orderBy string, page *int, perPage int) {
		parsed, err := query.Parse(q)
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		order, orderErr := txindex.ParseOrder(orderBy, txindex.OrderAsc)
		pages := txindex.Pages(page, perPage)
		results, total, err := idx.Search(context.Background(), parsed, txindex.SearchOptions{
			Order: order,
			Window: func(total int) (int, int, error) {
				if orderErr != nil {
					return 0, 0, orderErr
				}
				return pages(total)
			},
		})
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Print("total_count ", total, ":")
		for _, r := range results {
			fmt.Printf(" %s@%d/%d", r.Tx, r.Height, r.Index)
		}
		fmt.Println()
	}
	two := 2
	txSearch("transfer.sender = 'alice'", "", nil, 30)
	txSearch("transfer.sender = 'alice'", "desc", nil, 1)
	txSearch("transfer.sender = 'alice'", "desc", &two, 1)
	txSearch("transfer.sender = 'alice'", "newest", nil, 30)
	txSearch("transfer.sender = 'alice'", "", &two, 30)
	// Output:
	// total_count 2: a@7/0 c@7/2
	// total_count 2: c@7/2
	// total_count 2: a@7/0
	// error: expected order_by to be either `asc` or `desc` or empty
	// error: page should be within [1, 1] range, given 2
}
