package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// Scenario is a named family of runs; the seed picks one member.
type Scenario struct {
	Name string
	Doc  string
	// Unsafe marks a negative control: byzantine power of more than 1/3, under which agreement
	// can break and the checker must say so.
	Unsafe bool
	config func() Config
}

// Config returns the configuration of the scenario's run with seed.
func (sc Scenario) Config(seed uint64) Config {
	c := sc.config()
	c.Seed, c.Scenario = seed, sc.Name
	return c
}

// Scenarios returns every scenario, in a fixed order.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: "calm", Doc: "4 validators, a fast network, no faults", config: calm},
		{Name: "lossy", Doc: "5 validators, 20% drops, 10% duplicates, slow heavy-tailed latency", config: lossy},
		{Name: "partition", Doc: "5 validators; halves, an isolated node, a bridge node, flapping links; then heal", config: partitioned},
		{Name: "crash", Doc: "4 validators crash and restart at random, losing unsynced WAL records; 5% drops", config: crashing},
		{Name: "twins", Doc: "4 validators, one run as twins in opposite partitions (byzantine power 1/4)", config: twins},
		{Name: "equivocate", Doc: "4 validators, one proposer sends different proposals to different peers; 5% drops", config: equivocating},
		{Name: "chaos", Doc: "7 validators with a twin pair and an equivocator (byzantine power 2/7), partitions, crashes, drops", config: chaos},
		{Name: "rounds", Doc: "4 validators, timeouts shorter than the slow network's latency: many rounds, locks and re-proposals", config: rounds},
		{Name: "amnesia", Doc: "4 validators, one amnesiac (forgets its lock after each precommit), timeouts shorter than the latency, honest nodes muted as they precommit: the locks keep the chain whole", config: amnesia},
		{Name: "byzantine-rounds", Doc: "7 validators with a twin pair and an equivocator, timeouts shorter than the latency, crashes", config: byzantineRounds},
		{Name: "modes", Doc: "no empty blocks, skip_timeout_commit, unequal powers, crashes and drops", config: modes},
		{Name: "backlog", Doc: "skip_timeout_commit_txs: a backlog of 3 txs ends a 5 s timeout_commit; crashes and drops", config: backlog},
		{Name: "valchange", Doc: "4 validators and 2 spare nodes; validators added, removed and re-weighted by kvstore transactions during crashes, partitions and drops; an equivocating proposer", config: valchange},
		{Name: "twins-third", Doc: "7 validators, three run as twins in opposite partitions with byzantine power 33/100, just under 1/3: agreement must hold", config: twinsThird},
		{Name: "twins-majority", Unsafe: true, Doc: "negative control: twins-third with one unit of power moved, byzantine power 34/100, just over 1/3: agreement can break", config: twinsMajority},
	}
}

// LookupScenario returns the scenario called name.
func LookupScenario(name string) (Scenario, bool) {
	for _, sc := range Scenarios() {
		if sc.Name == name {
			return sc, true
		}
	}
	return Scenario{}, false
}

func calm() Config {
	c := DefaultConfig()
	c.Duration = 2 * time.Minute
	c.LivenessBound = 30 * time.Second
	return c
}

func lossy() Config {
	c := DefaultConfig()
	c.Validators = 5
	c.Net = NetConfig{MinLatency: 10 * time.Millisecond, MeanLatency: 200 * time.Millisecond, MaxLatency: 5 * time.Second,
		DropRate: 0.2, DupRate: 0.1}
	c.Duration = 2 * time.Minute
	c.LivenessBound = time.Minute
	return c
}

// The fault plans run from planStart to HealAt; liveness is then checked to the end.
const (
	planStart = 5 * time.Second
	planEnd   = 80 * time.Second
)

func partitioned() Config {
	c := DefaultConfig()
	c.Validators = 5
	c.HealAt = planEnd
	c.LivenessBound = 90 * time.Second
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		c.Faults = planPartitions(rng, c.Validators, nil, planStart, c.HealAt)
	}
	return c
}

func crashing() Config {
	c := DefaultConfig()
	c.Net.DropRate = 0.05
	c.HealAt = planEnd
	c.LivenessBound = time.Minute
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		c.Faults = planCrashes(rng, allNodes(c.Validators), planStart, c.HealAt)
	}
	return c
}

