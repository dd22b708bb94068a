package evidence

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// maxBufferedPairs bounds the conflicting-vote pairs waiting for Update; beyond it the oldest
// pairs are dropped (and logged).
const maxBufferedPairs = 10_000

// Pool is the evidence pool (see the package documentation). It owns its database and closes
// it in Close. Every method is safe for concurrent use.
type Pool struct {
	db         dbm.DB
	stateStore StateStore
	blockStore BlockStore
	logger     log.Logger

	mtx      sync.Mutex // guards every field below and orders the database writes
	state    state.State
	pending  map[string]*pendingEv // by pending key
	arrivals arrivals
	seq      uint64        // sequence number of the last evidence that became pending
	waitCh   chan struct{} // closed at the next arrival; nil until someone waits
	buffer   []votePair    // conflicting votes waiting for their height to be committed
}

// votePair is two conflicting votes reported by consensus.
type votePair struct{ a, b *types.Vote }

// NewPool opens the pool kept in db, at the state last saved in stateStore. Pending evidence
// stored by an earlier run is loaded (expired evidence dropped) and offered for gossip again in
// height order; the evidence of the block at the state's height is marked committed, in case
// the node stopped between saving the state and updating the pool. A nil logger logs nothing.
//
// It fails when the state cannot be loaded or stored evidence is corrupted (ErrCorrupted).
func NewPool(db dbm.DB, stateStore StateStore, blockStore BlockStore, logger log.Logger) (*Pool, error) {
	if db == nil || stateStore == nil || blockStore == nil {
		return nil, errors.New("evidence: nil database or store")
	}
	if logger == nil {
		logger = log.NewNop()
	}
	st, err := stateStore.Load()
	if err != nil {
		return nil, fmt.Errorf("evidence: loading state: %w", err)
	}
	p := &Pool{
		db:         db,
		stateStore: stateStore,
		blockStore: blockStore,
		logger:     logger.With("module", "evidence"),
		state:      st,
		pending:    make(map[string]*pendingEv),
	}
	if err := p.loadPending(); err != nil {
		return nil, err
	}
	batch := p.newWrite()
	defer batch.Close()
	if h := st.LastBlockHeight; h > 0 {
		p.markBlockCommittedLocked(batch, h)
	}
	p.pruneExpiredLocked(batch)
	if err := batch.WriteSync(); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return p, nil
}

// loadPending reads the stored pending evidence into memory, oldest first.
func (p *Pool) loadPending() error {
	iter, err := dbm.IteratePrefix(p.db, []byte{prefixPending})
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer iter.Close()
	for ; iter.Valid(); iter.Next() {
		ev, err := decodePending(iter.Key(), iter.Value())
		if err != nil {
			return fmt.Errorf("evidence: %w", err)
		}
		if _, err := p.trackLocked(ev); err != nil {
			return fmt.Errorf("evidence: %w: %w", ErrCorrupted, err)
		}
	}
	if err := iter.Error(); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	return nil
}

// Close closes the pool's database. The pool must not be used afterwards.
func (p *Pool) Close() error { return p.db.Close() }

// Size returns the number of pending evidence.
func (p *Pool) Size() int {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return len(p.pending)
}

// State returns the state of the last Update (or the one loaded by NewPool). Its validator sets
// are shared and must not be modified.
func (p *Pool) State() state.State {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	return p.state
}

// PendingEvidence returns pending evidence, oldest (lowest height) first, as much as fits in
// maxBytes of proto(EvidenceList) (−1: no limit), and its size in those bytes. It stops at the
// first evidence that does not fit in what is left, so older evidence is not passed over for
// newer; evidence larger than maxBytes on its own, which no block can carry, is skipped instead
// of holding back everything after it. The slice belongs to the caller; the evidence is shared
// read-only.
func (p *Pool) PendingEvidence(maxBytes int64) ([]types.Evidence, int64) {
	p.mtx.Lock()
	all := make([]*pendingEv, 0, len(p.pending))
	for _, e := range p.pending {
		all = append(all, e)
	}
	p.mtx.Unlock()
	slices.SortFunc(all, func(a, b *pendingEv) int { return strings.Compare(a.key, b.key) })
	var (
		out   []types.Evidence
		total int64
	)
	for _, e := range all {
		if maxBytes >= 0 && e.size > maxBytes {
			continue
		}
		if maxBytes >= 0 && total+e.size > maxBytes {
			break
		}
		out = append(out, e.ev)
		total += e.size
	}
	return out, total
}

// expired reports whether evidence of height and time has expired at st: it is older than
// max_age_num_blocks blocks and older than max_age_duration (types.md §11).
func expired(st state.State, height int64, t time.Time) bool {
	params := st.ConsensusParams.Evidence
	return st.LastBlockHeight-height > params.MaxAgeNumBlocks && st.LastBlockTime.Sub(t) > params.MaxAgeDuration
}

// trackLocked makes ev pending in memory (not in the database) and returns its entry; it fails
// when ev cannot be encoded. Evidence already pending returns the existing entry.
func (p *Pool) trackLocked(ev types.Evidence) (*pendingEv, error) {
	key := string(pendingKey(ev))
	if e, ok := p.pending[key]; ok {
		return e, nil
	}
	size, err := listSize(ev)
	if err != nil {
		return nil, err
	}
	p.seq++
	e := &pendingEv{ev: ev, key: key, size: size, seq: p.seq}
	p.pending[key] = e
	p.arrivals.add(e)
	return e, nil
}

// untrackLocked removes the pending evidence under key from memory; it reports whether some was.
func (p *Pool) untrackLocked(key string) bool {
	e, ok := p.pending[key]
	if !ok {
		return false
	}
	delete(p.pending, key)
	p.arrivals.remove(e)
	return true
}

// isCommitted reports whether ev is marked committed in the database.
func (p *Pool) isCommitted(ev types.Evidence) (bool, error) {
	ok, err := p.db.Has(committedKey(ev))
	if err != nil {
		return false, fmt.Errorf("evidence: looking up committed evidence: %w", err)
	}
	return ok, nil
}

// addPendingLocked stores ev as pending and offers it for gossip. Evidence already pending is
// left alone.
func (p *Pool) addPendingLocked(ev types.Evidence) error {
	key := pendingKey(ev)
	if _, ok := p.pending[string(key)]; ok {
		return nil
	}
	bz, err := encodeEvidence(ev)
	if err != nil {
		return fmt.Errorf("evidence: encoding: %w", err)
	}
	if err := p.db.Set(key, bz); err != nil {
		return fmt.Errorf("evidence: storing pending evidence: %w", err)
	}
	if _, err := p.trackLocked(ev); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	p.wakeLocked()
	return nil
}
