package appconformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Config describes one conformance run. The zero value of every optional field picks the
// documented default; Apps and Seed are the inputs that matter.
type Config struct {
	// Apps are the addresses of one or two running applications ("tcp://127.0.0.1:26658",
	// "unix:///path"), each serving the ABCI socket protocol and starting with no state.
	// With two, every deterministic answer must agree between them.
	Apps []string
	// Heights is the number of blocks to run (default 100).
	Heights int
	// Seed drives every random choice; the same seed replays the same chain.
	Seed int64
	// RestartAt is the height after whose commit the connections are closed and reopened
	// (default Heights/2); negative disables the restart.
	RestartAt int
	// MaxTxsPerBlock bounds the transactions generated per height (default 12).
	MaxTxsPerBlock int
	// BallotOps adds ballot kvstore's get/cas transactions to the mix. CometBFT's kvstore
	// rejects them, so leave it off when an app is not ballot's kvstore.
	BallotOps bool
	// NoVoteExtensions skips ExtendVote/VerifyVoteExtension (enabled from height 1 otherwise).
	NoVoteExtensions bool
	// Strict also compares the non-deterministic-by-contract parts of answers between the two
	// apps: logs, info, events, codespace and snapshot lists.
	Strict bool
	// ConnectTimeout bounds each (re)connection to the apps (default 10 s).
	ConnectTimeout time.Duration
	// RetryInterval is the wait between dial attempts while an app is not up (default 100 ms).
	RetryInterval time.Duration
	// Restart, when set, is called for each app (index into Apps) while its connections are
	// closed during the restart, e.g. to restart the application process. It must return once
	// the app is listening again (or will be within ConnectTimeout).
	Restart func(ctx context.Context, app int) error
	// Log receives one progress line per height and a summary; nil discards.
	Log io.Writer
}

const (
	defaultHeights        = 100
	defaultMaxTxsPerBlock = 12
	defaultConnectTimeout = 10 * time.Second
	defaultRetryInterval  = 100 * time.Millisecond
)

func (c Config) withDefaults() (Config, error) {
	if len(c.Apps) == 0 || len(c.Apps) > 2 {
		return c, fmt.Errorf("appconformance: want one or two app addresses, got %d", len(c.Apps))
	}
	for _, a := range c.Apps {
		if a == "" {
			return c, errors.New("appconformance: empty app address")
		}
	}
	if c.Heights < 0 || c.MaxTxsPerBlock < 0 {
		return c, errors.New("appconformance: negative Heights or MaxTxsPerBlock")
	}
	if c.Heights == 0 {
		c.Heights = defaultHeights
	}
	if c.RestartAt == 0 {
		c.RestartAt = c.Heights / 2
	}
	if c.MaxTxsPerBlock == 0 {
		c.MaxTxsPerBlock = defaultMaxTxsPerBlock
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = defaultConnectTimeout
	}
	if c.RetryInterval <= 0 {
		c.RetryInterval = defaultRetryInterval
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c, nil
}

// Failure is a violated conformance rule. Its message carries the seed that replays it.
type Failure struct {
	Seed   int64
	Height int64 // 0: before the first block or after the last
	App    string
	Rule   string
}

func (f *Failure) Error() string {
	where := fmt.Sprintf("height %d", f.Height)
	if f.App != "" {
		where += ", " + f.App
	}
	return fmt.Sprintf("appconformance: seed %d: %s: %s", f.Seed, where, f.Rule)
}

// Report summarizes a passing run.
type Report struct {
	Seed         int64
	Heights      int64  // last height committed
	AppHash      []byte // app hash after the last height
	Txs          int    // transactions executed in blocks
	CheckTxs     int    // CheckTx calls (New and Recheck) per app
	Rejected     int    // transactions CheckTx rejected
	Evicted      int    // transactions a Recheck evicted
	Replayed     int    // blocks replayed after the restart because an app reported a lower height
	Restarted    bool
	Snapshots    int // snapshots the first app listed at the end
	Queries      int // queries per app
	VoteExtended int // heights with vote extensions
}

func (r *Report) String() string {
	return fmt.Sprintf("PASS seed=%d heights=%d app_hash=%X txs=%d check_txs=%d rejected=%d evicted=%d restarted=%v replayed=%d queries=%d snapshots=%d",
		r.Seed, r.Heights, r.AppHash, r.Txs, r.CheckTxs, r.Rejected, r.Evicted, r.Restarted, r.Replayed, r.Queries, r.Snapshots)
}