func twins() Config {
	c := DefaultConfig()
	c.Twins = []int{0}
	c.HealAt = planEnd
	c.LivenessBound = 90 * time.Second
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		c.Faults = planPartitions(rng, c.nodes(), twinPairs(c), 0, c.HealAt)
	}
	return c
}

// The twin-threshold pair: three of seven validators run as twins, with byzantine power just
// under 1/3 (33 of 100) in twins-third and just over (34 of 100) in twins-majority. A quorum is
// 67. Every partition puts one copy of each twin on either side, so each side has all the
// byzantine power; the honest 67 (or 66) split between the sides. Under 1/3, a side needs 34
// honest power for a quorum and only one side can have it. Over 1/3, 33 honest power is enough,
// and an honest split {16, 17} / {16, 17} lets both sides decide.
var (
	underThirdPowers = []int64{11, 11, 11, 16, 16, 17, 18}
	overThirdPowers  = []int64{12, 11, 11, 16, 16, 17, 17}
)

func twinsThird() Config {
	c := DefaultConfig()
	c.Validators = 7
	c.Powers = underThirdPowers
	c.Twins = []int{0, 1, 2}
	c.HealAt = planEnd
	c.LivenessBound = 90 * time.Second
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		c.Faults = planPartitions(rng, c.nodes(), twinPairs(c), 0, c.HealAt)
	}
	return c
}

func twinsMajority() Config {
	c := twinsThird()
	c.Powers = overThirdPowers
	c.Duration = 90 * time.Second
	c.HealAt, c.LivenessBound = 0, 0
	c.Plan = func(rng *rand.Rand, c *Config) {
		c.Faults = planPartitions(rng, c.nodes(), twinPairs(c), 0, c.Duration)
	}
	return c
}

func equivocating() Config {
	c := DefaultConfig()
	c.Equivocators = []int{0}
	c.Net.DropRate = 0.05
	c.Duration = 2 * time.Minute
	c.LivenessBound = time.Minute
	return c
}

func chaos() Config {
	c := DefaultConfig()
	c.Validators = 7
	c.Twins = []int{0}
	c.Equivocators = []int{1}
	c.Net.DropRate, c.Net.DupRate = 0.05, 0.02
	c.HealAt = planEnd
	c.LivenessBound = 90 * time.Second
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		nodes := c.nodes()
		faults := planPartitions(rng, nodes, twinPairs(c), planStart, c.HealAt)
		faults = append(faults, planCrashes(rng, []int{2, 3, 4, 5, 6}, planStart, c.HealAt)...)
		slices.SortStableFunc(faults, func(a, b Fault) int { return cmp.Compare(a.At, b.At) })
		c.Faults = faults
	}
	return c
}

// fastTimeouts are consensus timeouts below the latency of slowNet, so rounds often fail.
func fastTimeouts(c *Config) {
	c.Consensus.TimeoutPropose, c.Consensus.TimeoutProposeDelta = 300*time.Millisecond, 100*time.Millisecond
	c.Consensus.TimeoutPrevote, c.Consensus.TimeoutPrevoteDelta = 100*time.Millisecond, 50*time.Millisecond
	c.Consensus.TimeoutPrecommit, c.Consensus.TimeoutPrecommitDelta = 100*time.Millisecond, 50*time.Millisecond
	c.Consensus.TimeoutCommit = 100 * time.Millisecond
	c.Net = NetConfig{MinLatency: 20 * time.Millisecond, MeanLatency: 250 * time.Millisecond, MaxLatency: 3 * time.Second,
		DropRate: 0.05, DupRate: 0.02}
	c.GossipInterval = 200 * time.Millisecond
}

func rounds() Config {
	c := DefaultConfig()
	fastTimeouts(&c)
	c.Duration = 2 * time.Minute
	c.LivenessBound = time.Minute
	return c
}

func amnesia() Config {
	c := DefaultConfig()
	fastTimeouts(&c)
	c.Amnesiacs = []int{0}
	c.HealAt = 150 * time.Second
	c.LivenessBound = time.Minute
	c.Duration = c.HealAt + c.LivenessBound
	c.MutePrecommitters = 0.6
	return c
}

