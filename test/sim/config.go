package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
)

// Behaviour is how a node's driver departs from the honest one.
type Behaviour uint8

// The behaviours. A Twin runs honest code but shares its validator key with another node; an
// Equivocator signs a second proposal for a different block in every round it proposes and sends
// each to a different half of its peers.
const (
	Honest Behaviour = iota
	Twin
	Equivocator
)

func (b Behaviour) String() string {
	switch b {
	case Honest:
		return "honest"
	case Twin:
		return "twin"
	case Equivocator:
		return "equivocator"
	}
	return fmt.Sprintf("Behaviour(%d)", uint8(b))
}

// NetConfig is the simulated network's behaviour outside of partitions.
type NetConfig struct {
	// A message's latency is MinLatency plus an exponentially distributed delay with mean
	// MeanLatency-MinLatency, capped at MaxLatency. Independent draws reorder messages.
	MinLatency, MeanLatency, MaxLatency time.Duration
	// DropRate is the probability that a message is lost; DupRate that it is delivered twice.
	DropRate, DupRate float64
}

// Config describes one simulation run. The zero value is not valid; start from DefaultConfig.
type Config struct {
	Seed     uint64
	Scenario string // the name printed in the replay command

	// Validators is the number of validator keys; Powers (optional, one per validator) their
	// voting powers, 10 each by default.
	Validators int
	Powers     []int64
	// Twins lists validators that run on two nodes at once (each copy honest, both with the key).
	Twins []int
	// Equivocators lists validators whose node equivocates when it proposes.
	Equivocators []int

	Consensus core.Config
	Net       NetConfig

	// Duration is the simulated length of the run.
	Duration time.Duration
	// Faults are injected at their times.
	Faults []Fault
	// Plan, if set, is called by New with the run's RNG before anything else draws from it, to
	// fill in the seed-dependent parts of the configuration (faults, mostly).
	Plan func(rng *rand.Rand, c *Config)
	// HealAt is when the last fault is over (the network is whole and every node is up). From
	// then on, within every LivenessBound, every honest node must commit a height above the
	// highest one any honest node had committed at the start of the interval. LivenessBound = 0
	// disables the liveness check.
	HealAt        time.Duration
	LivenessBound time.Duration

	// TxInterval is the mean time between client transactions (0: no client).
	TxInterval time.Duration
	// MaxBlockTxs bounds the transactions a proposer reaps into one block.
	MaxBlockTxs int
	// GossipInterval is the mean time between a node's status broadcasts, which drive the
	// catch-up gossip.
	GossipInterval time.Duration
	// WALFlushInterval is the period of the WAL's background flush; records written since the
	// last flush or synced write are lost in a crash.
	WALFlushInterval time.Duration
	// WALSkipsPeerMaj23 leaves peers' +2/3 claims (PeerMaj23) out of the WAL, as CometBFT does
	// with VoteSetMaj23 (its reactor hands them to the vote set directly). A restarted node
	// then cannot rebuild a polka that needed a claim to count an equivocator's vote, loses the
	// lock it took on it, and asks to sign a conflicting precommit (see
	// TestUnloggedClaimLosesLock). Off by default: the core's contract logs every input.
	WALSkipsPeerMaj23 bool
}

// DefaultConfig returns a four-validator network with CometBFT's default timeouts, a fast LAN,
// a steady trickle of transactions and no faults.
func DefaultConfig() Config {
	return Config{
		Validators: 4,
		Consensus: core.Config{
			TimeoutPropose: 3 * time.Second, TimeoutProposeDelta: 500 * time.Millisecond,
			TimeoutPrevote: time.Second, TimeoutPrevoteDelta: 500 * time.Millisecond,
			TimeoutPrecommit: time.Second, TimeoutPrecommitDelta: 500 * time.Millisecond,
			TimeoutCommit:     time.Second,
			CreateEmptyBlocks: true,
		},
		Net: NetConfig{
			MinLatency:  5 * time.Millisecond,
			MeanLatency: 30 * time.Millisecond,
			MaxLatency:  2 * time.Second,
		},
		Duration:         3 * time.Minute,
		LivenessBound:    time.Minute,
		TxInterval:       300 * time.Millisecond,
		MaxBlockTxs:      50,
		GossipInterval:   300 * time.Millisecond,
		WALFlushInterval: 2 * time.Second,
	}
}

// ErrInvalidConfig wraps every error of Config.Validate.
var ErrInvalidConfig = errors.New("sim: invalid config")

// maxNodes bounds the network: the gossip layer keeps vote bit masks in a uint64.
const maxNodes = 64

// Validate checks the configuration.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case c.Validators < 1 || c.Validators > maxNodes:
		return bad("%d validators, want 1 to %d", c.Validators, maxNodes)
	case c.Powers != nil && len(c.Powers) != c.Validators:
		return bad("%d powers for %d validators", len(c.Powers), c.Validators)
	case c.Validators+len(c.Twins) > maxNodes:
		return bad("%d nodes, at most %d", c.Validators+len(c.Twins), maxNodes)
	case c.Duration <= 0:
		return bad("duration %v", c.Duration)
	case c.GossipInterval <= 0 || c.WALFlushInterval <= 0:
		return bad("gossip interval %v, WAL flush interval %v", c.GossipInterval, c.WALFlushInterval)
	case c.LivenessBound < 0 || c.HealAt < 0 || (c.LivenessBound > 0 && c.HealAt+c.LivenessBound > c.Duration):
		return bad("heal at %v plus liveness bound %v beyond the duration %v", c.HealAt, c.LivenessBound, c.Duration)
	case c.MaxBlockTxs < 0:
		return bad("max block txs %d", c.MaxBlockTxs)
	case c.Net.DropRate < 0 || c.Net.DropRate >= 1 || c.Net.DupRate < 0 || c.Net.DupRate >= 1:
		return bad("drop rate %v, dup rate %v: want [0, 1)", c.Net.DropRate, c.Net.DupRate)
	case c.Net.MinLatency < 0 || c.Net.MeanLatency < c.Net.MinLatency || c.Net.MaxLatency < c.Net.MinLatency:
		return bad("latency min %v mean %v max %v", c.Net.MinLatency, c.Net.MeanLatency, c.Net.MaxLatency)
	}
	for _, p := range c.Powers {
		if p <= 0 {
			return bad("voting power %d", p)
		}
	}
	seen := map[int]bool{}
	for _, v := range append(append([]int(nil), c.Twins...), c.Equivocators...) {
		if v < 0 || v >= c.Validators {
			return bad("byzantine validator %d of %d", v, c.Validators)
		}
		if seen[v] {
			return bad("validator %d is byzantine twice", v)
		}
		seen[v] = true
	}
	nodes := c.Validators + len(c.Twins)
	for i, f := range c.Faults {
		if err := f.validate(nodes); err != nil {
			return bad("fault %d (%v at %v): %v", i, f.Kind, f.At, err)
		}
	}
	return nil
}

// power returns validator v's voting power.
func (c *Config) power(v int) int64 {
	if c.Powers == nil {
		return 10
	}
	return c.Powers[v]
}
