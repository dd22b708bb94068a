package pex

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
)

// Errors of dialing an address from the book.
var (
	errTooEarlyToDial    = errors.New("pex: too early to dial the address again")
	errMaxAttemptsToDial = errors.New("pex: too many failed dials of the address")
)

// Run runs the reactor until ctx ends: it records the node's own address in the book, saves the
// book periodically (AddrBook.Run), and either keeps outbound peers topped up every
// EnsurePeersPeriod (first at once if the node has no peer yet, else after a random part of the
// period) or, in seed mode, crawls every EnsurePeersPeriod. It returns nil once every goroutine
// it started has ended; call it once, after the switch runs.
func (r *Reactor) Run(ctx context.Context) error {
	r.mu.Lock()
	if r.ctx != nil {
		r.mu.Unlock()
		return errors.New("pex: Run called twice")
	}
	r.ctx = ctx
	r.mu.Unlock()
	if ours, err := r.sw.NetAddress(); err == nil {
		r.book.AddOurAddress(ours)
	}
	var saver sync.WaitGroup
	saver.Go(func() { r.book.Run(ctx) })
	if r.cfg.SeedMode {
		r.crawlLoop(ctx)
	} else {
		r.ensurePeersLoop(ctx)
	}
	r.mu.Lock()
	r.stopping = true
	r.mu.Unlock()
	r.wg.Wait()
	saver.Wait()
	return nil
}

// goTracked runs f in a goroutine Run waits for, if Run is running.
func (r *Reactor) goTracked(f func(ctx context.Context)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil || r.stopping {
		return
	}
	ctx := r.ctx
	r.wg.Go(func() { f(ctx) })
}

// goDial dials addr in the background.
func (r *Reactor) goDial(addr p2p.NetAddress) {
	r.goTracked(func(ctx context.Context) {
		if err := r.dialPeer(ctx, addr); err != nil {
			r.logger.Debug("Dialing an address from the book failed", "addr", addr, "err", err)
		}
	})
}

func (r *Reactor) jitter(upTo time.Duration) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(r.rng.Int64N(int64(upTo)))
}

func (r *Reactor) ensurePeersLoop(ctx context.Context) {
	first := time.Duration(0)
	if out, in, dialing := r.sw.NumPeers(); out+in+dialing > 0 {
		first = r.jitter(r.cfg.EnsurePeersPeriod)
	}
	timer := time.NewTimer(first)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			r.ensurePeers(ctx)
			timer.Reset(r.cfg.EnsurePeersPeriod)
		}
	}
}

// ensurePeers dials addresses from the book until max_num_outbound_peers are connected or being
// dialed (favouring new addresses more as outbound peers grow: 10% bias at none, 90% from 8),
// asks a random peer for more addresses if the book needs them, and dials the seeds if the node
// has no peer, no dial under way and nothing to dial.
func (r *Reactor) ensurePeers(ctx context.Context) {
	out, in, dialing := r.sw.NumPeers()
	numToDial := r.sw.MaxNumOutboundPeers() - (out + dialing)
	var toDial []p2p.NetAddress
	if numToDial > 0 {
		bias := min(out, 8)*10 + 10
		picked := map[p2p.ID]bool{}
		for i := 0; i < 3*numToDial && len(toDial) < numToDial; i++ {
			addr, ok := r.book.PickAddress(bias)
			if !ok {
				break
			}
			if picked[addr.ID] || r.sw.IsDialingOrConnected(addr) {
				continue
			}
			picked[addr.ID] = true
			toDial = append(toDial, addr)
		}
		for _, addr := range toDial {
			r.goDial(addr)
		}
	}
	if r.book.NeedMoreAddrs() {
		r.book.ReinstateBadPeers()
		if peers := r.sw.Peers(); len(peers) > 0 {
			r.mu.Lock()
			peer := peers[r.rng.IntN(len(peers))]
			r.mu.Unlock()
			r.RequestAddrs(peer)
		}
	}
	if out+in+dialing+len(toDial) == 0 && len(r.cfg.Seeds) > 0 {
		r.goTracked(r.dialSeeds)
	}
}

