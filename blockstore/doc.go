// Package blockstore keeps the committed blocks of the chain in a cometbft-db database, in
// CometBFT v0.38's layout, so that a CometBFT blockstore.db can be read:
//
//	H:<height>           proto(BlockMeta): block ID, size, header, tx count
//	P:<height>:<index>   proto(Part): the block's parts with their Merkle proofs
//	C:<height>           proto(Commit): the commit of height, as carried by block height+1
//	SC:<height>          proto(Commit): the commit this node saw for height ("seen commit")
//	EC:<height>          proto(ExtendedCommit): the seen commit with vote extensions
//	BH:<hex hash>        decimal height of the block with that hash
//	blockStore           proto(BlockStoreState): base and height
//
// The store holds every height in [Base, Height], contiguously. SaveBlock writes a block, its
// parts, its meta, the previous height's commit, the seen commit and the new height as one
// batch, flushed to disk before it returns: when it returns the block is durable and readers see
// it, and a crash never leaves a half-saved block visible (parts are written before the meta and
// the height that make them reachable).
//
// Concurrency: one writer, many readers. Writes (SaveBlock, SaveBlockWithExtendedCommit,
// SaveSeenCommit, PruneBlocks, DeleteLatestBlock) are serialized by the store; in a node only
// consensus (or block sync) writes. Reads may come from any goroutine at any time: the database
// is safe for concurrent use and Base/Height are guarded by a read-write mutex. A reader can
// race with pruning; a block whose parts vanish while it is being read is reported as not found.
//
// Loads of heights that are not stored return errors wrapping ErrNotFound. Stored bytes that do
// not decode (or decode to something inconsistent) give errors wrapping ErrCorrupted that name
// the key; the store never panics on them.
package blockstore
