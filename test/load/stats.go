package load

import (
	"sync"
	"time"
)

// Outcome is what became of one transaction's request.
type Outcome int

// The outcomes.
const (
	Accepted    Outcome = iota // CheckTx code 0 (sync) / pre-checks passed (async)
	MempoolFull                // "mempool is full" or still rechecking ("considered as full")
	InCache                    // "tx already exists in cache"
	CheckTxCode                // the app's CheckTx returned a non-zero code
	OtherReject                // any other JSON-RPC error
	Failed                     // no usable answer: transport error, timeout, malformed reply
	numOutcomes
)

// maxReasons bounds the distinct texts kept for OtherReject, CheckTxCode and Failed.
const maxReasons = 16

// bucket is one second of the run.
type bucket struct {
	offered, sent, notSent int64
	outcomes               [numOutcomes]int64
	committed, blocks      int64
}

type latencySample struct {
	at      time.Duration // commit observed, since the origin
	latency time.Duration
}

type blockSample struct {
	height     int64
	time       time.Time // header time
	observedAt time.Duration
	txs, ours  int
}

// Stats collects a run's counters behind one mutex. Senders, the pacer and the block watcher
// all report here; updates are per request or per block, never per byte.
type Stats struct {
	origin time.Time

	mu        sync.Mutex
	buckets   []bucket
	reasons   map[string]int64
	other     int64 // reasons past maxReasons
	latencies []latencySample
	blocks    []blockSample
	foreign   int64 // committed transactions that are not this run's
	dupCommit int64 // this run's transactions seen committed a second time
}

// NewStats returns empty statistics measuring from origin.
func NewStats(origin time.Time) *Stats {
	return &Stats{origin: origin, reasons: map[string]int64{}}
}

// at returns the bucket of instant t, growing the timeline; mu must be held.
func (s *Stats) at(t time.Time) *bucket {
	i := int(t.Sub(s.origin) / time.Second)
	if i < 0 {
		i = 0
	}
	for len(s.buckets) <= i {
		s.buckets = append(s.buckets, bucket{})
	}
	return &s.buckets[i]
}

// Offered records n permits released by the pacer at t.
func (s *Stats) Offered(t time.Time, n int) {
	s.mu.Lock()
	s.at(t).offered += int64(n)
	s.mu.Unlock()
}

// NotSent records n permits at t that never became requests (queue full, tracker full, no
// connection, run interrupted).
func (s *Stats) NotSent(t time.Time, n int) {
	s.mu.Lock()
	s.at(t).notSent += int64(n)
	s.mu.Unlock()
}

// Sent records n transactions written at t.
func (s *Stats) Sent(t time.Time, n int) {
	s.mu.Lock()
	s.at(t).sent += int64(n)
	s.mu.Unlock()
}

// Answered records one transaction's outcome at t; reason explains a non-Accepted outcome.
func (s *Stats) Answered(t time.Time, o Outcome, reason string) {
	s.mu.Lock()
	s.at(t).outcomes[o]++
	if o != Accepted && reason != "" {
		if _, ok := s.reasons[reason]; ok || len(s.reasons) < maxReasons {
			s.reasons[reason]++
		} else {
			s.other++
		}
	}
	s.mu.Unlock()
}

// Block records a committed block observed at observedAt, with its transaction counts and the
// commit latencies of the run's transactions in it.
func (s *Stats) Block(height int64, header time.Time, observedAt time.Time, txs, foreign, dups int, lat []time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.at(observedAt)
	b.blocks++
	b.committed += int64(len(lat))
	obs := observedAt.Sub(s.origin)
	s.blocks = append(s.blocks, blockSample{height: height, time: header, observedAt: obs, txs: txs, ours: len(lat)})
	for _, l := range lat {
		s.latencies = append(s.latencies, latencySample{at: obs, latency: l})
	}
	s.foreign += int64(foreign)
	s.dupCommit += int64(dups)
}

// snapshot is a consistent copy of the totals, for progress lines and step decisions.
type snapshot struct {
	offered, sent, notSent, committed int64
	outcomes                          [numOutcomes]int64
	lastHeight                        int64
	seconds                           int
}

// window sums buckets [from, to) (clamped to the timeline).
func (s *Stats) window(from, to int) snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var w snapshot
	to = min(to, len(s.buckets))
	for i := max(from, 0); i < to; i++ {
		b := &s.buckets[i]
		w.offered += b.offered
		w.sent += b.sent
		w.notSent += b.notSent
		w.committed += b.committed
		for o := range b.outcomes {
			w.outcomes[o] += b.outcomes[o]
		}
	}
	w.seconds = max(to-max(from, 0), 0)
	if n := len(s.blocks); n > 0 {
		w.lastHeight = s.blocks[n-1].height
	}
	return w
}

// totals sums the whole timeline.
func (s *Stats) totals() snapshot { return s.window(0, 1<<30) }

// latenciesBetween returns the latencies of commits observed in [from, to) since the origin.
func (s *Stats) latenciesBetween(from, to time.Duration) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Duration
	for _, l := range s.latencies {
		if l.at >= from && l.at < to {
			out = append(out, l.latency)
		}
	}
	return out
}
