package sim

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/types"
)

// node is one simulated process: a consensus machine and the fake driver around it. What a real
// node keeps on disk (chain, app, signer state, WAL) survives a crash; the rest (machine,
// mempool, gossip view, timer) is rebuilt on restart.
type node struct {
	sim       *Sim
	index     int
	validator int // index of its validator key
	behaviour Behaviour
	address   crypto.Address

	// Durable.
	chain  *chain
	app    *app
	signer *signer
	wal    *wal

	// Volatile: valid while up, for one incarnation.
	up           bool
	incarnation  uint64
	machine      *core.Machine
	mempool      *mempool
	gossip       *gossip
	ticker       ticker
	replaying    bool            // feeding the WAL back after a restart
	txsNotified  bool            // TxsAvailable fed at this height
	backlogFed   bool            // TxsBacklog fed at this height
	validated    map[string]bool // hashes of the blocks that passed ValidateBlock at this height
	equivocation map[core.HRS]*equivocation
}

// ticker is the timeout ticker: one pending timer, replaced only by a strictly later position.
type ticker struct {
	last       core.HRS
	accepted   bool
	generation uint64 // a firing timer of an older generation was replaced
}

// accept reports whether a timeout for pos replaces the pending one (pos is strictly later than
// the last accepted position, even if that one fired), and returns the new timer's generation.
func (t *ticker) accept(pos core.HRS) (generation uint64, ok bool) {
	if t.accepted && pos.Compare(t.last) <= 0 {
		return 0, false
	}
	t.last, t.accepted = pos, true
	t.generation++
	return t.generation, true
}

func peerID(index int) core.PeerID { return core.PeerID(fmt.Sprintf("n%d", index)) }

// alive reports whether the node is up in incarnation inc and the run goes on.
func (n *node) alive(inc uint64) bool {
	return n.up && n.incarnation == inc && !n.sim.stopped()
}

// start builds the volatile state from the durable one: a machine for the next height, the WAL
// replayed into it, then round 0 scheduled.
func (n *node) start() {
	s := n.sim
	records, err := n.wal.since(n.chain.height + 1)
	if err != nil {
		s.violate(ViolationRestart, n.index, n.chain.height+1, err.Error())
		return
	}
	next := n.nextHeight()
	s.log.machine(n, next, fmt.Sprintf("validator %d (%v), replaying %d WAL records", n.validator, n.behaviour, len(records)))
	n.up = true
	n.mempool = newMempool()
	n.ticker = ticker{}
	n.txsNotified, n.backlogFed = false, false
	n.equivocation = map[core.HRS]*equivocation{}
	n.gossip = newGossip(s.genesis.chainID, next.Height, next.Validators)
	m, err := core.New(s.cfg.Consensus, core.Identity{Address: n.address}, next)
	if err != nil {
		s.violate(ViolationRestart, n.index, next.Height, fmt.Sprintf("consensus.New: %v", err))
		return
	}
	n.machine = m
	n.replaying = true
	for _, rec := range records {
		if !n.up || s.stopped() {
			return
		}
		n.deliver(rec.Input, false)
	}
	n.replaying = false
	s.log.start(n, s.now(), next.Height)
	n.handle(n.step("Start", func() []core.Action { return m.Start(s.now()) }))
	inc := n.incarnation
	n.scheduleGossip(inc)
	n.scheduleFlush(inc)
}

// nextHeight describes the height after the chain's last block, with a ValidateBlock that
// remembers the blocks it passed.
func (n *node) nextHeight() core.Height {
	h := n.chain.next()
	validated := map[string]bool{}
	n.validated = validated
	validate := h.ValidateBlock
	h.ValidateBlock = func(b *types.Block, now time.Time) error {
		err := validate(b, now)
		if err == nil {
			validated[string(b.Hash())] = true
		}
		return err
	}
	return h
}

// crash stops the node: the volatile state is gone and the WAL loses what was not synced.
func (n *node) crash() {
	lost := n.wal.crash()
	n.up = false
	n.incarnation++
	n.machine, n.mempool, n.gossip, n.equivocation = nil, nil, nil, nil
	n.sim.log.node(n, "Crash", n.chain.height, 0, fmt.Sprintf("lost %d unsynced WAL records", lost))
}

func (n *node) scheduleGossip(inc uint64) {
	n.sim.sched.after(n.sim.jitter(n.sim.cfg.GossipInterval), func() {
		if !n.alive(inc) {
			return
		}
		st := n.gossip.status()
		for peer := range n.sim.nodes {
			if peer != n.index {
				n.sim.net.send(n.index, peer, message{status: st})
			}
		}
		n.scheduleGossip(inc)
	})
}

