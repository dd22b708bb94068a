// Package pex is peer exchange (PEX, channel 0x00) and the address book it feeds, as in
// CometBFT v0.38.
//
// AddrBook keeps peers' addresses in new (unvetted) and old (marked good) buckets, placed by a
// keyed hash of the addresses' network groups so that no single network can fill the book. It
// refuses our own, private, banned and (when strict) unroutable addresses, and is saved to
// addrbook.json in CometBFT's format (atomically, every two minutes while Run runs and when it
// ends).
//
// Reactor answers PexRequests with a random selection of the book, asks outbound peers (and
// periodically a random peer) for addresses while the book has fewer than 1000, and every
// ensure-peers period dials addresses from the book until max_num_outbound_peers are
// connected, falling back to the seeds. Peers that send addresses unasked or ask too often (more
// than twice within a third of the period) are disconnected and banned for 24 hours. In seed
// mode it crawls the book instead, answers an inbound peer's request once and disconnects it.
//
// Everything is driven by timers in Run; nothing sleeps. Receive never blocks: replies use
// TrySend.
package pex
