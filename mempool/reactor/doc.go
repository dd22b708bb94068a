// Package reactor is the mempool's gossip reactor on channel 0x30 (p2p.md §9): it hands the
// transactions peers send to the mempool and sends each of the pool's transactions to each peer
// once.
//
// # Receiving
//
// A peer's tendermint.mempool.Message carries Txs with one or more transactions. Every
// transaction goes to Mempool.CheckTxAsync with the peer's ID as sender, so the pool records who
// sent it and the reactor never sends it back. Refusals (already in the cache, pool full, the
// app's rejection) are normal and only logged. A message that is not Txs, carries no
// transaction, or carries one longer than mempool.max_tx_bytes is malformed: the peer is
// stopped (the pre-decode filter of CometBFT v0.38) and none of its transactions are checked.
//
// # Sending
//
// With mempool.broadcast = true, AddPeer starts one goroutine for the peer. It walks the pool in
// admission order (Mempool.NextTx, woken by TxsWaitChan — never by polling) and sends every
// transaction once, skipping those the peer sent us. Consecutive transactions are batched into
// one Txs message as long as it stays within the receiver's message limit (the size of a
// Message holding one max_tx_bytes transaction, which every CometBFT v0.38 peer accepts).
//
// A transaction admitted at pool height h is held back from a peer whose consensus height is
// below h-1 (CometBFT's rule: a lagging peer would only recheck it away): the goroutine waits
// until the peer's height rises. The height comes from PeerHeights, which the consensus reactor
// provides from the peers' NewRoundStep messages; without it (WithPeerHeights not given) no
// transaction is held back. The experimental caps on gossip connections to persistent and
// non-persistent peers limit how many peer goroutines send at once; the others wait for a slot.
//
// # Lifecycle
//
// New builds the reactor; the switch calls AddPeer, RemovePeer and Receive; Run keeps it alive
// until its context ends, then stops every peer goroutine and waits for them. Receive and
// AddPeer after Run returned do nothing.
package reactor
