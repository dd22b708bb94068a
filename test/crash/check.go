package crash

import "fmt"

// Ledger is everything the harness has learnt about one chain across the runs of its node:
// the block and app hash of every height any snapshot or log showed, and every message the
// validator signed. Every later snapshot must agree with it. A Ledger belongs to one goroutine.
type Ledger struct {
	blocks  map[int64]string // height → block hash
	results map[int64]string // height → app hash after executing it
	signed  map[HRS]Signed   // own proposals and votes
	acked   []AckedTx        // transactions acknowledged as committed
	last    *Snapshot        // the previous snapshot, nil before the first
}

// NewLedger returns an empty ledger for a fresh chain.
func NewLedger() *Ledger {
	return &Ledger{blocks: map[int64]string{}, results: map[int64]string{}, signed: map[HRS]Signed{}}
}

// Keys returns the keys of every transaction acknowledged so far or in run: the keys Inspect
// must read for Record.
func (l *Ledger) Keys(run Run) []string {
	var keys []string
	for _, t := range l.acked {
		keys = append(keys, t.Key)
	}
	for _, t := range run.Acked {
		keys = append(keys, t.Key)
	}
	return keys
}

// Record checks snapshot s, taken after run ended, against itself (CheckSnapshot), against
// everything recorded so far and against what run acknowledged, then records it. It returns
// every problem found.
func (l *Ledger) Record(s *Snapshot, run Run) []error {
	problems := CheckSnapshot(s)
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	// Heights continue from where the durable state was, one by one.
	next := int64(1)
	if l.last != nil {
		next = l.last.Height + 1
	}
	for _, c := range run.Committed {
		if c.Height != next {
			add("the run acknowledged height %d where height %d was next", c.Height, next)
		}
		next = c.Height + 1
	}
	// Acknowledged heights are durable and unchanged.
	for _, c := range run.Committed {
		if b, ok := s.Blocks[c.Height]; !ok || b.Hash != c.Hash {
			add("height %d was acknowledged with block %s but the block store has %q", c.Height, c.Hash, b.Hash)
		}
		if c.Height > s.StateHeight {
			add("height %d was acknowledged but the saved state is at height %d", c.Height, s.StateHeight)
		}
		if r, ok := s.Results[c.Height]; !ok || r != c.AppHash {
			add("height %d was acknowledged with app hash %s but the saved FinalizeBlock response has %q", c.Height, c.AppHash, r)
		}
	}
	// Acknowledged transactions stay in their block and in the application.
	l.acked = append(l.acked, run.Acked...)
	for _, t := range l.acked {
		if h, ok := s.Txs[t.Tx()]; !ok || h != t.Height {
			add("transaction %q was acknowledged at height %d but the block store has it at height %d", t.Tx(), t.Height, h)
		}
		if v := s.Values[t.Key]; v != t.Value {
			add("transaction %q was acknowledged at height %d but the application has %s = %q", t.Tx(), t.Height, t.Key, v)
		}
	}
	// The chain is the one seen before: no block replaced, no app hash changed on replay.
	for h, hash := range s.Blocks {
		if want, ok := l.blocks[h]; ok && want != hash.Hash {
			add("fork at height %d: block %s, earlier %s", h, hash.Hash, want)
		}
	}
	for h, appHash := range s.Results {
		if want, ok := l.results[h]; ok && want != appHash {
			add("height %d: app hash %s, earlier %s (replay gave a different result)", h, appHash, want)
		}
	}
	for _, c := range run.Committed {
		if want, ok := l.results[c.Height]; ok && want != c.AppHash {
			add("height %d logged app hash %s, earlier %s", c.Height, c.AppHash, want)
		}
	}
	// The signer never signed two different messages at one position.
	for _, m := range s.Signed {
		if prev, ok := l.signed[m.HRS]; ok && (prev.BlockHash != m.BlockHash || prev.POLRound != m.POLRound) {
			add("double sign at %s: %s (pol round %d), earlier %s (pol round %d)", m.HRS, m.BlockHash, m.POLRound, prev.BlockHash, prev.POLRound)
		}
	}
	// Nothing durable goes backwards.
	if p := l.last; p != nil {
		if s.Height < p.Height || s.StateHeight < p.StateHeight || s.AppHeight < p.AppHeight {
			add("went back: block store %d→%d, state %d→%d, app %d→%d", p.Height, s.Height, p.StateHeight, s.StateHeight, p.AppHeight, s.AppHeight)
		}
		if p.Base > 0 && s.Base != p.Base {
			add("block store base moved from %d to %d (no pruning is configured)", p.Base, s.Base)
		}
		if s.PrivVal.Less(p.PrivVal) {
			add("priv validator state went back from %s to %s", p.PrivVal, s.PrivVal)
		}
	}

	for h, b := range s.Blocks {
		l.blocks[h] = b.Hash
	}
	for h, r := range s.Results {
		l.results[h] = r
	}
	for _, c := range run.Committed {
		l.blocks[c.Height] = c.Hash
		l.results[c.Height] = c.AppHash
	}
	for _, m := range s.Signed {
		if _, ok := l.signed[m.HRS]; !ok {
			l.signed[m.HRS] = m
		}
	}
	l.last = s
	return problems
}

