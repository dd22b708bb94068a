package evidence

import (
	"errors"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// Update moves the pool to st, the state saved after committing the block at st.LastBlockHeight
// whose evidence is committed:
//  1. committed evidence leaves the pending set and is marked committed (so is the evidence of
//     any block between the pool's previous height and st's that the pool missed, read from
//     the block store);
//  2. pending evidence that has expired at st is dropped;
//  3. buffered conflicting votes of heights ≤ st.LastBlockHeight become DuplicateVoteEvidence
//     and pending; pairs of later heights stay buffered.
//
// The changes are written in one synced batch. The block executor calls it after saving st. A
// state that is not newer than the pool's (a caller bug) only marks committed the evidence it is
// given: the pool's state does not go back.
func (p *Pool) Update(st state.State, committed types.EvidenceList) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	batch := p.newWrite()
	defer batch.Close()

	if prev := p.state.LastBlockHeight; st.LastBlockHeight > prev {
		for h := max(prev+1, p.blockStore.Base(), 1); h < st.LastBlockHeight; h++ {
			p.markBlockCommittedLocked(batch, h)
		}
		p.state = st
	} else {
		p.logger.Error("evidence pool updated with a state that is not newer; keeping its state",
			"height", st.LastBlockHeight, "pool_height", prev)
	}
	p.markCommittedLocked(batch, committed, st.LastBlockHeight)
	p.pruneExpiredLocked(batch)
	added := p.flushBufferLocked(batch)
	if err := batch.WriteSync(); err != nil {
		// The pool keeps going from memory; the next start reloads what was written.
		p.logger.Error("cannot write the evidence update", "height", st.LastBlockHeight, "err", err)
	}
	if added {
		p.wakeLocked()
	}
}

// markBlockCommittedLocked marks the evidence of the stored block at height committed; a block
// the store does not have is skipped.
func (p *Pool) markBlockCommittedLocked(batch *write, height int64) {
	block, err := p.blockStore.LoadBlock(height)
	if err != nil {
		p.logger.Debug("no block to reconcile committed evidence with", "height", height, "err", err)
		return
	}
	p.markCommittedLocked(batch, block.Evidence.Evidence, height)
}

// markCommittedLocked removes evl from the pending set and writes its committed markers (the
// value is the height of the committing block).
func (p *Pool) markCommittedLocked(batch *write, evl types.EvidenceList, height int64) {
	if len(evl) == 0 {
		return
	}
	value, err := encodeCommitted(height)
	if err != nil {
		p.logger.Error("cannot encode committed marker", "height", height, "err", err)
		return
	}
	for _, ev := range evl {
		if ev == nil {
			continue
		}
		key := pendingKey(ev)
		if p.untrackLocked(string(key)) {
			p.logErr(batch.Delete(key), "deleting pending evidence")
		}
		ckey := committedKey(ev)
		p.logErr(batch.Set(ckey, value), "marking evidence committed")
		batch.committed[string(ckey)] = struct{}{}
	}
}

// pruneExpiredLocked drops pending evidence that has expired at the pool's state.
func (p *Pool) pruneExpiredLocked(batch *write) {
	for key, e := range p.pending {
		if expired(p.state, e.ev.Height(), e.ev.Time()) {
			p.untrackLocked(key)
			p.logErr(batch.Delete([]byte(key)), "deleting expired evidence")
			p.logger.Debug("expired evidence dropped", "evidence", e.ev)
		}
	}
}

// flushBufferLocked turns the buffered conflicting votes of committed heights into pending
// DuplicateVoteEvidence, written to batch; it reports whether any became pending.
func (p *Pool) flushBufferLocked(batch *write) bool {
	added := false
	keep := p.buffer[:0]
	for _, pair := range p.buffer {
		if pair.a.Height > p.state.LastBlockHeight {
			keep = append(keep, pair)
			continue
		}
		ev, err := p.evidenceFromVotes(pair)
		if err != nil {
			p.logger.Error("conflicting votes make no evidence", "vote_a", pair.a, "vote_b", pair.b, "err", err)
			continue
		}
		if _, ok := p.pending[string(pendingKey(ev))]; ok {
			continue
		}
		if _, ok := batch.committed[string(committedKey(ev))]; ok {
			continue
		}
		if committed, err := p.isCommitted(ev); err != nil || committed {
			continue
		}
		bz, err := encodeEvidence(ev)
		if err == nil {
			err = batch.Set(pendingKey(ev), bz)
		}
		if err == nil {
			_, err = p.trackLocked(ev)
		}
		if err != nil {
			p.logger.Error("cannot keep evidence from conflicting votes", "evidence", ev, "err", err)
			continue
		}
		added = true
		p.logger.Info("new evidence of byzantine behavior from consensus", "evidence", ev)
	}
	clear(p.buffer[len(keep):])
	p.buffer = keep
	return added
}

// evidenceFromVotes builds and verifies the evidence of a conflicting pair at a committed
// height, with that block's time and validator set.
func (p *Pool) evidenceFromVotes(pair votePair) (*types.DuplicateVoteEvidence, error) {
	height := pair.a.Height
	var (
		vals      *types.ValidatorSet
		blockTime time.Time
	)
	if height == p.state.LastBlockHeight {
		vals, blockTime = p.state.LastValidators, p.state.LastBlockTime
	} else {
		var err error
		if vals, err = p.stateStore.LoadValidators(height); err != nil {
			return nil, err
		}
		meta, err := p.blockStore.LoadBlockMeta(height)
		if err != nil {
			return nil, err
		}
		blockTime = meta.Header.Time
	}
	ev, err := types.NewDuplicateVoteEvidence(pair.a, pair.b, blockTime, vals)
	if err != nil {
		return nil, err
	}
	if err := VerifyDuplicateVote(ev, p.state.ChainID, vals); err != nil {
		return nil, err
	}
	if expired(p.state, height, blockTime) {
		return nil, errors.New("the votes' evidence has already expired")
	}
	return ev, nil
}

// write is the batch of one Update (or of NewPool's reconciliation) with the committed markers
// it sets, which the database does not show until the batch is written.
type write struct {
	dbm.Batch
	committed map[string]struct{}
}

func (p *Pool) newWrite() *write {
	return &write{Batch: p.db.NewBatch(), committed: make(map[string]struct{})}
}

func (p *Pool) logErr(err error, what string) {
	if err != nil {
		p.logger.Error(what, "err", err)
	}
}
