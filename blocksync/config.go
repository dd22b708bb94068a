package blocksync

import (
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/crypto"
)

// Config tunes the sync. DefaultConfig has CometBFT v0.38's values (p2p.md §8).
type Config struct {
	// RequestWindow is how many heights from the next one to apply may be requested at once.
	RequestWindow int64
	// MaxPendingPerPeer bounds the requests a peer has unanswered.
	MaxPendingPerPeer int
	// DualRequestWindow: heights less than this far above the next height to apply are
	// requested from two peers at once (the first answer wins).
	DualRequestWindow int64
	// PeerTimeout: a peer with unanswered requests that sends no block for this long is
	// dropped.
	PeerTimeout time.Duration
	// RetryTimeout: a request unanswered for this long is sent to another peer.
	RetryTimeout time.Duration
	// MinRecvRate (bytes/s): a peer that had requests outstanding for at least RateWindow
	// without a break, and sent some but fewer bytes per second than this, is dropped. 0
	// disables the check.
	MinRecvRate int64
	// RateWindow is the least busy time a peer's receive rate is judged over.
	RateWindow time.Duration
	// StatusInterval is how often peers are asked for their heights while syncing.
	StatusInterval time.Duration
	// LocalAddress is this node's validator address (nil if it has no key). A node holding at
	// least a third of the voting power ends the sync at once: the chain cannot advance
	// without it.
	LocalAddress crypto.Address
}

// DefaultConfig returns CometBFT v0.38's settings: 600 heights ahead, 20 requests per peer,
// two peers for the 50 next heights, a 15 s peer timeout, a 30 s retry, 128 KiB/s minimum rate
// (judged over 10 s of continuous requests), status every 10 s.
func DefaultConfig() Config {
	return Config{
		RequestWindow:     600,
		MaxPendingPerPeer: 20,
		DualRequestWindow: 50,
		PeerTimeout:       15 * time.Second,
		RetryTimeout:      30 * time.Second,
		MinRecvRate:       128 * 1024,
		RateWindow:        10 * time.Second,
		StatusInterval:    10 * time.Second,
	}
}

// ValidateBasic checks that the limits are usable.
func (c Config) ValidateBasic() error {
	switch {
	case c.RequestWindow < 2:
		return fmt.Errorf("blocksync: request window %d, need at least 2", c.RequestWindow)
	case c.MaxPendingPerPeer < 1:
		return fmt.Errorf("blocksync: max pending per peer %d, need at least 1", c.MaxPendingPerPeer)
	case c.DualRequestWindow < 0 || c.MinRecvRate < 0:
		return fmt.Errorf("blocksync: negative dual request window or receive rate")
	case c.PeerTimeout <= 0 || c.RetryTimeout <= 0 || c.StatusInterval <= 0 || c.RateWindow <= 0:
		return fmt.Errorf("blocksync: timeouts and intervals must be positive")
	}
	return nil
}
