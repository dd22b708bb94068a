package p2p

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Redial schedule of persistent peers (CometBFT's shape): after a failed dial, 20 retries about
// reconnectInterval apart, then pauses growing as powers of reconnectBackoffBase seconds up to
// the 9th power (about 5.5 h), where they stay: a persistent peer is never given up. Each pause
// gets up to redialJitter added, and is capped by persistent_peers_max_dial_period when that is
// set.
const (
	reconnectAttempts     = 20
	reconnectInterval     = 5 * time.Second
	reconnectBackoffBase  = 3
	reconnectBackoffSteps = 9
	redialJitter          = 3 * time.Second
)

// RedialDelay returns how long to wait after the failed dial number attempt (0 for the first) of
// a persistent peer, before jitter: see the constants above. maxPeriod > 0 caps the result.
func RedialDelay(attempt int, maxPeriod time.Duration) time.Duration {
	var d time.Duration
	if attempt < reconnectAttempts {
		d = reconnectInterval
	} else {
		d = time.Second
		for i := 0; i < min(attempt-reconnectAttempts, reconnectBackoffSteps); i++ {
			d *= reconnectBackoffBase
		}
	}
	if maxPeriod > 0 {
		d = min(d, maxPeriod)
	}
	return d
}

// redialDelay is RedialDelay plus jitter, still capped by maxPeriod.
func (sw *PeerSwitch) redialDelay(attempt int) time.Duration {
	maxPeriod := sw.cfg.PersistentPeersMaxDialPeriod
	d := RedialDelay(attempt, maxPeriod) + sw.jitter(redialJitter)
	if maxPeriod > 0 {
		d = min(d, maxPeriod)
	}
	return d
}

// jitter returns a random duration in [0, upTo).
func (sw *PeerSwitch) jitter(upTo time.Duration) time.Duration {
	if upTo <= 0 {
		return 0
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return time.Duration(sw.rng.Int64N(int64(upTo)))
}

// WithDialJitter sets the longest random pause before the first dial of each persistent peer
// when Run starts (default 3 s), which keeps two nodes that list each other from dialing each
// other at the same instant (both connections would then be refused as duplicates).
func WithDialJitter(upTo time.Duration) SwitchOption {
	return func(sw *PeerSwitch) { sw.startJitter = upTo }
}

// AddPersistentPeers adds "id@host:port" addresses of peers to keep connected: they are dialed
// when Run starts (or now, if it runs) and redialed whenever lost. A host that does not resolve
// is accepted (it is resolved at each dial); any other malformed address is an error and nothing
// is added. An address with the node's own ID is ignored.
func (sw *PeerSwitch) AddPersistentPeers(addrs []string) error {
	ids := make([]ID, 0, len(addrs))
	for _, a := range addrs {
		na, err := ParseNetAddress(a)
		switch {
		case errors.Is(err, ErrNetAddressLookup):
			sw.logger.Info("Persistent peer's host does not resolve yet", "addr", a, "err", err)
			id, _, _ := cutID(a)
			ids = append(ids, id)
		case err != nil:
			return err
		default:
			ids = append(ids, na.ID)
		}
	}
	sw.mu.Lock()
	for i, a := range addrs {
		if ids[i] == sw.nodeInfo.ID {
			continue // a list shared by every node of a network names us too
		}
		sw.persistent[ids[i]] = a
	}
	running := sw.ctx != nil && !sw.stopping
	sw.mu.Unlock()
	if running {
		for _, id := range ids {
			if id != sw.nodeInfo.ID {
				sw.startRedial(id, 0)
			}
		}
	}
	return nil
}

// cutID returns the ID part of an address string that ParseNetAddress accepted up to the lookup.
func cutID(addr string) (ID, string, bool) {
	rest := removeProtocol(addr)
	for i := 0; i < len(rest); i++ {
		if rest[i] == '@' {
			return ID(rest[:i]), rest[i+1:], true
		}
	}
	return "", rest, false
}

// AddUnconditionalPeerIDs adds IDs exempt from the inbound and outbound peer limits.
func (sw *PeerSwitch) AddUnconditionalPeerIDs(ids []string) error {
	parsed, err := parseIDs(ids)
	if err != nil {
		return err
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	for _, id := range parsed {
		sw.unconditional[id] = struct{}{}
	}
	return nil
}

// IsPeerUnconditional reports whether id is exempt from the peer limits.
func (sw *PeerSwitch) IsPeerUnconditional(id ID) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	_, ok := sw.unconditional[id]
	return ok
}

// IsPeerPersistent reports whether id is a persistent peer.
func (sw *PeerSwitch) IsPeerPersistent(id ID) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	_, ok := sw.persistent[id]
	return ok
}

// AddPrivatePeerIDs adds IDs whose addresses are never gossiped; the address book is told.
func (sw *PeerSwitch) AddPrivatePeerIDs(ids []string) error {
	parsed, err := parseIDs(ids)
	if err != nil {
		return err
	}
	sw.mu.Lock()
	for _, id := range parsed {
		sw.private[id] = struct{}{}
	}
	sw.mu.Unlock()
	if sw.addrBook != nil && len(parsed) > 0 {
		sw.addrBook.AddPrivateIDs(parsed)
	}
	return nil
}

// IsPeerPrivate reports whether id's address must not be gossiped.
func (sw *PeerSwitch) IsPeerPrivate(id ID) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	_, ok := sw.private[id]
	return ok
}

