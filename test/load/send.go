package load

import (
	"context"
	"time"
)

// sender turns queued jobs (a number of transactions each) into broadcast requests. One
// sender is shared by all connections; each connection runs one of its run* loops.
type sender struct {
	cfg     *Config
	method  string
	gen     *TxGen
	tracker *Tracker
	stats   *Stats
	rpc     *rpcClient
}

func newSender(cfg *Config, gen *TxGen, tracker *Tracker, stats *Stats, rpc *rpcClient) *sender {
	method := "broadcast_tx_async"
	if cfg.Mode == ModeSync {
		method = "broadcast_tx_sync"
	}
	return &sender{cfg: cfg, method: method, gen: gen, tracker: tracker, stats: stats, rpc: rpc}
}

// skip counts every remaining job of jobs as not sent; it returns when jobs is closed.
func (s *sender) skip(jobs <-chan int) {
	for n := range jobs {
		s.stats.NotSent(time.Now(), n)
	}
}

// answer records the outcome of transaction seq.
func (s *sender) answer(seq int64, at time.Time, o Outcome, reason string) {
	s.tracker.Resolve(seq, o == Accepted)
	s.stats.Answered(at, o, reason)
}

// runHTTP posts each job as one request (a batch array for the http-batch transport) on a
// keep-alive connection of the shared client, one request at a time, until jobs is closed.
// When ctx ends, the remaining jobs are counted as not sent.
func (s *sender) runHTTP(ctx context.Context, endpoint string, jobs <-chan int) {
	var tx, body []byte
	answered := make([]bool, s.cfg.batchSize())
	batch := s.cfg.Transport == TransportHTTPBatch
	for n := range jobs {
		if ctx.Err() != nil {
			s.stats.NotSent(time.Now(), n)
			s.skip(jobs)
			return
		}
		first, ok := s.tracker.Reserve(n)
		if !ok {
			s.stats.NotSent(time.Now(), n)
			continue
		}
		body = body[:0]
		if batch {
			body = append(body, '[')
		}
		for i := range n {
			if i > 0 {
				body = append(body, ',')
			}
			tx = s.gen.AppendTx(tx[:0], first+int64(i))
			body = appendBroadcast(body, s.method, first+int64(i), tx)
		}
		if batch {
			body = append(body, ']')
		}
		sentAt := time.Now()
		for i := range n {
			s.tracker.MarkSent(first+int64(i), sentAt)
		}
		s.stats.Sent(sentAt, n)
		rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
		reply, err := s.rpc.post(rctx, endpoint, body)
		cancel()
		now := time.Now()
		if err != nil {
			for i := range n {
				s.answer(first+int64(i), now, Failed, truncate(err.Error(), 120))
			}
			continue
		}
		s.settle(first, n, reply, answered[:n], now)
	}
}

// settle matches the replies in body to transactions first..first+n-1 by id. A reply without
// a usable id (a batch-level error) answers every transaction not otherwise answered;
// transactions left without a reply fail.
func (s *sender) settle(first int64, n int, body []byte, answered []bool, now time.Time) {
	clear(answered)
	rs, err := decodeResponses(body)
	if err != nil {
		for i := range n {
			s.answer(first+int64(i), now, Failed, truncate(err.Error(), 120))
		}
		return
	}
	var general *rpcResponse
	for k := range rs {
		r := &rs[k]
		id, ok := r.id()
		if !ok || id < first || id >= first+int64(n) || answered[id-first] {
			if r.Error != nil && general == nil {
				general = r
			}
			continue
		}
		answered[id-first] = true
		o, reason := classify(r)
		s.answer(id, now, o, reason)
	}
	for i := range n {
		if answered[i] {
			continue
		}
		if general != nil {
			o, reason := classify(general)
			s.answer(first+int64(i), now, o, reason)
			continue
		}
		s.answer(first+int64(i), now, Failed, "no reply for the request")
	}
}
