package state

import (
	"context"

	"github.com/ballot-bft/ballot/blockstore"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	"github.com/ballot-bft/ballot/types"
)

// Mempool is what the block executor needs from the mempool. The executor calls it from its own
// goroutine only:
//   - ReapMaxBytesMaxGas when this node proposes (CreateProposalBlock). It returns transactions
//     in admission order whose total proto size inside a block's Data is ≤ maxBytes and whose
//     total gas_wanted is ≤ maxGas (a negative limit is no limit). The transactions stay in the
//     pool; the executor does not modify their bytes.
//   - Lock, FlushAppConn, Update, Unlock around the application's Commit, in exactly this order
//     (abci.md §4.3): Lock stops new CheckTx calls from reaching the app, FlushAppConn waits until
//     the app has answered every CheckTx in flight, Update removes the block's transactions
//     (txs and results have the same length, results[i] belongs to txs[i]) and rechecks the
//     rest. Update is only called while the lock is held; an error means the mempool's app
//     connection broke.
//
// The package mempool's pool is adapted to this interface by the node.
type Mempool interface {
	Lock()
	Unlock()
	FlushAppConn(ctx context.Context) error
	Update(height int64, txs types.Txs, results []*abci.ExecTxResult) error
	ReapMaxBytesMaxGas(maxBytes, maxGas int64) types.Txs
}

// noMempool is the Mempool of a node that replays stored blocks: nothing to reap or update.
type noMempool struct{}

func (noMempool) Lock()                                               {}
func (noMempool) Unlock()                                             {}
func (noMempool) FlushAppConn(context.Context) error                  { return nil }
func (noMempool) Update(int64, types.Txs, []*abci.ExecTxResult) error { return nil }
func (noMempool) ReapMaxBytesMaxGas(int64, int64) types.Txs           { return nil }

// EvidencePool is what the block executor needs from the evidence pool (issue 6 builds the real
// pool; until then nodes use EmptyEvidencePool). The executor calls it from its own goroutine:
//   - PendingEvidence when proposing: evidence to include, at most maxBytes in total, and its
//     total size in bytes (the sum of the proto sizes, as EvidenceData.ByteSize counts it);
//   - CheckEvidence when validating a block: an error means the block's evidence is invalid
//     (unknown to the chain, expired, already committed, or duplicated);
//   - Update after a block is committed and the new state saved, with that state and the
//     block's evidence (now committed).
//
// Returned slices belong to the caller; the evidence values are shared read-only.
type EvidencePool interface {
	PendingEvidence(maxBytes int64) ([]types.Evidence, int64)
	CheckEvidence(evidence types.EvidenceList) error
	Update(st State, evidence types.EvidenceList)
}

// EmptyEvidencePool is an EvidencePool that holds no evidence and does not verify any: it
// proposes none and CheckEvidence accepts every list, as CometBFT's EmptyEvidencePool does. It
// is right for replaying stored blocks (their evidence was verified when they were decided);
// a live node that uses it trusts the +2/3 of validators that prevote a block to have checked
// its evidence. The real pool is issue 6.
type EmptyEvidencePool struct{}

var _ EvidencePool = EmptyEvidencePool{}

// PendingEvidence returns no evidence.
func (EmptyEvidencePool) PendingEvidence(int64) ([]types.Evidence, int64) { return nil, 0 }

// CheckEvidence accepts every list.
func (EmptyEvidencePool) CheckEvidence(types.EvidenceList) error { return nil }

// Update does nothing.
func (EmptyEvidencePool) Update(State, types.EvidenceList) {}

// BlockStore is what the block executor and the handshake need from the block store
// (*blockstore.BlockStore has these methods). The executor calls Base and PruneBlocks from its
// own goroutine; the handshake calls the loads before consensus starts. Loads of heights not
// stored fail with an error (blockstore.ErrNotFound).
type BlockStore interface {
	// Base is the lowest stored height (0 when empty); Height the highest (0 when empty).
	Base() int64
	Height() int64
	// LoadBlock returns the block at height, LoadBlockMeta its meta (with the BlockID).
	LoadBlock(height int64) (*types.Block, error)
	LoadBlockMeta(height int64) (*types.BlockMeta, error)
	// PruneBlocks deletes the blocks below retainHeight (which must lie in [Base, Height]) and
	// returns how many it deleted and the lowest height whose header it kept for evidence
	// verification.
	PruneBlocks(retainHeight int64, window blockstore.EvidenceWindow) (pruned uint64, evidencePoint int64, err error)
}

// evidenceWindow returns the evidence window of st: blocks whose evidence has not expired at
// st's last height and time.
func evidenceWindow(st State) blockstore.EvidenceWindow {
	return blockstore.EvidenceWindow{Height: st.LastBlockHeight, Time: st.LastBlockTime, Params: st.ConsensusParams.Evidence}
}