// CheckSnapshot checks the invariants that hold in the durable state of a node at any moment,
// however it stopped: the block store is one linked chain; a block is saved before it is
// executed (state and application are at most one block behind the store, never ahead); the
// FinalizeBlock response is saved before the application commits; app hashes agree between
// the headers, the saved responses, the state and the application; the WAL marks the end of a
// height only after its block is saved; and the signer's last sign state covers every message
// of its in the WAL.
func CheckSnapshot(s *Snapshot) []error {
	var problems []error
	add := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	if s.Height > 0 && (s.Base < 1 || s.Base > s.Height) {
		add("block store bounds base %d, height %d", s.Base, s.Height)
	}
	for h := s.Base; h > 0 && h <= s.Height; h++ {
		b := s.Blocks[h]
		if b.SeenCommit != b.Hash {
			add("height %d: the seen commit is for %s, the block is %s", h, b.SeenCommit, b.Hash)
		}
		if prev, ok := s.Blocks[h-1]; ok && b.LastBlockHash != prev.Hash {
			add("height %d: last_block_id %s, but block %d is %s", h, b.LastBlockHash, h-1, prev.Hash)
		}
	}
	if s.StateHeight > s.Height || s.Height > s.StateHeight+1 {
		add("the state is at height %d, the block store at %d: want store = state or state+1", s.StateHeight, s.Height)
	}
	if s.AppHeight < s.StateHeight || s.AppHeight > s.Height {
		add("the application is at height %d, the state at %d, the block store at %d: want state <= app <= store", s.AppHeight, s.StateHeight, s.Height)
	}
	for h := max(s.Base, 1); h <= s.StateHeight; h++ {
		r, ok := s.Results[h]
		if !ok {
			add("height %d is executed but has no saved FinalizeBlock response", h)
			continue
		}
		if next, ok := s.Blocks[h+1]; ok && next.AppHash != r {
			add("height %d: app hash %s in the saved response, %s in the header of block %d", h, r, next.AppHash, h+1)
		}
	}
	if r, ok := s.Results[s.StateHeight]; ok && s.StateHeight > 0 && r != s.StateAppHash {
		add("the state's app hash %s differs from the saved response of height %d: %s", s.StateAppHash, s.StateHeight, r)
	}
	for h := range s.Results {
		if h > s.Height {
			add("a FinalizeBlock response is saved for height %d, above the block store (%d)", h, s.Height)
		}
	}
	switch s.AppHeight {
	case s.StateHeight:
		if s.AppHash != s.StateAppHash {
			add("the application and the state are at height %d with app hashes %s and %s", s.AppHeight, s.AppHash, s.StateAppHash)
		}
	case s.StateHeight + 1:
		if r, ok := s.Results[s.AppHeight]; !ok || r != s.AppHash {
			add("the application committed height %d (app hash %s) but the saved response has %q", s.AppHeight, s.AppHash, r)
		}
	}
	for _, h := range s.EndHeights {
		if h > s.Height {
			add("the WAL ends height %d, but the block store is at height %d", h, s.Height)
		}
	}
	for i := 1; i < len(s.EndHeights); i++ {
		if s.EndHeights[i] <= s.EndHeights[i-1] {
			add("the WAL's end-of-height markers are not increasing: %d after %d", s.EndHeights[i], s.EndHeights[i-1])
		}
	}
	for _, m := range s.Signed {
		if s.PrivVal.Less(m.HRS) {
			add("the WAL holds our message at %s, but the priv validator state is only at %s", m.HRS, s.PrivVal)
		}
	}
	return problems
}
