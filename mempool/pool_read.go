package mempool

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// ReapMaxBytesMaxGas returns transactions from the front of the pool within the limits; see
// Mempool.
func (p *Pool) ReapMaxBytesMaxGas(maxBytes, maxGas int64) types.Txs {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	var (
		txs            = make(types.Txs, 0, p.store.len())
		totalBytes     int64
		totalGasWanted int64
	)
	p.store.live(func(ptx *poolTx) bool {
		if maxBytes >= 0 && totalBytes+ptx.protoSize > maxBytes {
			return false
		}
		if maxGas >= 0 && totalGasWanted+ptx.gasWanted > maxGas {
			return false
		}
		totalBytes += ptx.protoSize
		totalGasWanted += ptx.gasWanted
		txs = append(txs, ptx.tx)
		return true
	})
	return txs
}

// ReapMaxTxs returns the first max transactions; see Mempool.
func (p *Pool) ReapMaxTxs(max int) types.Txs {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if max < 0 || max > p.store.len() {
		max = p.store.len()
	}
	txs := make(types.Txs, 0, max)
	p.store.live(func(ptx *poolTx) bool {
		if len(txs) == max {
			return false
		}
		txs = append(txs, ptx.tx)
		return true
	})
	return txs
}

// Contains reports whether the transaction with key is in the pool.
func (p *Pool) Contains(key types.TxKey) bool {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.store.get(key) != nil
}

// GetTxByHash returns the pool's transaction whose SHA-256 is hash.
func (p *Pool) GetTxByHash(hash []byte) (types.Tx, bool) {
	if len(hash) != sha256.Size {
		return nil, false
	}
	p.mtx.Lock()
	defer p.mtx.Unlock()
	ptx := p.store.get(types.TxKey(hash))
	if ptx == nil {
		return nil, false
	}
	return ptx.tx, true
}

// Size returns the number of transactions in the pool.
func (p *Pool) Size() int {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.store.len()
}

// SizeBytes returns the total raw size of the transactions in the pool.
func (p *Pool) SizeBytes() int64 {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.store.bytes
}

// EnableTxsAvailable turns on the TxsAvailable notifications; calling it again does nothing.
func (p *Pool) EnableTxsAvailable() {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if p.availableCh == nil {
		p.availableCh = make(chan struct{}, 1)
	}
}

// TxsAvailable returns the once-per-height notification channel; see Mempool.
func (p *Pool) TxsAvailable() <-chan struct{} {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.availableCh
}

// EnableTxsBacklog turns on the TxsBacklog notifications for n transactions (a later call
// changes n); if the pool already holds n, the notice fires at once. It panics if n is not
// positive.
func (p *Pool) EnableTxsBacklog(n int) {
	if n <= 0 {
		panic(fmt.Sprintf("mempool: EnableTxsBacklog(%d): n must be positive", n))
	}
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.backlogTxs = n
	if p.backlogCh == nil {
		p.backlogCh = make(chan int64, 1)
	}
	p.notify()
}

// TxsBacklog returns the once-per-height backlog notification channel; see Mempool.
func (p *Pool) TxsBacklog() <-chan int64 {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.backlogCh
}

// TxsWaitChan returns a channel closed at the next admission; see Mempool.
func (p *Pool) TxsWaitChan() <-chan struct{} {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.waitChLocked()
}

func (p *Pool) waitChLocked() chan struct{} {
	if p.waitCh == nil {
		p.waitCh = make(chan struct{})
	}
	return p.waitCh
}

// NextTx returns the first transaction admitted after number after; see Mempool.
func (p *Pool) NextTx(after uint64) (Entry, bool) {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	if ptx := p.store.next(after); ptx != nil {
		return ptx.entry(), true
	}
	return Entry{}, false
}

// WaitNextTx waits for a transaction admitted after number after; see Mempool.
func (p *Pool) WaitNextTx(ctx context.Context, after uint64) (Entry, error) {
	for {
		p.mtx.Lock()
		if ptx := p.store.next(after); ptx != nil {
			entry := ptx.entry()
			p.mtx.Unlock()
			return entry, nil
		}
		wait := p.waitChLocked()
		p.mtx.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		}
	}
}
