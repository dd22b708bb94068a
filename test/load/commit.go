package load

import "time"

// matcher matches the transactions of committed blocks to the run's sent transactions. It is
// used by the block watcher's goroutine only.
type matcher struct {
	gen     *TxGen
	tracker *Tracker
	stats   *Stats
	lat     []time.Duration // scratch, reused per block
	// seen is signalled (without blocking) after every block, for drain waits.
	seen chan struct{}
}

func newMatcher(gen *TxGen, tracker *Tracker, stats *Stats) *matcher {
	return &matcher{gen: gen, tracker: tracker, stats: stats, seen: make(chan struct{}, 1)}
}

// block records block b observed at observedAt: each of its transactions is this run's
// (commit latency recorded once), a repeated commit of one, or foreign.
func (m *matcher) block(b Block, observedAt time.Time) {
	lat := m.lat[:0]
	var foreign, dups int
	for _, tx := range b.Txs {
		seq, ok := m.gen.Seq(tx)
		if !ok {
			foreign++
			continue
		}
		l, res := m.tracker.Commit(seq, observedAt)
		switch res {
		case CommitFirst:
			lat = append(lat, l)
		case CommitDup:
			dups++
		default:
			foreign++
		}
	}
	m.lat = lat
	m.stats.Block(b.Height, b.Time, observedAt, len(b.Txs), foreign, dups, lat)
	select {
	case m.seen <- struct{}{}:
	default:
	}
}
