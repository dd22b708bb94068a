// Package wal is the consensus write-ahead log: CometBFT's record format and file layout, so
// that a ballot WAL and a CometBFT v0.38 WAL are interchangeable.
//
// # Record format
//
// A record is
//
//	CRC32-Castagnoli(data) (4 bytes, big-endian) | len(data) (4 bytes, big-endian) | data
//
// where data is one encoded tendermint.consensus.TimedWALMessage and len(data) ≤ MaxDataSize
// (1 MiB + 24 bytes). Encoder writes records, Decoder reads them; Decoder tells a clean end of
// input (io.EOF) from damage (*CorruptionError, which matches ErrCorrupted and the reason:
// ErrChecksum, ErrTooLarge, ErrUndecodable, or io.ErrUnexpectedEOF for a torn tail).
//
// # Files
//
// A WAL lives at a head path, by default <home>/data/cs.wal/wal. When the head reaches the head
// size limit (10 MiB) it is renamed to wal.000, then wal.001, … and a new empty head is started;
// when the whole group reaches the total size limit (1 GiB) the oldest numbered files are removed.
// Records never span two files.
//
// # What the consensus driver writes, and when
//
// The driver around the pure state machine (package consensus/core) uses one WAL:
//   - every Input, before Machine.Step sees it: MessageFromInput converts it. Proposals, block
//     parts, votes and +2/3 claims (PeerMaj23, as a VoteSetMaj23 MsgInfo) from peers and fired
//     timeouts go through Write (buffered, no fsync); the node's own proposal, block parts and
//     votes (From == "") are synced before the machine sees them, so nothing the node signed is
//     broadcast before it is durable;
//   - RoundState(height, round, step) on every step change, with Write;
//   - EndHeight(H) with Write and Flush (to the operating system, no fsync) after block H is
//     saved and before it is executed. It becomes durable with the next FlushAndSync, which comes
//     before anything the node signs at height H+1 leaves it. A power loss before that can lose
//     the marker, but then also every later record, none of them signed by the node: on restart
//     the driver sees the log end inside height H, whose block is stored, and starts H+1 afresh.
//
// Answers to the machine's requests (ProposalBlockBuilt, ProposalProcessed, Committed) and
// TxsAvailable are not written: on replay the driver carries out the machine's requests again and
// so derives them afresh. A new, empty WAL gets EndHeight{0} (with fsync) when opened.
//
// CometBFT does not log VoteSetMaj23 claims (its reactor hands them to the vote set directly), so
// a restarted CometBFT node may be unable to rebuild a polka that needed a claim to count an
// equivocator's vote. ballot logs them; a CometBFT node replaying a ballot WAL skips these
// records (it logs them as messages of an unknown type and goes on).
//
// # Replay
//
// On restart at height H the driver checks that SearchForEndHeight(H) finds nothing (the state
// must not be behind the WAL), then calls SearchForEndHeight(H-1) and feeds every record of the
// returned Reader to a fresh machine. When the log has no EndHeight(H-1) but has EndHeight(H-2),
// it ends inside height H-1, whose block is stored (the unsynced marker was lost, see above):
// there is nothing to replay. InputFromMessage turns proposals, parts, votes, claims and
// timeouts back into Inputs and answers ErrNotInput for RoundState and EndHeight records. A
// *CorruptionError while replaying means the tail is damaged: close the WAL, Repair the head
// file, open it again and retry once, as CometBFT does.
//
// # Damage
//
// Open refuses a head file whose tail is damaged (a torn last record after a crash, or a corrupted
// record with nothing readable after it), because records appended after it could not be read
// back: the error says in plain words where the damage is, and Repair followed by Open again is
// the remedy. Check describes a file's damage without changing it, Repair copies the file to
// <path>.CORRUPTED and cuts it back to the records before the first damaged one, and Dump prints
// a file's records one per line.
//
// # Concurrency
//
// A WAL is owned by one goroutine, the consensus driver: Write, WriteSync, FlushAndSync,
// SearchForEndHeight and Close must not be called concurrently, and the WAL starts no goroutines
// of its own (the periodic flush is the driver's). A Reader may be used by another goroutine
// than the writer's; it sees the records present when SearchForEndHeight returned. Check, Repair
// and Dump work on files that no WAL has open.
package wal