func (n *node) scheduleFlush(inc uint64) {
	n.sim.sched.after(n.sim.cfg.WALFlushInterval, func() {
		if !n.alive(inc) {
			return
		}
		n.wal.flush()
		n.scheduleFlush(inc)
	})
}

// receive handles a message from peer from.
func (n *node) receive(from int, msg message) {
	switch {
	case msg.input != nil:
		if claim, ok := msg.input.(core.PeerMaj23); ok && claim.Height != n.chain.height+1 && !n.sim.cfg.DeliverStaleClaims {
			return // the reactor drops claims for another height (consensus/reactor receiveMaj23)
		}
		n.deliver(withSender(msg.input, peerID(from)), true)
	case msg.status != nil:
		n.answerStatus(from, msg.status)
	case msg.tx != nil:
		n.addTx(msg.tx)
	}
}

// withSender returns a copy of an own message as received from peer.
func withSender(in core.Input, from core.PeerID) core.Input {
	switch in := in.(type) {
	case core.ProposalMessage:
		p := *in.Proposal
		return core.ProposalMessage{Proposal: &p, From: from}
	case core.BlockPartMessage:
		in.From = from
		return in
	case core.VoteMessage:
		return core.VoteMessage{Vote: in.Vote.Copy(), From: from}
	case core.PeerMaj23:
		in.From = from
		return in
	}
	panic(fmt.Sprintf("sim: %T is not a message", in))
}

// answerStatus sends a peer what its status says it lacks.
func (n *node) answerStatus(peer int, st *status) {
	var out []core.Input
	switch {
	case st.Height == n.gossip.height:
		out = n.gossip.answer(st)
	case st.Height < n.gossip.height:
		if b := n.chain.blocks[st.Height]; b != nil {
			out = catchUp(st, b)
		}
	}
	for _, in := range out {
		n.sim.net.send(n.index, peer, message{input: in})
	}
}

// deliver feeds in to the machine, writing it to the WAL first if record is set (own messages
// with sync), and carries out the actions.
func (n *node) deliver(in core.Input, record bool) {
	if !n.up || n.sim.stopped() {
		return
	}
	if record {
		if rec, sync, ok := walEntry(in, n.sim.cfg.WALSkipsPeerMaj23); ok {
			rec.At = n.sim.sched.now
			n.wal.write(rec, sync)
		}
	}
	n.gossip.observeInput(in)
	n.sim.log.input(n, n.sim.now(), in)
	n.handle(n.step(inputName(in), func() []core.Action { return n.machine.Step(n.sim.now(), in) }))
}

// walEntry returns the WAL record of in, whether it is written with fsync, and whether it is
// written at all: messages (with +2/3 claims, unless skipClaims) and timeouts are; answers to
// requests are not (the real node asks again on replay).
func walEntry(in core.Input, skipClaims bool) (walRecord, bool, bool) {
	switch in := in.(type) {
	case core.PeerMaj23:
		return walRecord{Input: in}, false, !skipClaims
	case core.ProposalMessage:
		return walRecord{Input: in}, in.From == "", true
	case core.BlockPartMessage:
		return walRecord{Input: in}, in.From == "", true
	case core.VoteMessage:
		return walRecord{Input: in}, in.From == "", true
	case core.TimeoutFired:
		return walRecord{Input: in}, false, true
	}
	return walRecord{}, false, false
}

// step runs a machine call, turning a panic into a violation, and logs the actions it returned.
func (n *node) step(what string, call func() []core.Action) []core.Action {
	actions := n.protect(what, call)
	for _, a := range actions {
		n.sim.log.action(n, a)
	}
	return actions
}

// protect runs a machine call, turning a panic into a violation.
func (n *node) protect(what string, call func() []core.Action) (actions []core.Action) {
	defer func() {
		if r := recover(); r != nil {
			n.sim.violate(ViolationPanic, n.index, n.gossip.height,
				fmt.Sprintf("consensus core panicked in %s: %v\n%s", what, r, debug.Stack()))
			actions = nil
		}
	}()
	return call()
}

