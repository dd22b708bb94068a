package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ballot-bft/ballot/types"
)

// errBadTx is returned by app.checkTx for a transaction the application refuses.
var errBadTx = errors.New("bad transaction")

// app is the simulated application: a key/value store of "key=value" transactions (the kvstore's
// set form) that remembers every committed transaction, so that CheckTx refuses one already in
// the chain. Its hash chains the previous hash with the height and the transactions of every
// block that has any, so the hash changes exactly when a block carries transactions. It is
// durable state: it is applied atomically with the block and survives crashes.
type app struct {
	kv        map[string]string
	committed map[string]int64 // transaction -> height it was committed at
	hash      []byte
	height    int64
}

func newApp() *app {
	return &app{kv: map[string]string{}, committed: map[string]int64{}, hash: make([]byte, sha256.Size)}
}

// checkTx is the mempool's admission check: a "key=value" set, not yet committed.
func (a *app) checkTx(tx types.Tx) error {
	if _, _, ok := splitSet(tx); !ok {
		return fmt.Errorf("%w: %q is not key=value", errBadTx, []byte(tx))
	}
	if h, ok := a.committed[string(tx)]; ok {
		return fmt.Errorf("%w: %q already committed at height %d", errBadTx, []byte(tx), h)
	}
	return nil
}

// apply executes the block of height with txs and returns the new app hash.
func (a *app) apply(height int64, txs types.Txs) []byte {
	if height != a.height+1 {
		panic(fmt.Sprintf("sim: app at height %d asked to apply height %d", a.height, height))
	}
	a.height = height
	if len(txs) == 0 {
		return a.hash
	}
	h := sha256.New()
	h.Write(a.hash)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(height)))
	for _, tx := range txs {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(tx))))
		h.Write(tx)
		if key, value, ok := splitSet(tx); ok {
			a.kv[key] = value
		}
		a.committed[string(tx)] = height
	}
	a.hash = h.Sum(nil)
	return a.hash
}

// splitSet splits a "key=value" transaction.
func splitSet(tx types.Tx) (key, value string, ok bool) {
	i := bytes.IndexByte(tx, '=')
	if i <= 0 || i == len(tx)-1 || bytes.Count(tx, []byte("=")) != 1 {
		return "", "", false
	}
	return string(tx[:i]), string(tx[i+1:]), true
}

// mempool is a node's pool of pending transactions, in arrival order. It is in memory only: a
// crash empties it. seen is its cache of transactions already handled, so gossip loops end.
type mempool struct {
	txs  []types.Tx
	in   map[string]bool
	seen map[string]bool
}

func newMempool() *mempool {
	return &mempool{in: map[string]bool{}, seen: map[string]bool{}}
}

// add admits tx if it is new to the pool and the application accepts it; it reports whether tx
// was added.
func (m *mempool) add(tx types.Tx, a *app) bool {
	if m.seen[string(tx)] {
		return false
	}
	m.seen[string(tx)] = true
	if a.checkTx(tx) != nil {
		return false
	}
	m.txs = append(m.txs, tx)
	m.in[string(tx)] = true
	return true
}

// reap returns up to max transactions, oldest first, leaving them in the pool.
func (m *mempool) reap(max int) types.Txs {
	n := min(max, len(m.txs))
	return append(types.Txs(nil), m.txs[:n]...)
}

// update removes the transactions of a committed block.
func (m *mempool) update(committed types.Txs) {
	if len(committed) == 0 {
		return
	}
	gone := make(map[string]bool, len(committed))
	for _, tx := range committed {
		gone[string(tx)] = true
		m.seen[string(tx)] = true
	}
	kept := m.txs[:0]
	for _, tx := range m.txs {
		if gone[string(tx)] {
			delete(m.in, string(tx))
			continue
		}
		kept = append(kept, tx)
	}
	m.txs = kept
}

func (m *mempool) size() int { return len(m.txs) }
