// Package mempool holds the transactions this node has checked with the application and not yet
// seen committed: CometBFT v0.38's "flood" mempool (Pool) and its "nop" variant (Nop), behind the
// Mempool interface the node uses (RPC broadcast_tx_*, the mempool gossip reactor, the proposer's
// reap, and the block executor's update after Commit). See abci.md §4.2–§4.4, rpc.md §7 and
// operator.md §4.4 for the behaviour copied from CometBFT.
//
// # Admission
//
// A transaction enters the pool in two steps. CheckTx/CheckTxAsync first run the admission checks
// in CometBFT's order — pool full (by count or bytes, or a recheck still running), tx larger than
// max_tx_bytes, the pre-check, a broken app connection, the dedup cache — and fail with a typed
// error before the application is asked. A transaction that passes holds a place within the
// limits until the app answers, and the places held count toward "full" for the next ones, so
// the pool never has to refuse a transaction the app accepted for room (CometBFT does, and drops
// it after telling an async caller it was accepted). Then the application's answer decides: a
// non-zero code is a rejection (the response is returned, no error); code 0 is checked against
// the post-check. If that fails, the caller gets the response together with a *PostCheckError:
// a transaction is never reported accepted and then dropped.
//
// An admitted transaction leaves the pool only when a block commits it (Update), when a recheck
// after a block finds it invalid, or through Flush and RemoveTxByKey.
//
// # Concurrency and the update exclusion
//
// Pool is safe for concurrent use. Its state (the ordered transactions, the cache, the recheck
// bookkeeping, the notification channels) is guarded by one internal mutex that is held only for
// short, non-blocking critical sections and never while the application is called; the
// application's CheckTx callbacks take it like any other caller.
//
// The block executor brackets Commit with Lock and Unlock: Lock closes the admission gate (new
// CheckTx calls wait, or give up when their context ends) and waits until every CheckTx that
// passed the gate has handed its request to the app connection. The executor then calls
// FlushAppConn (every answer is in), the app's Commit, and Update, which removes the committed
// transactions and rechecks the rest (RECHECK requests pipelined, then Flush, then a wait of at
// most recheck_timeout), and finally Unlock. If the recheck outlives recheck_timeout, Update
// returns and new transactions are refused with ErrRecheckFull until the last recheck answer
// arrives (CometBFT's behaviour).
//
// # Gossip
//
// Every admitted transaction gets a sequence number, increasing in admission order. A per-peer
// gossip routine keeps the number of the last transaction it handled and asks for the next one
// with NextTx or WaitNextTx; both skip transactions removed in the meantime, so a routine never
// loses its place and never polls. TxsWaitChan gives the same wake-up as a channel for routines
// that select on other events too.
package mempool