// handle carries out the actions of one step in order, then feeds back the answers to its
// requests, in order, before any other input (each answer's own actions are handled the same
// way), as the core's contract and the real driver (consensus/driver.go) do.
func (n *node) handle(actions []core.Action) {
	var answers []core.Input
	for _, a := range actions {
		if !n.up || n.sim.stopped() {
			return
		}
		switch a := a.(type) {
		case core.ScheduleTimeout:
			n.scheduleTimeout(a)
		case core.BuildProposal:
			answers = append(answers, n.buildProposal(a)...)
		case core.SignProposal:
			answers = append(answers, n.signProposal(a)...)
		case core.SignVote:
			answers = append(answers, n.signVote(a)...)
		case core.ProcessProposal:
			answers = append(answers, core.ProposalProcessed{Height: a.Height, Round: a.Round, BlockHash: a.Block.Hash(), Accepted: true})
		case core.Broadcast:
			n.broadcast(a.Message)
		case core.Commit:
			answers = append(answers, n.commit(a)...)
		case core.ReportConflict:
			n.sim.stats.ConflictsReported++
		case core.Rejected:
			n.sim.stats.Rejected++
		case core.Publish:
			n.observeEvent(a.Event)
		default:
			panic(fmt.Sprintf("sim: unknown action %T", a))
		}
	}
	for _, in := range answers {
		n.deliver(in, true) // only own messages are written to the WAL
		if _, ok := in.(core.Committed); ok {
			n.notifyTxs()
		}
	}
}

func (n *node) observeEvent(e core.Event) {
	n.gossip.observeEvent(e, func() *types.ValidatorSet { return n.chain.validators() })
	if e.Kind == core.EventNewRound && e.HRS.Round > n.sim.stats.MaxRound {
		n.sim.stats.MaxRound = e.HRS.Round
	}
}

// scheduleTimeout follows the ticker's rule: only a strictly later position replaces the pending
// timer; a duration ≤ 0 fires at once (as the next event).
func (n *node) scheduleTimeout(a core.ScheduleTimeout) {
	generation, ok := n.ticker.accept(core.HRS{Height: a.Height, Round: a.Round, Step: a.Step})
	if !ok {
		return
	}
	inc := n.incarnation
	n.sim.sched.after(max(a.Duration, 0), func() {
		if n.alive(inc) && n.ticker.generation == generation {
			n.deliver(core.TimeoutFired{Height: a.Height, Round: a.Round, Step: a.Step}, true)
		}
	})
}

// buildProposal answers BuildProposal with a block of the mempool's transactions.
func (n *node) buildProposal(a core.BuildProposal) []core.Input {
	var block *types.Block
	var parts *types.PartSet
	if a.Height == n.chain.height+1 {
		var err error
		var lastCommit *types.Commit
		if a.LastCommit != nil {
			lastCommit = a.LastCommit.ToCommit()
		}
		block, parts, err = n.chain.makeBlock(n.mempool.reap(n.sim.cfg.MaxBlockTxs), lastCommit, n.address)
		if err != nil {
			n.sim.violate(ViolationDriver, n.index, a.Height, err.Error())
			return nil
		}
	}
	return []core.Input{core.ProposalBlockBuilt{Height: a.Height, Round: a.Round, Block: block, Parts: parts}}
}

// signProposal answers SignProposal with the signed proposal and its parts, or nothing if the
// double-sign guard refuses.
func (n *node) signProposal(a core.SignProposal) []core.Input {
	p := *a.Proposal
	if err := n.signer.signProposal(&p); err != nil {
		n.signRefused(p.Height, p.Round, err)
		return nil
	}
	n.sim.check.onSignProposal(n, &p)
	if n.behaviour == Equivocator {
		n.prepareEquivocation(&p, a)
	}
	out := []core.Input{core.ProposalMessage{Proposal: &p}}
	for i := 0; i < int(a.Parts.Total()); i++ {
		out = append(out, core.BlockPartMessage{Height: p.Height, Round: p.Round, Part: a.Parts.GetPart(i)})
	}
	return out
}

// signVote answers SignVote with the signed vote, or nothing if the double-sign guard refuses.
func (n *node) signVote(a core.SignVote) []core.Input {
	v := *a.Vote
	if a.ExtendBlock != nil {
		v.Extension = []byte("sim-extension")
	}
	fresh, err := n.signer.signVote(&v)
	if err != nil {
		n.signRefused(v.Height, v.Round, err)
		return nil
	}
	if fresh {
		n.sim.check.onSign(n, &v)
		if v.Type == types.PrecommitType && !v.BlockID.IsNil() {
			switch n.behaviour {
			case Honest:
				n.sim.onPrecommit(n)
			case Amnesiac:
				n.scheduleAmnesia()
			}
		}
	}
	return []core.Input{core.VoteMessage{Vote: &v}}
}

