package mempool

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// storeModel is the obvious implementation of txStore: a list of every tx ever added.
type storeModel struct {
	all []*poolTx // ascending seq, removed ones included
}

func (m *storeModel) next(after uint64) *poolTx {
	for _, ptx := range m.all {
		if ptx.seq > after && !ptx.removed {
			return ptx
		}
	}
	return nil
}

// runStoreOps interprets ops as a program over a txStore and checks it against storeModel after
// every step. Each op byte: low 2 bits select add / remove / next / reset (reset is rare), the
// rest picks an operand.
func runStoreOps(t *testing.T, ops []byte) {
	store, model := newTxStore(), &storeModel{}
	var seq uint64
	for step, op := range ops {
		arg := int(op >> 2)
		switch op & 3 {
		case 0, 1: // add (twice as likely as the others)
			seq++
			tx := types.Tx(fmt.Sprintf("tx-%d", seq))
			ptx := &poolTx{tx: tx, key: tx.Key(), seq: seq}
			store.add(ptx)
			model.all = append(model.all, ptx)
		case 2: // remove the arg-th tx ever added, live or not
			if len(model.all) > 0 {
				store.remove(model.all[arg%len(model.all)])
			}
		case 3:
			if arg == 63 { // reset
				store.reset()
				continue
			}
			after := uint64(arg % (int(seq) + 2))
			if got, want := store.next(after), model.next(after); got != want {
				t.Fatalf("step %d: next(%d) = %v, want %v", step, after, got, want)
			}
		}
		var live []*poolTx
		var bytes int64
		for _, ptx := range model.all {
			if !ptx.removed {
				live = append(live, ptx)
				bytes += int64(len(ptx.tx))
			}
		}
		if store.len() != len(live) || store.bytes != bytes {
			t.Fatalf("step %d: len/bytes = %d/%d, want %d/%d", step, store.len(), store.bytes, len(live), bytes)
		}
		i := 0
		store.live(func(ptx *poolTx) bool {
			if i >= len(live) || ptx != live[i] {
				t.Fatalf("step %d: live order differs at %d", step, i)
			}
			i++
			return true
		})
		if i != len(live) || store.dead > len(store.order) {
			t.Fatalf("step %d: %d live visited of %d; dead %d of %d", step, i, len(live), store.dead, len(store.order))
		}
		for _, ptx := range live {
			if store.get(ptx.key) != ptx {
				t.Fatalf("step %d: get lost a live tx", step)
			}
		}
	}
}

func TestStoreModel(t *testing.T) {
	// A long deterministic program that adds many, removes most (forcing compactions), and looks
	// up successors of removed txs.
	ops := make([]byte, 0, 4096)
	for i := range 4096 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(i)*2654435761)
		ops = append(ops, b[3])
	}
	runStoreOps(t, ops)
}

func FuzzStore(f *testing.F) {
	f.Add([]byte{0, 0, 0, 2, 3, 7, 11})
	f.Add([]byte{0, 1, 0, 1, 2, 6, 10, 14, 3, 255, 0, 3})
	f.Add(make([]byte, 200))
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 2000 {
			ops = ops[:2000]
		}
		runStoreOps(t, ops)
	})
}