func byzantineRounds() Config {
	c := DefaultConfig()
	fastTimeouts(&c)
	c.Validators = 7
	c.Twins = []int{0}
	c.Equivocators = []int{1}
	c.HealAt = planEnd
	c.LivenessBound = 90 * time.Second
	c.Duration = c.HealAt + c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		faults := planPartitions(rng, c.nodes(), twinPairs(c), planStart, planEnd/2)
		faults = append(faults, planCrashes(rng, []int{2, 3, 4, 5, 6}, planStart, c.HealAt)...)
		slices.SortStableFunc(faults, func(a, b Fault) int { return cmp.Compare(a.At, b.At) })
		c.Faults = faults
	}
	return c
}

func modes() Config {
	c := DefaultConfig()
	c.Validators = 5
	c.Powers = []int64{40, 30, 20, 5, 5}
	c.Consensus.CreateEmptyBlocks = false
	c.Consensus.SkipTimeoutCommit = true
	c.Net.DropRate = 0.05
	c.TxInterval = 2 * time.Second
	c.HealAt = planEnd
	c.LivenessBound = time.Minute
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		c.Faults = planCrashes(rng, allNodes(c.Validators), planStart, c.HealAt)
	}
	return c
}

func backlog() Config {
	c := crashing()
	c.Consensus.TimeoutCommit = 5 * time.Second
	c.Consensus.SkipTimeoutCommitTxs = 3
	c.TxInterval = 100 * time.Millisecond
	return c
}

func valchange() Config {
	c := DefaultConfig()
	c.Validators, c.Spares = 4, 2
	c.Powers = []int64{30, 20, 20, 10}
	c.Equivocators = []int{0}
	c.Net.DropRate = 0.05
	c.HealAt = planEnd
	c.LivenessBound = 90 * time.Second
	c.Duration = c.HealAt + 2*c.LivenessBound
	c.Plan = func(rng *rand.Rand, c *Config) {
		nodes := c.nodes()
		faults := planPartitions(rng, nodes, nil, planStart, c.HealAt)
		faults = append(faults, planCrashes(rng, allNodes(nodes), planStart, c.HealAt)...)
		slices.SortStableFunc(faults, func(a, b Fault) int { return cmp.Compare(a.At, b.At) })
		c.Faults = faults
		c.ValChanges = planValChanges(rng, c.Validators, c.Validators+c.Spares, 3*time.Second, c.HealAt-10*time.Second)
	}
	return c
}

// planValChanges plans validator updates from start to end, every 2 to 8 seconds, over keys
// 0..keys-1 of which the first genesis are validators at genesis: a key outside the (planned)
// set is added, one inside has its power changed or, while more than two remain, is removed.
// Powers are 1 to 40 and never repeat for a key, so every update is a new transaction.
func planValChanges(rng *rand.Rand, genesis, keys int, start, end time.Duration) []ValChange {
	in := make([]bool, keys)
	members := genesis
	for k := range genesis {
		in[k] = true
	}
	used := map[[2]int64]bool{}
	power := func(k int) int64 {
		for {
			p := 1 + rng.Int64N(40)
			if !used[[2]int64{int64(k), p}] {
				used[[2]int64{int64(k), p}] = true
				return p
			}
		}
	}
	var out []ValChange
	for t := start; t < end; t += durationIn(rng, 2*time.Second, 8*time.Second) {
		k := rng.IntN(keys)
		switch {
		case !in[k]:
			in[k] = true
			members++
			out = append(out, ValChange{At: t, Key: k, Power: power(k)})
		case members > 2 && rng.IntN(3) == 0:
			in[k] = false
			members--
			out = append(out, ValChange{At: t, Key: k, Power: 0})
			delete(used, [2]int64{int64(k), 0})
		default:
			out = append(out, ValChange{At: t, Key: k, Power: power(k)})
		}
	}
	return out
}

func allNodes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// twinPairs returns the node pairs that run one validator: validator v's node and its copy.
func twinPairs(c *Config) [][2]int {
	pairs := make([][2]int, len(c.Twins))
	for k, v := range c.Twins {
		pairs[k] = [2]int{v, c.Validators + c.Spares + k}
	}
	return pairs
}

