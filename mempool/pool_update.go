package mempool

import (
	"context"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/types"

	abcitypes "github.com/ballot-bft/ballot/abci/types"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// recheckRound counts the RECHECK answers still expected after one Update. It is guarded by the
// pool's mutex.
type recheckRound struct {
	pending int
	done    chan struct{} // closed when pending reaches 0
}

// Lock starts the update exclusion; see Mempool.
func (p *Pool) Lock() { p.gate.close() }

// Unlock ends the update exclusion; see Mempool.
func (p *Pool) Unlock() { p.gate.open() }

// FlushAppConn waits for every answer on the mempool connection; see Mempool.
func (p *Pool) FlushAppConn(ctx context.Context) error {
	if err := p.app.Flush(ctx); err != nil {
		return &FlushAppConnError{Err: err}
	}
	return nil
}

// Update removes the block's transactions and rechecks the rest; see Mempool.
func (p *Pool) Update(height int64, txs types.Txs, txResults []*abci.ExecTxResult, preCheck PreCheckFunc, postCheck PostCheckFunc) error {
	if !p.gate.isClosed() {
		return ErrNotLocked
	}
	if len(txs) != len(txResults) {
		return fmt.Errorf("mempool: update at height %d with %d txs but %d results", height, len(txs), len(txResults))
	}
	round, rechecks := p.removeCommitted(height, txs, txResults, preCheck, postCheck)
	if round == nil {
		return nil
	}
	return p.runRecheck(round, rechecks)
}

// removeCommitted applies the block to the pool and the cache. If transactions remain and recheck
// is on, it starts a recheck round and returns it with the transactions to recheck.
func (p *Pool) removeCommitted(height int64, txs types.Txs, txResults []*abci.ExecTxResult, preCheck PreCheckFunc, postCheck PostCheckFunc) (*recheckRound, []*poolTx) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.height = height
	p.notified, p.backlogSent = false, false
	if preCheck != nil {
		p.preCheck = preCheck
	}
	if postCheck != nil {
		p.postCheck = postCheck
	}
	for i, tx := range txs {
		key := tx.Key()
		if txResults[i] != nil && txResults[i].Code == abcitypes.CodeTypeOK {
			p.cache.push(key) // committed: never accept it again
		} else {
			p.forgetInvalid(key)
		}
		// Remove it whatever its result: it is in a block now.
		if ptx := p.store.get(key); ptx != nil {
			p.store.remove(ptx)
		}
	}
	p.updateSizeMetrics()
	if p.store.len() == 0 || !p.cfg.Recheck {
		p.notify()
		return nil, nil
	}
	rechecks := make([]*poolTx, 0, p.store.len())
	p.store.live(func(ptx *poolTx) bool {
		rechecks = append(rechecks, ptx)
		return true
	})
	round := &recheckRound{pending: len(rechecks), done: make(chan struct{})}
	p.recheck = round
	p.metrics.RecheckTimes.Add(1)
	return round, rechecks
}

// runRecheck sends a RECHECK for every transaction of the round, pipelined, then a Flush, and
// waits for the answers. recheck_timeout bounds all of it: transactions not yet sent when it
// expires are not rechecked at this height, and answers still outstanding are applied when they
// arrive (until then the round stays open and new transactions are refused with ErrRecheckFull).
func (p *Pool) runRecheck(round *recheckRound, rechecks []*poolTx) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.RecheckTimeout)
	defer cancel()
	var connErr error
	sent := 0
	for _, ptx := range rechecks {
		if ctx.Err() != nil {
			break
		}
		req := &abci.RequestCheckTx{Tx: ptx.tx, Type: abci.CheckTxType_Recheck}
		_, err := p.app.CheckTxAsync(ctx, req, func(res *abci.ResponseCheckTx, err error) {
			p.onRecheckAnswer(round, ptx, res, err)
		})
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				connErr = err
			}
			break
		}
		sent++
	}
	if unsent := len(rechecks) - sent; unsent > 0 {
		p.logger.Info("recheck timed out before every tx was sent", "unsent", unsent, "timeout", p.cfg.RecheckTimeout)
		p.settleRecheck(round, unsent)
	}
	if connErr == nil && sent > 0 {
		if err := p.app.Flush(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			connErr = err
		}
	}
	select {
	case <-round.done:
	case <-ctx.Done():
		p.logger.Info("recheck timed out; remaining answers are applied when they arrive",
			"timeout", p.cfg.RecheckTimeout)
	}
	if connErr != nil {
		return &AppConnError{Err: connErr}
	}
	return nil
}

// onRecheckAnswer applies one RECHECK answer: a non-zero code or a failed post-check evicts the
// transaction; a broken connection leaves it in place.
func (p *Pool) onRecheckAnswer(round *recheckRound, ptx *poolTx, res *abci.ResponseCheckTx, err error) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if err == nil && !ptx.removed {
		if res == nil {
			res = &abci.ResponseCheckTx{}
		}
		invalid := res.Code != abcitypes.CodeTypeOK
		if !invalid && p.postCheck != nil {
			invalid = p.postCheck(ptx.tx, res) != nil
		}
		if invalid {
			p.store.remove(ptx)
			p.forgetInvalid(ptx.key)
			p.metrics.EvictedTxs.Add(1)
			p.updateSizeMetrics()
			p.logger.Debug("tx is no longer valid", "tx", txHashLog(ptx.key), "code", res.Code)
		}
	}
	p.settleLocked(round, 1)
}

// settleRecheck counts n expected answers as received.
func (p *Pool) settleRecheck(round *recheckRound, n int) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.settleLocked(round, n)
}

func (p *Pool) settleLocked(round *recheckRound, n int) {
	round.pending -= n
	if round.pending < 0 {
		panic("mempool: more recheck answers than requests")
	}
	if round.pending > 0 {
		return
	}
	close(round.done)
	if p.recheck == round {
		p.recheck = nil
		p.notify()
	}
}

// Flush removes every transaction and empties the cache; see Mempool.
func (p *Pool) Flush() {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.store.reset()
	p.cache.reset()
	p.updateSizeMetrics()
}

// RemoveTxByKey removes one transaction; see Mempool.
func (p *Pool) RemoveTxByKey(key types.TxKey) error {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	ptx := p.store.get(key)
	if ptx == nil {
		return ErrTxNotFound
	}
	p.store.remove(ptx)
	p.updateSizeMetrics()
	return nil
}
