// Package txindex defines the transaction indexer that the tx and tx_search RPC routes read and
// the indexer service writes: TxIndexer, the Batch it indexes a block's transactions in, and
// the search options (Order, Window, Pages) with which the RPC layer reproduces CometBFT's
// ordering, paging and total_count.
//
// Two implementations live in subpackages: kv (CometBFT v0.38's key-value indexer, same key
// layout, same query semantics, quirks included) and null (indexing disabled; every read fails
// with ErrDisabled, whose text is what the RPC reports).
//
// # Reproducing tx_search
//
// CometBFT searches, then sorts (order_by), then counts, then validates the page, then slices.
// Search does the same in one call: the RPC layer passes the order and a Window built with
// Pages; errors come out in CometBFT's precedence (search errors, then the order_by error if the
// RPC layer returns it from its Window, then the page error):
//
//	order, orderErr := txindex.ParseOrder(orderBy, txindex.OrderAsc)
//	pages := txindex.Pages(page, perPage)
//	txs, total, err := idx.Search(ctx, q, txindex.SearchOptions{
//		Order: order,
//		Window: func(total int) (int, int, error) {
//			if orderErr != nil {
//				return 0, 0, orderErr
//			}
//			return pages(total)
//		},
//	})
package txindex
