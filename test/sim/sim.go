package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
)

// genesisTime is the genesis time of every simulated chain; simulated time counts from it.
var genesisTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Stats are a run's counters.
type Stats struct {
	Events            uint64 // events the scheduler ran
	Messages          uint64 // messages put on the wire
	Dropped           uint64 // lost to the drop rate
	Duplicated        uint64 // delivered twice
	Cut               uint64 // lost to partitions and downed links
	Faults            int    // faults injected
	Crashes           int
	MaxRound          int32 // highest round any node entered
	TxsSubmitted      int
	TxsAcked          int
	ConflictsReported int // conflicting votes the machines reported as evidence
	SignRefusals      int // requests the double-sign guard refused
	LateProposals     int // honest proposals refused because the round's vote was signed first
	Rejected          int // inputs the machines rejected
	Equivocations     int // second proposals sent by equivocators
	ValUpdates        int // validator updates in the canonical chain
	Amnesias          int // times an amnesiac forgot its consensus state
}

// Result is the outcome of a run.
type Result struct {
	Seed      uint64
	Scenario  string
	Violation *Violation // the first violation; nil if every invariant held
	SimTime   time.Duration
	Height    int64 // highest height committed by an honest node
	Stats     Stats
	LogErr    error // writing the event log failed
}

// ReplayCommand is the command that runs this seed of this scenario again, bit for bit.
func (r Result) ReplayCommand() string {
	return fmt.Sprintf("go run ./test/sim/cmd/ballot-sim -seed %d -scenario %s", r.Seed, r.Scenario)
}

func (r Result) String() string {
	verdict := "ok"
	if r.Violation != nil {
		verdict = "FAILED: " + r.Violation.Error() + "\nreplay: " + r.ReplayCommand()
	}
	st := r.Stats
	return fmt.Sprintf("scenario %s seed %d: %v simulated, height %d, max round %d, %d events, %d msgs (%d dropped, %d dup, %d cut), %d faults, %d crashes, txs %d/%d acked, %d validator updates, %d equivocations, %d conflicts reported, %d late proposals: %s",
		r.Scenario, r.Seed, r.SimTime, r.Height, st.MaxRound, st.Events, st.Messages, st.Dropped, st.Duplicated, st.Cut,
		st.Faults, st.Crashes, st.TxsAcked, st.TxsSubmitted, st.ValUpdates, st.Equivocations, st.ConflictsReported, st.LateProposals, verdict)
}

// Sim is one simulation run: the nodes, the network, the client, the checker, all driven by one
// scheduler and one seeded RNG. It is owned by one goroutine.
type Sim struct {
	cfg     Config
	rng     *rand.Rand
	sched   scheduler
	genesis *genesis
	keys    []ed25519.PrivKey // by validator index: the genesis validators, then the spares
	nodes   []*node
	net     *network
	check   *checker
	client  *client
	log     *eventLog

	violation  *Violation
	stats      Stats
	checkpoint int64 // highest honest height at the last liveness checkpoint
	muting     bool  // a precommitter is muted (Config.MutePrecommitters)
}

