package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
)

// Behaviour is how a node's driver departs from the honest one.
type Behaviour uint8

// The behaviours. A Twin runs honest code but shares its validator key with another node; an
// Equivocator signs a second proposal for a different block in every round it proposes and sends
// each to a different half of its peers; an Amnesiac runs honest code but forgets its consensus
// state — its WAL, so its lock and valid block — right after each precommit for a block, as a
// node that loses its disk would (its signer state and chain survive).
const (
	Honest Behaviour = iota
	Twin
	Equivocator
	Amnesiac
)

func (b Behaviour) String() string {
	switch b {
	case Honest:
		return "honest"
	case Twin:
		return "twin"
	case Equivocator:
		return "equivocator"
	case Amnesiac:
		return "amnesiac"
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

	// Validators is the number of genesis validators; Powers (optional, one per validator)
	// their voting powers, 10 each by default.
	Validators int
	Powers     []int64
	// Spares is the number of nodes with validator keys outside the genesis set: full nodes
	// until a validator update adds them. Their keys are numbered after the validators'.
	Spares int
	// ValChanges are validator updates a client submits at their times, until they are in the
	// chain (see ValChange).
	ValChanges []ValChange
	// Twins lists validators that run on two nodes at once (each copy honest, both with the key).
	Twins []int
	// Equivocators lists validators whose node equivocates when it proposes; Amnesiacs those
	// whose node forgets its locks.
	Equivocators []int
	Amnesiacs    []int

	Consensus core.Config
	Net       NetConfig

	// Duration is the simulated length of the run.
	Duration time.Duration
	// Faults are injected at their times.
	Faults []Fault
	// MutePrecommitters is the probability that, before HealAt, an honest node that has just
	// signed a precommit for a block is muted at once — what it sends is lost, what it is sent
	// still arrives — for 1 to 4 seconds (while no other node is muted this way). It may then
	// commit with the others' precommits while its own never reaches them, and they go on to
	// later rounds of the height it decided, locked: the situation the locks are for.
	MutePrecommitters float64
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
	// DeliverStaleClaims hands a peer's +2/3 claim (PeerMaj23) for another height to the
	// machine instead of dropping it at receipt as the reactor does. A real node can still do
	// so when its height changes between the reactor's check and the driver's step. The core
	// does not check a claim's height: a stale claim for height H lands on the same round's
	// vote set at H+1, takes the peer's one claim there, and the peer's true claim is refused
	// (see TestStaleClaimTakesNextHeightsSlot).
	DeliverStaleClaims bool

	// valUpdatesAtNextHeight breaks the H+2 rule in every node's chain state (updates from
	// height H decide H+1): the negative control of the checker's validator-set invariants.
	valUpdatesAtNextHeight bool
}

// ValChange is a validator update submitted as a kvstore transaction at simulated time At: key
// Key (an index among the validators and spares) gets voting power Power, 0 removing it.
type ValChange struct {
	At    time.Duration
	Key   int
	Power int64
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
	case c.Spares < 0 || c.nodes() > maxNodes:
		return bad("%d nodes (%d spares), at most %d", c.nodes(), c.Spares, maxNodes)
	case c.Duration <= 0:
		return bad("duration %v", c.Duration)
	case c.GossipInterval <= 0 || c.WALFlushInterval <= 0:
		return bad("gossip interval %v, WAL flush interval %v", c.GossipInterval, c.WALFlushInterval)
	case c.LivenessBound < 0 || c.HealAt < 0 || (c.LivenessBound > 0 && c.HealAt+c.LivenessBound > c.Duration):
		return bad("heal at %v plus liveness bound %v beyond the duration %v", c.HealAt, c.LivenessBound, c.Duration)
	case c.MutePrecommitters < 0 || c.MutePrecommitters > 1:
		return bad("mute precommitters %v: want [0, 1]", c.MutePrecommitters)
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
	for _, v := range slices.Concat(c.Twins, c.Equivocators, c.Amnesiacs) {
		if v < 0 || v >= c.Validators {
			return bad("byzantine validator %d of %d", v, c.Validators)
		}
		if seen[v] {
			return bad("validator %d is byzantine twice", v)
		}
		seen[v] = true
	}
	for i, vc := range c.ValChanges {
		if vc.Key < 0 || vc.Key >= c.Validators+c.Spares || vc.Power < 0 || vc.At < 0 {
			return bad("validator change %d: key %d power %d at %v", i, vc.Key, vc.Power, vc.At)
		}
	}
	nodes := c.nodes()
	for i, f := range c.Faults {
		if err := f.validate(nodes); err != nil {
			return bad("fault %d (%v at %v): %v", i, f.Kind, f.At, err)
		}
	}
	return nil
}

// nodes returns the number of nodes: validators, spares, twin copies.
func (c *Config) nodes() int { return c.Validators + c.Spares + len(c.Twins) }

// power returns validator v's voting power.
func (c *Config) power(v int) int64 {
	if c.Powers == nil {
		return 10
	}
	return c.Powers[v]
}
