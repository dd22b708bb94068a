package appconformance

// mempool holds the transactions CheckTx admitted and the block has not yet included, in
// arrival order.
type mempool struct {
	txs        [][]byte
	in         map[string]bool
	valPending map[string]bool // base64 keys with a validator update in the mempool
}

func newMempool() *mempool {
	return &mempool{in: map[string]bool{}, valPending: map[string]bool{}}
}

func (m *mempool) has(tx []byte) bool { return m.in[string(tx)] }

func (m *mempool) add(tx []byte) {
	if m.in[string(tx)] {
		return
	}
	m.in[string(tx)] = true
	m.txs = append(m.txs, tx)
	if pub, ok := validatorTxKey(tx); ok {
		m.valPending[pub] = true
	}
}

// remove drops every transaction for which drop returns true.
func (m *mempool) remove(drop func(tx []byte) bool) {
	kept := m.txs[:0]
	for _, tx := range m.txs {
		if !drop(tx) {
			kept = append(kept, tx)
			continue
		}
		delete(m.in, string(tx))
		if pub, ok := validatorTxKey(tx); ok {
			delete(m.valPending, pub)
		}
	}
	m.txs = kept
}
