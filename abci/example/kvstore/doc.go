// Package kvstore is ballot's example ABCI 2.0 application: a persistent key/value store on
// cometbft-db that accepts CometBFT v0.38's kvstore transactions with the same results, plus
// two operations for fault tests (compare-and-set and reads through consensus), versioned
// reads by height and state-sync snapshots.
//
// # Transactions
//
// CometBFT's forms, checked by CheckTx with CometBFT's rules (code 0 and gas_wanted 1, or
// CodeTypeInvalidTxFormat = 2):
//
//	key=value    exactly one '=' and no ':', neither first nor last: sets key to value
//	key:value    the same with ':'; PrepareProposal rewrites it to key=value
//	val=<type>!<base64 pubkey>!<power>
//	             validator update; type "ed25519" (or "") with a 32-byte key or "secp256k1"
//	             with a 33-byte key; power 0 removes the validator. CheckTx checks the three
//	             fields, base64 and power >= 0 only; a bad type or key length fails at
//	             FinalizeBlock with code 2.
//
// A bare "key" is invalid (code 2), as in CometBFT v0.38's code (its README's "key means
// key=key" rule is from older releases). Keys and values therefore never contain '=' or ':'.
//
// Ballot's operations. Each has a prefix and at least two ':' in total, so CometBFT's kvstore
// rejects every one of them and they cannot collide with a set ("get:x", with one ':', is the
// set get=x):
//
//	get:<key>:<nonce>
//	             reads key inside the block: code 0, ExecTxResult.Data = the value (empty
//	             when absent), log "exists" or "does not exist"
//	cas:<key>:<expected>:<new>[:<nonce>]
//	             compare-and-set: when key's value equals expected (an empty expected means
//	             "key is absent") key := new and code 0; otherwise CodeTypeCASMismatch (20)
//	             and no change. Data is the value before the operation either way. new must
//	             be non-empty and free of '=' and ':'.
//
// The nonce (any bytes, may be empty for get, omitted for cas) only makes otherwise identical
// operations distinct transactions, since the mempool drops duplicates. See NewGetTx and
// NewCASTx.
//
// # Execution and results
//
// FinalizeBlock executes transactions in order, each seeing the writes of the previous ones,
// and returns for every transaction CometBFT's two "app" events (attributes creator, key,
// index_key indexed, noindex_key not indexed; the "key" attributes are the key and the value
// when the transaction splits on '=' into two parts, else the whole transaction twice). Every
// transaction — even an invalid one — increments the state size. A DUPLICATE_VOTE misbehavior
// lowers the validator's power by one (the validator is found by its address, ed25519 or
// secp256k1). validator_updates is an empty list, never nil, when nothing changes. Validator
// keys are decoded by crypto/encoding. Commit writes the block in one synced batch (values,
// validator changes and the state record together), so a crash leaves the previous or the new
// state, never a mix.
//
// # App hash
//
// CometBFT's rule: the zig-zag varint of the size (transactions executed so far) in 8 bytes;
// 0x0000000000000000 for an empty store, 0x0200000000000000 after one transaction.
//
// # Queries
//
// Path "/val" returns the stored validator (length-delimited ValidatorUpdate) whose raw public
// key is data. Any other path ("/key", "/store", "") looks data up as a key: code 0, value,
// log "exists" or "does not exist", and the height read. Height 0 reads the last committed
// state; a positive height reads the value as of that height: every version is kept, so any
// height from the earliest retained one (1, or the snapshot height after a state-sync restore)
// to the last committed one can be read; others get CodeTypeHeightUnavailable (21).
//
// # Snapshots
//
// With Options.SnapshotInterval = N > 0 a snapshot is taken after committing every height
// that is a multiple of N, in SnapshotFormat (see there), chunked, keeping the
// Options.SnapshotKeepRecent newest. A restore checks each chunk against the snapshot's chunk
// hashes, then the payload hash, then that the restored app hash equals the trusted one given
// to OfferSnapshot, before writing the state in one batch.
//
// # Differences from CometBFT's kvstore
//
// Where CometBFT's kvstore panics (an invalid transaction or unsupported validator key reaching
// FinalizeBlock/Commit, an unknown misbehaving validator) this one returns code 2 or logs and
// skips. Info reports the last committed height (CometBFT's reports the last finalized one). A
// second FinalizeBlock before Commit replaces the first (CometBFT's keeps counting the first
// block's transactions in the size, so its app hash differs in that case). A FinalizeBlock at or
// below the committed height is an error (except height 0 at height 0, which abci-cli sends).
// Queries honour Height. The database layout is ballot's own.
// Vote extensions use BaseApplication's defaults (empty extension, accept), as CometBFT's does.
package kvstore