// New sets up a run of cfg. If cfg.Plan is set it is called first with the run's RNG to fill in
// the faults. log, if non-nil, receives the event log.
func New(cfg Config, log io.Writer) (*Sim, error) {
	s := &Sim{rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	if cfg.Plan != nil {
		cfg.Plan(s.rng, &cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s.cfg = cfg
	s.log = newEventLog(s, log)
	keys := make([]ed25519.PrivKey, cfg.Validators+cfg.Spares)
	pubs := make([]crypto.PubKey, cfg.Validators)
	powers := make([]int64, cfg.Validators)
	for v := range keys {
		keys[v] = ed25519.GenPrivKeyFromSecret(fmt.Appendf(nil, "ballot-sim/%d/validator-%d", cfg.Seed, v))
		if v < cfg.Validators {
			pubs[v], powers[v] = keys[v].PubKey(), cfg.power(v)
		}
	}
	var err error
	if s.genesis, err = newGenesis("ballot-sim", pubs, powers, newApp(nil).hash); err != nil {
		return nil, err
	}
	s.genesis.valUpdatesAtNextHeight = cfg.valUpdatesAtNextHeight
	behaviour := make([]Behaviour, len(keys))
	for _, v := range cfg.Equivocators {
		behaviour[v] = Equivocator
	}
	for _, v := range cfg.Amnesiacs {
		behaviour[v] = Amnesiac
	}
	owners := make([]int, 0, len(keys)+len(cfg.Twins))
	for v := range keys {
		owners = append(owners, v)
	}
	owners = append(owners, cfg.Twins...)
	for _, v := range cfg.Twins {
		behaviour[v] = Twin
	}
	for i, v := range owners {
		s.nodes = append(s.nodes, &node{
			sim: s, index: i, validator: v, behaviour: behaviour[v],
			address: keys[v].PubKey().Address(),
			chain:   newChain(s.genesis), app: newApp(s.genesis.state.Validators.Validators),
			signer: newSigner(keys[v], s.genesis.chainID), wal: newWAL(1),
		})
	}
	s.keys = keys
	s.net = newNetwork(s, len(s.nodes))
	s.check = newChecker(s)
	s.client = newClient(s)
	return s, nil
}

// Run runs cfg to its end or its first violation.
func Run(cfg Config, log io.Writer) (Result, error) {
	s, err := New(cfg, log)
	if err != nil {
		return Result{}, err
	}
	return s.Run(), nil
}

// Run runs the simulation to its end or its first violation.
func (s *Sim) Run() Result {
	for _, n := range s.nodes {
		n.start()
	}
	for _, f := range s.cfg.Faults {
		s.sched.at(f.At, func() { s.inject(f) })
	}
	if s.cfg.LivenessBound > 0 {
		s.sched.at(s.cfg.HealAt, func() {
			s.checkpoint = s.honestMaxHeight()
			s.sched.after(s.cfg.LivenessBound, s.checkLiveness)
		})
	}
	s.client.schedule()
	s.client.scheduleValChanges()
	for !s.stopped() && s.sched.next(s.cfg.Duration) {
	}
	if !s.stopped() {
		s.check.finish(s.client.acked)
	}
	s.stats.Events = s.sched.fired
	s.stats.Messages, s.stats.Dropped, s.stats.Duplicated, s.stats.Cut = s.net.sent, s.net.dropped, s.net.duplicated, s.net.cut
	res := Result{
		Seed: s.cfg.Seed, Scenario: s.cfg.Scenario, Violation: s.violation,
		SimTime: s.sched.now, Height: s.honestMaxHeight(), Stats: s.stats,
	}
	res.LogErr = s.log.flush()
	return res
}

func (s *Sim) now() time.Time { return genesisTime.Add(s.sched.now) }

func (s *Sim) stopped() bool { return s.violation != nil }

// violate records the first violation and stops the run.
func (s *Sim) violate(kind string, node int, height int64, detail string) {
	if s.violation != nil {
		return
	}
	s.violation = &Violation{Kind: kind, At: s.sched.now, Node: node, Height: height, Detail: detail}
	s.log.violation(s.violation)
}

// jitter returns d scaled by a uniform factor in [0.5, 1.5).
func (s *Sim) jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.5 + s.rng.Float64()))
}

func (s *Sim) honestMaxHeight() int64 {
	var h int64
	for _, n := range s.nodes {
		if n.behaviour == Honest {
			h = max(h, n.chain.height)
		}
	}
	return h
}

// inject carries out a fault.
func (s *Sim) inject(f Fault) {
	s.stats.Faults++
	s.log.fault(f)
	switch f.Kind {
	case FaultPartition:
		s.net.partition(f.Groups, f.Bridges)
	case FaultHeal:
		s.net.heal()
	case FaultCrash:
		if n := s.nodes[f.Node]; n.up {
			s.stats.Crashes++
			n.crash()
		}
	case FaultRestart:
		if n := s.nodes[f.Node]; !n.up {
			n.start()
		}
	case FaultLinkDown:
		s.net.setLink(f.Node, f.Peer, false)
	case FaultLinkUp:
		s.net.setLink(f.Node, f.Peer, true)
	case FaultMute:
		s.net.setMuted(f.Node, true)
	case FaultUnmute:
		s.net.setMuted(f.Node, false)
	}
}

// onPrecommit is called when honest node n has signed a fresh precommit for a block: with
// probability Config.MutePrecommitters it is muted for a while.
func (s *Sim) onPrecommit(n *node) {
	p := s.cfg.MutePrecommitters
	if p == 0 || s.muting || s.sched.now >= s.cfg.HealAt || s.rng.Float64() >= p {
		return
	}
	s.muting = true
	s.inject(Fault{At: s.sched.now, Kind: FaultMute, Node: n.index})
	end := min(s.sched.now+durationIn(s.rng, time.Second, 4*time.Second), s.cfg.HealAt)
	s.sched.at(end, func() {
		s.muting = false
		s.inject(Fault{At: end, Kind: FaultUnmute, Node: n.index})
	})
}

// checkLiveness requires every honest node to have committed above the highest height of the
// previous checkpoint (the heal, then every LivenessBound), and sets the next checkpoint.
func (s *Sim) checkLiveness() {
	for _, n := range s.nodes {
		if n.behaviour != Honest {
			continue
		}
		if !n.up {
			s.violate(ViolationLiveness, n.index, n.chain.height, "node still down when liveness is checked; the scenario must restart it before HealAt")
			return
		}
		if n.chain.height <= s.checkpoint {
			s.violate(ViolationLiveness, n.index, n.chain.height,
				fmt.Sprintf("no height above %d within %v (faults healed at %v; node at height %d)",
					s.checkpoint, s.cfg.LivenessBound, s.cfg.HealAt, n.chain.height))
			return
		}
	}
	s.checkpoint = s.honestMaxHeight()
	s.sched.after(s.cfg.LivenessBound, s.checkLiveness)
}