func parseIDs(ids []string) ([]ID, error) {
	out := make([]ID, 0, len(ids))
	for _, s := range ids {
		id := ID(s)
		if err := id.Validate(); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// DialPeersAsync dials "id@host:port" addresses in random order without waiting (the RPC's
// dial_peers); persistent peers among them are redialed until connected. The addresses are added
// to the address book. Addresses whose host does not resolve are skipped; any other malformed
// address is an error and nothing is dialed.
func (sw *PeerSwitch) DialPeersAsync(addrs []string) error {
	netAddrs, errs := ParseNetAddresses(addrs)
	for _, err := range errs {
		if !errors.Is(err, ErrNetAddressLookup) {
			return err
		}
		sw.logger.Info("Skipping a peer whose host does not resolve", "err", err)
	}
	if sw.addrBook != nil {
		ours, ourErr := sw.NetAddress()
		for _, na := range netAddrs {
			if ourErr == nil && na.Same(ours) {
				continue
			}
			if err := sw.addrBook.AddAddress(na, ours); err != nil {
				sw.logger.Debug("Address book refused an address", "addr", na, "err", err)
			}
		}
	}
	ctx := sw.runContext()
	if ctx == nil {
		return ErrSwitchNotRunning
	}
	sw.mu.Lock()
	sw.rng.Shuffle(len(netAddrs), func(i, j int) { netAddrs[i], netAddrs[j] = netAddrs[j], netAddrs[i] })
	sw.mu.Unlock()
	for _, na := range netAddrs {
		if sw.IsPeerPersistent(na.ID) {
			sw.startRedial(na.ID, 0)
			continue
		}
		sw.goTracked(func() {
			if err := sw.DialPeerWithAddress(ctx, na); err != nil {
				sw.logger.Debug("Dialing peer failed", "addr", na, "err", err)
			}
		})
	}
	return nil
}

// DialPeerWithAddress dials addr, authenticates the peer (which must have addr's ID) and adds it,
// returning once the peer is added or the attempt failed. It gives up when ctx ends, after
// dial_timeout for the TCP connection, or when the switch stops. Errors wrap
// ErrSwitchNotRunning, ErrSelfConnection, ErrDuplicatePeer, ErrAlreadyDialing, ErrDuplicateIP,
// ErrFiltered, ErrDialedIDMismatch, a NodeInfo check error, or a dial or handshake error.
func (sw *PeerSwitch) DialPeerWithAddress(ctx context.Context, addr NetAddress) error {
	runCtx := sw.runContext()
	if runCtx == nil {
		return ErrSwitchNotRunning
	}
	if addr.ID == sw.nodeInfo.ID {
		return fmt.Errorf("%w: dialing %s", ErrSelfConnection, addr)
	}
	if err := addr.ID.Validate(); err != nil {
		return fmt.Errorf("dialing %s: %w", addr, err)
	}
	release, err := sw.reserveDial(addr.ID)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopOnSwitchStop := context.AfterFunc(runCtx, cancel)
	defer stopOnSwitchStop()

	dialCtx := ctx
	if sw.cfg.DialTimeout > 0 {
		var cancelDial context.CancelFunc
		dialCtx, cancelDial = context.WithTimeout(ctx, sw.cfg.DialTimeout)
		defer cancelDial()
	}
	raw, err := sw.transport.Dial(dialCtx, addr)
	if err != nil {
		return err
	}
	slot, err := sw.reserveHandshake(addr.IP, false)
	if err != nil {
		raw.Close()
		return err
	}
	defer slot.release()
	sc, info, err := sw.authenticate(ctx, raw, addr, addr.ID)
	if err != nil {
		return fmt.Errorf("peer %s: %w", addr, err)
	}
	if err := sw.addPeer(sc, info, true, addr, slot); err != nil {
		sc.Close()
		return err
	}
	return nil
}

// reserveDial marks id as being dialed, refusing if it is connected or being dialed already.
func (sw *PeerSwitch) reserveDial(id ID) (func(), error) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if _, ok := sw.peers[id]; ok {
		return nil, fmt.Errorf("%w: %s", ErrDuplicatePeer, id)
	}
	if _, ok := sw.dialing[id]; ok {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyDialing, id)
	}
	sw.dialing[id] = struct{}{}
	return func() {
		sw.mu.Lock()
		defer sw.mu.Unlock()
		delete(sw.dialing, id)
	}, nil
}