// signRefused handles a request the double-sign guard refused. While the WAL is replayed after
// a restart that is expected (the machine redoes transitions whose messages it already signed,
// and a rebuilt proposal block differs); at any other time an honest machine asked to sign
// something conflicting with what it signed before, which is a violation — with one exception,
// counted as a late proposal: a proposal the machine asks for after it voted in the same round.
// That happens when one input takes a proposer through enterPropose and on to a vote (a +2/3
// precommit majority of its round arriving at NewHeight): BuildProposal is answered only after
// the step's actions, the vote among them, so the proposal comes second and the guard refuses
// it. CometBFT builds the block inside enterPropose and signs the proposal first. Nothing
// conflicting is signed; the round just loses its proposal.
func (n *node) signRefused(height int64, round int32, err error) {
	n.sim.stats.SignRefusals++
	n.sim.log.node(n, "SignRefused", height, round, err.Error())
	switch {
	case n.behaviour != Honest || n.replaying:
	case errors.Is(err, errProposalAfterVote):
		n.sim.stats.LateProposals++
	default:
		n.sim.violate(ViolationSignRefused, n.index, height, fmt.Sprintf("outside WAL replay, round %d: %v", round, err))
	}
}

// broadcast sends an own message to every peer (an equivocator splits its proposals).
func (n *node) broadcast(msg core.Input) {
	if n.behaviour == Equivocator && n.equivocate(msg) {
		return
	}
	for peer := range n.sim.nodes {
		if peer != n.index {
			n.sim.net.send(n.index, peer, message{input: msg})
		}
	}
}

// commit finalizes a decided block: store it, mark the height's end in the WAL (fsync), apply
// it, update the mempool, and answer with the next height. Crashes happen between events, so
// the steps are atomic here.
func (n *node) commit(a core.Commit) []core.Input {
	s := n.sim
	if a.Height != n.chain.height+1 {
		s.violate(ViolationDriver, n.index, a.Height, fmt.Sprintf("commit of height %d on a chain at %d", a.Height, n.chain.height))
		return nil
	}
	if !n.validated[string(a.Block.Hash())] {
		s.violate(ViolationValidity, n.index, a.Height, fmt.Sprintf("committed block %X never passed ValidateBlock", []byte(a.Block.Hash())))
		return nil
	}
	n.wal.write(walRecord{At: s.sched.now, EndHeight: a.Height}, true)
	if err := n.chain.commit(a.Block, a.Parts, a.SeenCommit, n.app); err != nil {
		s.violate(ViolationDriver, n.index, a.Height, fmt.Sprintf("applying the block: %v", err))
		return nil
	}
	n.mempool.update(a.Block.Txs)
	clear(n.equivocation)
	s.log.node(n, "Committed", a.Height, a.SeenCommit.Round,
		fmt.Sprintf("block %X, %d txs, app hash %X", shortHash(a.Block.Hash()), len(a.Block.Txs), shortHash(n.chain.appHash)))
	s.check.onCommit(n, a)
	s.client.onCommit(n, a.Block)
	if s.stopped() {
		return nil
	}
	n.txsNotified, n.backlogFed = false, false
	return []core.Input{core.Committed{Next: n.nextHeight()}}
}

// addTx admits a transaction to the mempool and gossips it on.
func (n *node) addTx(tx types.Tx) bool {
	if !n.mempool.add(tx, n.app) {
		return false
	}
	for peer := range n.sim.nodes {
		if peer != n.index {
			n.sim.net.send(n.index, peer, message{tx: tx})
		}
	}
	n.notifyTxs()
	return true
}

// notifyTxs feeds TxsAvailable once per height when the mempool has transactions, in the
// wait-for-transactions mode, and TxsBacklog once per height when it holds
// skip_timeout_commit_txs of them.
func (n *node) notifyTxs() {
	c := n.sim.cfg.Consensus
	if c.SkipTimeoutCommitTxs > 0 && !n.backlogFed && n.up && n.mempool.size() >= c.SkipTimeoutCommitTxs {
		n.backlogFed = true
		n.deliver(core.TxsBacklog{Height: n.chain.height + 1}, false)
	}
	waits := !c.CreateEmptyBlocks || c.CreateEmptyBlocksInterval > 0
	if !waits || n.txsNotified || n.mempool.size() == 0 || !n.up {
		return
	}
	n.txsNotified = true
	n.deliver(core.TxsAvailable{}, false)
}

func shortHash(b []byte) []byte {
	if len(b) > 4 {
		return b[:4]
	}
	return b
}