// dialPeer dials an address from the book, pausing between failed dials of it (2^attempts s
// plus up to 3 s, at most 10 min, or the max dial period for persistent peers) and banning a
// non-persistent address after 16 failures. A failed authentication bans the address at once.
func (r *Reactor) dialPeer(ctx context.Context, addr p2p.NetAddress) error {
	r.mu.Lock()
	rec := r.dialAttempts[addr.ID]
	r.mu.Unlock()
	persistent := r.sw.IsPeerPersistent(addr.ID)
	if !persistent && rec.attempts > maxAttemptsToDial {
		r.book.MarkBad(addr, defaultBanTime)
		return fmt.Errorf("%w: %d attempts", errMaxAttemptsToDial, rec.attempts)
	}
	if rec.attempts > 0 {
		backoff := min(time.Second<<min(rec.attempts, 20), maxDialBackoff) + r.jitter(dialJitter)
		if persistent && r.cfg.PersistentPeersMaxDialPeriod > 0 {
			backoff = min(backoff, r.cfg.PersistentPeersMaxDialPeriod)
		}
		if since := time.Since(rec.last); since < backoff {
			return fmt.Errorf("%w: %v since the last attempt, want %v", errTooEarlyToDial, since, backoff)
		}
	}
	err := r.sw.DialPeerWithAddress(ctx, addr)
	switch {
	case err == nil:
		r.mu.Lock()
		delete(r.dialAttempts, addr.ID)
		r.mu.Unlock()
		return nil
	case ctx.Err() != nil, errors.Is(err, p2p.ErrDuplicatePeer), errors.Is(err, p2p.ErrAlreadyDialing),
		errors.Is(err, p2p.ErrSwitchNotRunning):
		return err
	case isAuthFailure(err):
		r.book.MarkBad(addr, defaultBanTime)
	default:
		r.book.MarkAttempt(addr)
	}
	r.mu.Lock()
	r.dialAttempts[addr.ID] = dialRecord{attempts: rec.attempts + 1, last: time.Now()}
	r.mu.Unlock()
	return err
}

// isAuthFailure reports whether a dial failed because the peer is not who the address says.
func isAuthFailure(err error) bool {
	return errors.Is(err, p2p.ErrDialedIDMismatch) || errors.Is(err, conn.ErrBadAuthSignature) ||
		errors.Is(err, conn.ErrUnsupportedPeerKey)
}

// dialSeeds dials the seeds in random order until one connects.
func (r *Reactor) dialSeeds(ctx context.Context) {
	seeds := append([]string(nil), r.cfg.Seeds...)
	r.mu.Lock()
	r.rng.Shuffle(len(seeds), func(i, j int) { seeds[i], seeds[j] = seeds[j], seeds[i] })
	r.mu.Unlock()
	for _, s := range seeds {
		addr, err := p2p.ParseNetAddress(s)
		if err == nil {
			err = r.sw.DialPeerWithAddress(ctx, addr)
		}
		if err == nil || errors.Is(err, p2p.ErrDuplicatePeer) {
			return
		}
		if ctx.Err() != nil {
			return
		}
		r.logger.Debug("Dialing a seed failed", "seed", s, "err", err)
	}
	r.logger.Error("Could not connect to any seed", "seeds", len(seeds))
}

// crawlLoop is a seed's loop: the seeds (or a crawl) first, then every EnsurePeersPeriod a
// crawl and the disconnection of peers held for longer than SeedDisconnectWaitPeriod.
func (r *Reactor) crawlLoop(ctx context.Context) {
	if len(r.cfg.Seeds) > 0 {
		r.dialSeeds(ctx)
	} else {
		r.crawlPeers(ctx)
	}
	ticker := time.NewTicker(r.cfg.EnsurePeersPeriod)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			r.crawlPeers(ctx)
			r.attemptDisconnects()
		}
	}
}

// crawlPeers dials, one at a time, a selection of the book's addresses not crawled in the last
// two minutes, and asks each peer reached for addresses.
func (r *Reactor) crawlPeers(ctx context.Context) {
	now := time.Now()
	r.mu.Lock()
	for id, at := range r.crawled {
		if now.Sub(at) >= minTimeBetweenCrawls {
			delete(r.crawled, id)
		}
	}
	r.mu.Unlock()
	for _, addr := range r.book.GetSelection() {
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		_, recent := r.crawled[addr.ID]
		if !recent {
			r.crawled[addr.ID] = now
		}
		r.mu.Unlock()
		if recent {
			continue
		}
		if err := r.dialPeer(ctx, addr); err != nil && !errors.Is(err, p2p.ErrDuplicatePeer) {
			r.logger.Debug("Crawling a peer failed", "addr", addr, "err", err)
			continue
		}
		if peer, ok := r.sw.Peer(addr.ID); ok {
			r.RequestAddrs(peer)
		}
	}
}

// attemptDisconnects lets go of the non-persistent peers a seed has held for longer than
// SeedDisconnectWaitPeriod.
func (r *Reactor) attemptDisconnects() {
	for _, peer := range r.sw.Peers() {
		status, ok := r.sw.PeerConnectionStatus(peer.ID())
		if !ok || status.Duration < r.cfg.SeedDisconnectWaitPeriod || peer.IsPersistent() {
			continue
		}
		r.sw.StopPeerGracefully(peer)
	}
}