// startRedial starts the loop that keeps the persistent peer id connected, unless one runs; it
// waits firstPause before the first dial.
func (sw *PeerSwitch) startRedial(id ID, firstPause time.Duration) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if _, ok := sw.redialing[id]; ok || sw.ctx == nil || sw.stopping {
		return
	}
	sw.redialing[id] = struct{}{}
	ctx := sw.ctx
	sw.wg.Go(func() { sw.redialLoop(ctx, id, firstPause) })
}

// redialLoop dials the persistent peer id until it is connected, pausing between failures as
// redialDelay says (on timers), and ends once the peer is connected or the switch stops.
func (sw *PeerSwitch) redialLoop(ctx context.Context, id ID, pause time.Duration) {
	for attempt := 0; ; attempt++ {
		if pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				sw.endRedial(id)
				return
			case <-t.C:
			}
		}
		sw.mu.Lock()
		addrStr := sw.persistent[id]
		sw.mu.Unlock()
		na, err := ParseNetAddress(addrStr)
		if err == nil {
			err = sw.DialPeerWithAddress(ctx, na)
		}
		if ctx.Err() != nil {
			sw.endRedial(id)
			return
		}
		if err == nil || errors.Is(err, ErrDuplicatePeer) {
			if sw.endRedialIfConnected(id) {
				return
			}
			attempt = -1 // lost again before this loop ended: start over
			pause = 0
			continue
		}
		pause = sw.redialDelay(attempt)
		sw.logger.Debug("Dialing persistent peer failed", "addr", addrStr, "attempt", attempt+1, "retry_in", pause, "err", err)
	}
}

// endRedialIfConnected ends id's redial loop if id is connected, and reports whether it did.
// Checking and ending under one lock means a peer lost meanwhile is redialed by this loop.
func (sw *PeerSwitch) endRedialIfConnected(id ID) bool {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if _, ok := sw.peers[id]; !ok {
		return false
	}
	delete(sw.redialing, id)
	return true
}

func (sw *PeerSwitch) endRedial(id ID) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	delete(sw.redialing, id)
}
