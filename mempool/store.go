package mempool

import (
	"slices"
	"sort"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"
)

// poolTx is one admitted transaction. Every field but senders and removed is immutable once the
// transaction is in the store; senders and removed are guarded by the pool's mutex.
type poolTx struct {
	tx        types.Tx
	key       types.TxKey
	seq       uint64 // admission order, from 1
	height    int64  // pool height at admission
	gasWanted int64
	protoSize int64 // bytes the tx adds to proto(Data)

	senders []p2p.ID // peers that sent it; the local node ("") is not recorded
	removed bool
}

func (ptx *poolTx) addSender(sender p2p.ID) {
	if sender != "" && !slices.Contains(ptx.senders, sender) {
		ptx.senders = append(ptx.senders, sender)
	}
}

// compactMin is the number of removed entries the store tolerates before it considers compacting.
const compactMin = 64

// txStore keeps the pool's transactions in admission (sequence) order. Removal marks the entry
// and leaves it in place until the removed entries outnumber the live ones, when the order slice
// is rebuilt; so removal is amortised O(1), and finding the successor of a sequence number — even
// of a removed transaction — is a binary search. Not safe for concurrent use: the pool's mutex
// guards it.
type txStore struct {
	order []*poolTx // ascending seq; includes removed entries
	dead  int       // removed entries still in order
	byKey map[types.TxKey]*poolTx
	bytes int64 // raw bytes of the live transactions
}

func newTxStore() *txStore { return &txStore{byKey: make(map[types.TxKey]*poolTx)} }

// len returns the number of live transactions.
func (s *txStore) len() int { return len(s.byKey) }

func (s *txStore) get(key types.TxKey) *poolTx { return s.byKey[key] }

// add appends ptx, whose seq must exceed every seq in the store and whose key must be new.
func (s *txStore) add(ptx *poolTx) {
	if n := len(s.order); n > 0 && s.order[n-1].seq >= ptx.seq {
		panic("mempool: transaction sequence numbers out of order")
	}
	if _, dup := s.byKey[ptx.key]; dup {
		panic("mempool: transaction added twice")
	}
	s.order = append(s.order, ptx)
	s.byKey[ptx.key] = ptx
	s.bytes += int64(len(ptx.tx))
}

// remove takes ptx out of the store; removing a transaction twice is a no-op.
func (s *txStore) remove(ptx *poolTx) {
	if ptx.removed {
		return
	}
	ptx.removed = true
	delete(s.byKey, ptx.key)
	s.bytes -= int64(len(ptx.tx))
	s.dead++
	if s.dead >= compactMin && s.dead > len(s.order)/2 {
		s.compact()
	}
}

func (s *txStore) compact() {
	live := make([]*poolTx, 0, len(s.byKey))
	for _, ptx := range s.order {
		if !ptx.removed {
			live = append(live, ptx)
		}
	}
	s.order, s.dead = live, 0
}

// next returns the first live transaction whose seq is greater than after, or nil.
func (s *txStore) next(after uint64) *poolTx {
	i := sort.Search(len(s.order), func(i int) bool { return s.order[i].seq > after })
	for ; i < len(s.order); i++ {
		if !s.order[i].removed {
			return s.order[i]
		}
	}
	return nil
}

// live calls yield for every live transaction in admission order until it returns false.
func (s *txStore) live(yield func(*poolTx) bool) {
	for _, ptx := range s.order {
		if !ptx.removed && !yield(ptx) {
			return
		}
	}
}

// reset removes every transaction.
func (s *txStore) reset() {
	for _, ptx := range s.order {
		ptx.removed = true
	}
	s.order, s.dead, s.bytes = nil, 0, 0
	clear(s.byKey)
}