// durationIn draws uniformly from [lo, hi).
func durationIn(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// planPartitions alternates random partitions (halves, an isolated node, a bridge between two
// groups), flapping links and whole-network spells from start to end, and heals at end. Twin
// pairs always land on opposite sides of a split.
func planPartitions(rng *rand.Rand, nodes int, pairs [][2]int, start, end time.Duration) []Fault {
	var faults []Fault
	t := start
	for t < end {
		spell := min(durationIn(rng, 3*time.Second, 20*time.Second), end-t)
		switch kind := rng.IntN(5); {
		case kind <= 1 || len(pairs) > 0:
			a, b := splitHalves(rng, nodes, pairs)
			faults = append(faults, Fault{At: t, Kind: FaultPartition, Groups: [][]int{a, b}})
		case kind == 2:
			alone := rng.IntN(nodes)
			faults = append(faults, Fault{At: t, Kind: FaultPartition, Groups: [][]int{without(allNodes(nodes), alone)}})
		case kind == 3:
			a, b := splitHalves(rng, nodes, nil)
			both := append(a, b...)
			bridge := both[rng.IntN(len(both))]
			faults = append(faults, Fault{At: t, Kind: FaultPartition,
				Groups: [][]int{without(a, bridge), without(b, bridge)}, Bridges: []int{bridge}})
		default:
			faults = append(faults, planFlaps(rng, nodes, t, t+spell)...)
		}
		faults = append(faults, Fault{At: t + spell, Kind: FaultHeal})
		t += spell + durationIn(rng, time.Second, 8*time.Second)
	}
	return append(faults, Fault{At: end, Kind: FaultHeal})
}

// planFlaps takes one random link down and up again, again and again, between start and end.
func planFlaps(rng *rand.Rand, nodes int, start, end time.Duration) []Fault {
	a := rng.IntN(nodes)
	b := (a + 1 + rng.IntN(nodes-1)) % nodes
	var faults []Fault
	for t, down := start, true; t < end; t += durationIn(rng, 200*time.Millisecond, 2*time.Second) {
		kind := FaultLinkUp
		if down {
			kind = FaultLinkDown
		}
		faults = append(faults, Fault{At: t, Kind: kind, Node: a, Peer: b})
		down = !down
	}
	return faults
}

// splitHalves shuffles the nodes into two non-empty groups of about equal size, each pair's two
// nodes on opposite sides.
func splitHalves(rng *rand.Rand, nodes int, pairs [][2]int) (a, b []int) {
	placed := make([]bool, nodes)
	for _, p := range pairs {
		x, y := p[0], p[1]
		if rng.IntN(2) == 0 {
			x, y = y, x
		}
		a, b = append(a, x), append(b, y)
		placed[x], placed[y] = true, true
	}
	var rest []int
	for i := range nodes {
		if !placed[i] {
			rest = append(rest, i)
		}
	}
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for _, n := range rest {
		switch {
		case len(a) < len(b):
			a = append(a, n)
		case len(b) < len(a):
			b = append(b, n)
		case rng.IntN(2) == 0:
			a = append(a, n)
		default:
			b = append(b, n)
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	return a, b
}

func without(list []int, x int) []int {
	out := make([]int, 0, len(list))
	for _, v := range list {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// planCrashes crashes random nodes among candidates from start on, each for 1 to 20 s, often
// several at once, and restarts every one before end.
func planCrashes(rng *rand.Rand, candidates []int, start, end time.Duration) []Fault {
	var faults []Fault
	downUntil := map[int]time.Duration{}
	for t := start; t < end; t += durationIn(rng, time.Second, 8*time.Second) {
		n := candidates[rng.IntN(len(candidates))]
		if downUntil[n] > t {
			continue
		}
		back := min(t+durationIn(rng, time.Second, 20*time.Second), end)
		downUntil[n] = back
		faults = append(faults, Fault{At: t, Kind: FaultCrash, Node: n}, Fault{At: back, Kind: FaultRestart, Node: n})
	}
	slices.SortStableFunc(faults, func(a, b Fault) int { return cmp.Compare(a.At, b.At) })
	return faults
}
