package fail

// point is a declared crash point: its name ("<component>.<before|after><Thing>") and what lies
// on either side of it.
type point struct {
	name string
	doc  string
}

// points is the list of every crash point, in roughly the order a height reaches them. A point
// is placed in the code exactly once (the crash tests check this).
var points = []point{
	// privval/file.go: FilePV writing its last sign state.
	{"privval.beforeStateWrite", "privval: a vote or proposal was signed in memory; the state file is not written yet, nothing is returned"},
	{"privval.afterStateWrite", "privval: the last sign state is durable; the signature is not yet returned to consensus"},

	// consensus/wal_glue.go and consensus/driver.go: the consensus WAL.
	{"driver.beforeWALSyncOwn", "consensus: our own signed proposal, parts or vote are buffered in the WAL, not yet fsynced"},
	{"driver.afterWALOwnProposal", "consensus: our signed proposal and its parts are fsynced in the WAL; the machine has not seen them, nothing is broadcast"},
	{"driver.afterWALInput", "consensus: an input (timeout, peer message, own message) is written to the WAL buffer, not yet synced or handled"},
	{"driver.afterWALRoundState", "consensus: a round-state record is written to the WAL buffer"},
	{"driver.afterWALOwnVote", "consensus: our signed vote is fsynced in the WAL; the machine has not seen it, nothing is broadcast"},

	// consensus/driver.go: committing a decided block.
	{"driver.beforeSaveBlock", "consensus: a block is decided (+2/3 precommits); it is not yet in the block store"},
	{"driver.afterSaveBlock", "consensus: the decided block is durable in the block store; the WAL has no end-of-height marker for it"},
	{"driver.afterEndHeight", "consensus: the WAL's end-of-height marker is fsynced; the block is not executed"},

	// state/execution_apply.go and abci/example/kvstore/finalize.go: executing the block.
	{"exec.afterFinalizeBlock", "state: the application returned FinalizeBlock; the response is not saved"},
	{"exec.afterSaveResponses", "state: the FinalizeBlock response is durable; the application has not committed"},
	{"kvstore.beforeCommitWrite", "kvstore: Commit is writing the block's batch; nothing of the block is durable in the application"},
	{"kvstore.afterCommitWrite", "kvstore: the block's batch (values and state record) is durable; Commit has not returned"},
	{"exec.afterAppCommit", "state: the application committed the block and the mempool was updated; the new state is not saved"},
	{"exec.afterSaveState", "state: the state after the block is durable; evidence, pruning and events are not done"},
	{"driver.afterApplyBlock", "consensus: the block is executed and its state saved; the height is neither logged as committed nor handed to the machine"},
}
